package io.flinklite.app;

import io.flinklite.api.Sink;
import io.flinklite.api.WindowResult;
import io.flinklite.connector.kafka.KafkaConnection;
import io.flinklite.connector.kafka.embedded.EmbeddedKafkaBroker;
import io.flinklite.connector.kafka.embedded.SharedKafkaBroker;
import io.flinklite.job.JobSpec;
import io.flinklite.runtime.checkpoint.Delivery;
import io.flinklite.runtime.metrics.JobMetrics;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;
import org.junit.jupiter.api.extension.RegisterExtension;
import org.junit.jupiter.api.io.TempDir;

import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Collections;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicReference;

import static io.flinklite.app.KafkaTestSupport.Placed;
import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

/**
 * Options {@code --scale-out} used to refuse, through Kafka: each run's results equal the fused replay of the same
 * events, whatever the input's partitioning (every key on every partition).
 */
@ExtendWith(SharedKafkaBroker.class)
class ScaleOutOptionsIT {

    private final EmbeddedKafkaBroker broker = SharedKafkaBroker.get();
    private final KafkaConnection connection = KafkaTestSupport.connection();
    @RegisterExtension
    final RunningJobs jobs = new RunningJobs();

    /** A plug-in result sink (as JDBC or Cassandra are) that records what it is given and how often it is flushed. */
    static final class RecordingSink implements Sink<WindowResult> {
        final List<String> results = Collections.synchronizedList(new ArrayList<>());
        final AtomicInteger flushes = new AtomicInteger();

        @Override
        public void write(WindowResult r) {
            results.add(r.toJson());
        }

        @Override
        public void flush() {
            flushes.incrementAndGet();
        }
    }

    @Test
    void pluginResultSinksGetTheKeyedTasksResultsEqualToTheFusedReplay(@TempDir Path dir) throws Exception {
        String group = "scale-plugin";
        topics(group);
        List<Placed> events = KafkaTestSupport.disorderedEvents(21, 3_000, new int[] {0, 1, 2},
                System.currentTimeMillis() - 600_000);
        JobSpec spec = JobSpec.defaults();
        List<String> expected = KafkaTestSupport.replayResults(spec, events);
        assertThat(expected).hasSizeGreaterThan(50);
        KafkaTestSupport.produce(broker.bootstrapServers(), group + "-in", events);

        RecordingSink plugin = new RecordingSink();
        JobMetrics metrics = new JobMetrics();
        try (JobLauncher launcher = JobLauncher.open(JobLauncher.Request.builtIn(), () -> {
            SinkRegistry.Opened opened = SinkRegistry.Opened.none();
            opened.add("memory", plugin);
            return opened;
        })) {
            Running job = new Running(settings(group, spec, dir).taskFactory(launcher.taskFactory()), metrics);
            job.await(Duration.ofSeconds(90), () -> plugin.results.size() >= expected.size()
                    && metrics.lastCheckpointTimeMs() > 0);
            // Two more checkpoints: the second purges what the first no longer needs.
            long checkpoints = metrics.checkpointsCompleted();
            job.await(Duration.ofSeconds(30), () -> metrics.checkpointsCompleted() >= checkpoints + 2);
            job.stop();
        }
        assertThat(plugin.results).as("the plug-in sink").containsExactlyInAnyOrderElementsOf(expected);
        assertThat(plugin.flushes.get()).as("flushed before snapshots and commits").isPositive();
        // The repartition topic was purged up to what the keyed tasks' snapshots no longer need (deleteRecords).
        Map<org.apache.kafka.common.TopicPartition, org.apache.kafka.clients.admin.OffsetSpec> earliest = new HashMap<>();
        for (int p = 0; p < 3; p++) {
            earliest.put(new org.apache.kafka.common.TopicPartition(group + "-repartition", p),
                    org.apache.kafka.clients.admin.OffsetSpec.earliest());
        }
        await().atMost(Duration.ofSeconds(10)).untilAsserted(() -> assertThat(broker.admin().listOffsets(earliest).all()
                .get().values()).as("the repartition topic's first offsets").allMatch(o -> o.offset() > 0));
        assertThat(KafkaTestSupport.values(KafkaTestSupport.readTopic(broker.bootstrapServers(), group + "-out",
                expected.size()))).as("the output topic").containsExactlyInAnyOrderElementsOf(expected);
    }

