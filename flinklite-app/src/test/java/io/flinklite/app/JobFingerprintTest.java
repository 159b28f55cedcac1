package io.flinklite.app;

import io.flinklite.app.userjar.TestJars;
import io.flinklite.connector.kafka.KafkaConnection;
import io.flinklite.job.JobSpec;
import io.flinklite.runtime.metrics.JobMetrics;
import io.flinklite.runtime.replay.ArraySourceReader;
import io.flinklite.runtime.state.MemoryState;
import io.flinklite.runtime.task.StreamTask;
import io.flinklite.runtime.task.TaskOptions;
import io.flinklite.source.DeadLetterHandler;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

/**
 * A Kafka job's checkpoints carry one fingerprint, the graph's of the task it runs: the same string the task writes
 * into its state, so that a checkpoint of one job is never restored into another, while the built-in job keeps the
 * fingerprint its checkpoints always had.
 */
class JobFingerprintTest {
    private static final KafkaConnection CONNECTION = new KafkaConnection("broker:9092", Map.of(), 30_000);
    private static final String HEADER = "package com.example; import io.flinklite.api.*; ";
    /** What the seed job's checkpoints recorded before the job graph: JobSpec.defaults().fingerprint() at efa29c5. */
    private static final String SEED_JOB = "window=sliding:10s:5s;outOfOrderness=5s;allowedLateness=0ms;"
            + "types=critical,important;keyField=message;aggregate=count";

    @TempDir
    Path dir;

    private static StreamTask task(JobLauncher launcher, JobSpec spec, byte[][] events) throws Exception {
        return launcher.taskFactory().create(new KafkaJob.Settings(CONNECTION, spec), TaskOptions.replay(),
                new ArraySourceReader(events), r -> { }, null, null, DeadLetterHandler.DISCARD, new JobMetrics());
    }

    private static byte[][] events(String... messages) {
        byte[][] out = new byte[messages.length][];
        for (int i = 0; i < messages.length; i++) {
            out[i] = ("{\"timestamp\":" + (1_700_000_000_000L + i * 1_000) + ",\"message\":\"" + messages[i] + "\"}")
                    .getBytes(StandardCharsets.UTF_8);
        }
        return out;
    }

    private static String fingerprint(JobLauncher launcher, JobSpec spec) throws Exception {
        try (StreamTask task = task(launcher, spec, events())) {
            return KafkaJob.fingerprint(task.fingerprint(), List.of("events"));
        }
    }

    @Test
    void theBuiltInJobKeepsItsFingerprintAndRestoresStateTheReplayPathWrote() throws Exception {
        try (JobLauncher launcher = JobLauncher.open(JobLauncher.Request.builtIn(), SinkRegistry.Opened::none)) {
            assertThat(fingerprint(launcher, JobSpec.defaults())).isEqualTo(SEED_JOB);
            // State as the built-in job has always written it (StreamTask.forSpec: replay, benches, checkpoint
            // inspect) restores into the task the Kafka job runs.
            MemoryState state = new MemoryState();
            try (StreamTask old = StreamTask.forSpec(JobSpec.defaults(), TaskOptions.replay(),
                    new ArraySourceReader(events("critical", "important")), r -> { }, null, DeadLetterHandler.DISCARD,
                    new JobMetrics())) {
                old.snapshotState(state.writer());
            }
            try (StreamTask restored = task(launcher, JobSpec.defaults(), events())) {
                restored.restoreState(state.reader());
                assertThat(restored.fingerprint()).isEqualTo(SEED_JOB);
            }
        }
        assertThat(KafkaJob.fingerprint(SEED_JOB, List.of("a", "b"))).isEqualTo(SEED_JOB + ";sources=a,b");
    }

    @Test
    void aUserAggregateJobIsToldApartByItsClassValueFieldAndTypes() throws Exception {
        String agg = " implements AggregateFunction<Event, double[], Double>, AccumulatorSerializer<double[]> {"
                + " public double[] createAccumulator() { return new double[1]; }"
                + " public double[] add(Event e, double[] a) { a[0] += e.value(); return a; }"
                + " public Double getResult(double[] a) { return a[0]; }"
                + " public double[] merge(double[] a, double[] b) { a[0] += b[0]; return a; }"
                + " public String toText(double[] a) { return Double.toString(a[0]); }"
                + " public double[] fromText(String t) { return new double[] {Double.parseDouble(t)}; } }";
        Path jar = TestJars.compile(dir, "aggs.jar", Map.of(
                "com.example.Sum", HEADER + "public class Sum" + agg,
                "com.example.Total", HEADER + "public class Total" + agg));
        String sum = fingerprintOf(jar, "com.example.Sum", "amount", JobSpec.defaults());
        assertThat(fingerprintOf(jar, "com.example.Sum", "amount", JobSpec.defaults()))
                .as("the same job, launched again").isEqualTo(sum);
        assertThat(sum).contains("com.example.Sum").contains("valueField=amount").contains("types=critical,important")
                .isNotEqualTo(SEED_JOB);
        assertThat(fingerprintOf(jar, "com.example.Total", "amount", JobSpec.defaults())).isNotEqualTo(sum);
        assertThat(fingerprintOf(jar, "com.example.Sum", "price", JobSpec.defaults())).isNotEqualTo(sum);
        assertThat(fingerprintOf(jar, "com.example.Sum", "amount",
                JobSpec.defaults().withTypes(java.util.Set.of("critical")))).isNotEqualTo(sum);
    }

    private static String fingerprintOf(Path jar, String aggregateClass, String valueField, JobSpec spec) throws Exception {
        try (JobLauncher launcher = JobLauncher.open(new JobLauncher.Request(jar, null, aggregateClass, valueField, Map.of()),
                SinkRegistry.Opened::none)) {
            return fingerprint(launcher, spec);
        }
    }

    @Test
    void stateOfAnotherJobIsRefusedByTheTask() throws Exception {
        try (JobLauncher launcher = JobLauncher.open(JobLauncher.Request.builtIn(), SinkRegistry.Opened::none);
             StreamTask seed = task(launcher, JobSpec.defaults(), events());
             StreamTask other = task(launcher, JobSpec.defaults().withAllowedLatenessMs(1_000), events())) {
            MemoryState state = new MemoryState();
            seed.snapshotState(state.writer());
            assertThatThrownBy(() -> other.restoreState(state.reader())).hasMessageContaining(SEED_JOB);
        }
    }
}