    @Test
    void startFromLatestSkipsTheInputsBacklogButKeyedTasksReadTheRepartitionTopicFromItsStart(@TempDir Path dir)
            throws Exception {
        String group = "scale-latest";
        topics(group);
        long base = System.currentTimeMillis() - 600_000;
        // Written before the job starts: never read. Same keys and times as what follows, so reading any of it would
        // change the counts.
        KafkaTestSupport.produce(broker.bootstrapServers(), group + "-in",
                KafkaTestSupport.disorderedEventsWithoutEnd(5, 1_500, new int[] {0, 1, 2}, base));
        List<Placed> events = KafkaTestSupport.disorderedEvents(22, 3_000, new int[] {0, 1, 2}, base);
        JobSpec spec = JobSpec.defaults();
        List<String> expected = KafkaTestSupport.replayResults(spec, events);
        assertThat(expected).hasSizeGreaterThan(50);

        JobMetrics metrics = new JobMetrics();
        Running job = new Running(settings(group, spec, dir).startFrom(
                io.flinklite.connector.kafka.KafkaSourceReader.StartFrom.LATEST), metrics);
        // Every task assigned (the input's ends looked up in the callback) before anything new is written.
        job.await(Duration.ofSeconds(60), () -> metrics.tasks() != null && metrics.tasks().ownedTasks() == 6);
        KafkaTestSupport.produce(broker.bootstrapServers(), group + "-in", events);
        job.await(Duration.ofSeconds(90), () -> metrics.windowsFlushed() >= expected.size());
        job.stop();
        assertThat(metrics.eventsTotal()).as("only what was written after the start").isEqualTo(events.size());
        assertThat(KafkaTestSupport.values(KafkaTestSupport.readTopic(broker.bootstrapServers(), group + "-out",
                expected.size()))).containsExactlyInAnyOrderElementsOf(expected);
    }

    @Test
    void anAggregateClassScalesOutWithResultsEqualToTheFusedJob(@TempDir Path dir) throws Exception {
        String group = "scale-aggregate";
        topics(group);
        // A sum of whole numbers: exact whatever the order partials are merged in.
        Path jar = io.flinklite.app.userjar.TestJars.compile(dir, "aggs.jar", java.util.Map.of("com.example.Sum",
                "package com.example; import io.flinklite.api.*; public class Sum implements"
                        + " AggregateFunction<Event, double[], Double>, AccumulatorSerializer<double[]> {"
                        + " public double[] createAccumulator() { return new double[1]; }"
                        + " public double[] add(Event e, double[] a) { a[0] += e.value(); return a; }"
                        + " public Double getResult(double[] a) { return a[0]; }"
                        + " public double[] merge(double[] a, double[] b) { a[0] += b[0]; return a; }"
                        + " public String toText(double[] a) { return Double.toString(a[0]); }"
                        + " public double[] fromText(String t) { return new double[] {Double.parseDouble(t)}; } }"));
        List<Placed> events = new ArrayList<>();
        int n = 0;
        for (Placed e : KafkaTestSupport.disorderedEvents(23, 3_000, new int[] {0, 1, 2},
                System.currentTimeMillis() - 600_000)) {
            String text = new String(e.json, java.nio.charset.StandardCharsets.UTF_8);
            events.add(new Placed(e.partition, (text.substring(0, text.length() - 1) + ",\"amount\":" + (n++ % 7)
                    + "}").getBytes(java.nio.charset.StandardCharsets.UTF_8)));
        }
        JobSpec spec = JobSpec.defaults();
        KafkaTestSupport.produce(broker.bootstrapServers(), group + "-in", events);

        JobMetrics metrics = new JobMetrics();
        List<String> expected = new ArrayList<>();
        try (JobLauncher launcher = JobLauncher.open(new JobLauncher.Request(jar, null, "com.example.Sum", "amount",
                java.util.Map.of()), SinkRegistry.Opened::none)) {
            // The fused job (what one instance without --scale-out computes), in process over the same events.
            byte[][] input = new byte[events.size()][];
            for (int i = 0; i < input.length; i++) {
                input[i] = events.get(i).json;
            }
            try (io.flinklite.runtime.task.StreamTask fused = launcher.taskFactory().create(
                    new KafkaJob.Settings(connection, spec), io.flinklite.runtime.task.TaskOptions.replay(),
                    new io.flinklite.runtime.replay.ArraySourceReader(input), r -> expected.add(r.toJson()), null, null,
                    io.flinklite.source.DeadLetterHandler.DISCARD, new JobMetrics())) {
                fused.run();
            }
            assertThat(expected).hasSizeGreaterThan(50).anyMatch(r -> r.contains("\"value\":"));

            runUntilWindows(settings(group, spec, dir).taskFactory(launcher.taskFactory()), metrics, expected.size());
        }
        assertThat(metrics.tasks().rebalances()).isPositive();
        assertThat(KafkaTestSupport.values(KafkaTestSupport.readTopic(broker.bootstrapServers(), group + "-out",
                expected.size()))).containsExactlyInAnyOrderElementsOf(expected);
    }

    @Test
    void severalInputTopicsAreOneUnionWhoseWindowsEqualTheReplayOfAllTheirEvents(@TempDir Path dir) throws Exception {
        String group = "scale-union";
        broker.createTopic(group + "-a", 3);
        broker.createTopic(group + "-b", 2);
        broker.createTopic(group + "-out", 1);
        long base = System.currentTimeMillis() - 600_000;
        int n = 2_000;
        List<Placed> a = KafkaTestSupport.disorderedEventsWithoutEnd(31, n, new int[] {0, 1, 2}, base);
        List<Placed> b = KafkaTestSupport.disorderedEventsWithoutEnd(32, n, new int[] {0, 1}, base);
        // Interleaved, the union's disorder stays within the out-of-orderness: the replay of it drops nothing late.
        List<Placed> union = new ArrayList<>();
        for (int i = 0; i < n; i++) {
            union.add(a.get(i));
            union.add(b.get(i));
        }
        long end = base + n * 50L + 70_000;
        List<Placed> closeA = List.of(new Placed(0, KafkaTestSupport.event(900_000, end, "normal")),
                new Placed(1, KafkaTestSupport.event(900_001, end, "normal")),
                new Placed(2, KafkaTestSupport.event(900_002, end, "normal")));
        List<Placed> closeB = List.of(new Placed(0, KafkaTestSupport.event(900_003, end, "normal")),
                new Placed(1, KafkaTestSupport.event(900_004, end, "normal")));
        union.addAll(closeA);
        union.addAll(closeB);
        JobSpec spec = JobSpec.defaults();
        List<String> expected = KafkaTestSupport.replayResults(spec, union);
        assertThat(expected).hasSizeGreaterThan(40);
        List<Placed> toA = new ArrayList<>(a);
        toA.addAll(closeA);
        List<Placed> toB = new ArrayList<>(b);
        toB.addAll(closeB);
        KafkaTestSupport.produce(broker.bootstrapServers(), group + "-a", toA);
        KafkaTestSupport.produce(broker.bootstrapServers(), group + "-b", toB);

        JobMetrics metrics = new JobMetrics();
        runUntilWindows(settings(group, spec, dir).inputTopics(List.of(group + "-a", group + "-b")), metrics,
                expected.size());
        assertThat(metrics.eventsLate()).isZero();
        assertThat(connection.partitionCount(group + "-repartition")).as("as many as the largest input").isEqualTo(3);
        assertThat(KafkaTestSupport.values(KafkaTestSupport.readTopic(broker.bootstrapServers(), group + "-out",
                expected.size()))).containsExactlyInAnyOrderElementsOf(expected);
    }

    /** The group's input (3 partitions) and output (1) topics. */
    private void topics(String group) {
        broker.createTopic(group + "-in", 3);
        broker.createTopic(group + "-out", 1);
    }

    /** Runs one instance until it flushed {@code windows} windows, then stops it cleanly. */
    private void runUntilWindows(KafkaJob.Settings settings, JobMetrics metrics, int windows) throws Exception {
        Running job = new Running(settings, metrics);
        job.await(Duration.ofSeconds(90), () -> metrics.windowsFlushed() >= windows);
        job.stop();
    }

    /** One instance running on its own thread, stopped after the test whatever its outcome. */
    private final class Running {
        private final KafkaJob job;
        private final AtomicReference<Throwable> failed;

        Running(KafkaJob.Settings settings, JobMetrics metrics) {
            job = new KafkaJob(settings, metrics);
            jobs.add(job);
            failed = KafkaTestSupport.startJob(job);
        }

        /** Waits until {@code done} holds; fails at once, with the job's failure, when the job fails first. */
        void await(Duration atMost, java.util.concurrent.Callable<Boolean> done) {
            org.awaitility.Awaitility.await().atMost(atMost).until(() -> failed.get() != null || done.call());
            assertThat(failed.get()).isNull();
        }

        /** Stops the job cleanly: its final checkpoint taken, within 30 s. */
        void stop() throws InterruptedException {
            job.stop();
            assertThat(job.awaitStopped(30_000)).isTrue();
        }
    }

    private KafkaJob.Settings settings(String group, JobSpec spec, Path dir) {
        return new KafkaJob.Settings(connection, spec).inputTopic(group + "-in").outputTopic(group + "-out")
                .groupId(group).idleTimeoutMs(0).instanceId("a")
                .checkpoints(new CheckpointSettings(dir, 1_000, Delivery.AT_LEAST_ONCE, false, null, null,
                        CheckpointSettings.Store.DIR, null))
                .scaleOut(new ScaleOut(ScaleOut.SAME_AS_INPUT));
    }
}
