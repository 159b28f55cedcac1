package io.flinklite.app;

import io.flinklite.api.Sink;
import io.flinklite.api.WindowResult;
import io.flinklite.connector.kafka.KafkaConnection;
import io.flinklite.connector.kafka.embedded.EmbeddedKafkaBroker;
import io.flinklite.connector.kafka.embedded.SharedKafkaBroker;
import io.flinklite.job.JobSpec;
import io.flinklite.runtime.checkpoint.Delivery;
import io.flinklite.runtime.metrics.JobMetrics;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;
import org.junit.jupiter.api.io.TempDir;

import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
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

    private static EmbeddedKafkaBroker broker;
    private static KafkaConnection connection;
    private final List<KafkaJob> jobs = new ArrayList<>();

    @BeforeAll
    static void connect() {
        broker = SharedKafkaBroker.get();
        connection = KafkaConnection.of(broker.bootstrapServers());
    }

    @AfterEach
    void stopJobs() throws Exception {
        for (KafkaJob job : jobs) {
            job.stop();
            job.awaitStopped(30_000);
        }
    }

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
        broker.createTopic(group + "-in", 3);
        broker.createTopic(group + "-out", 1);
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
            KafkaJob job = new KafkaJob(settings(group, spec, dir).taskFactory(launcher.taskFactory()), metrics);
            jobs.add(job);
            AtomicReference<Throwable> failed = KafkaTestSupport.startJob(job);
            await().atMost(Duration.ofSeconds(90)).until(() -> failed.get() != null
                    || plugin.results.size() >= expected.size() && metrics.lastCheckpointTimeMs() > 0);
            assertThat(failed.get()).isNull();
            job.stop();
            assertThat(job.awaitStopped(30_000)).isTrue();
        }
        assertThat(plugin.results).as("the plug-in sink").containsExactlyInAnyOrderElementsOf(expected);
        assertThat(plugin.flushes.get()).as("flushed before snapshots and commits").isPositive();
        assertThat(KafkaTestSupport.values(KafkaTestSupport.readTopic(broker.bootstrapServers(), group + "-out",
                expected.size()))).as("the output topic").containsExactlyInAnyOrderElementsOf(expected);
    }

    @Test
    void startFromLatestSkipsTheInputsBacklogButKeyedTasksReadTheRepartitionTopicFromItsStart(@TempDir Path dir)
            throws Exception {
        String group = "scale-latest";
        broker.createTopic(group + "-in", 3);
        broker.createTopic(group + "-out", 1);
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
        KafkaJob job = new KafkaJob(settings(group, spec, dir).startFrom(
                io.flinklite.connector.kafka.KafkaSourceReader.StartFrom.LATEST), metrics);
        jobs.add(job);
        AtomicReference<Throwable> failed = KafkaTestSupport.startJob(job);
        // Every task assigned (the input's ends looked up in the callback) before anything new is written.
        await().atMost(Duration.ofSeconds(60)).until(() -> failed.get() != null
                || metrics.tasks() != null && metrics.tasks().ownedTasks() == 6);
        assertThat(failed.get()).isNull();
        KafkaTestSupport.produce(broker.bootstrapServers(), group + "-in", events);
        await().atMost(Duration.ofSeconds(90)).until(() -> failed.get() != null
                || metrics.windowsFlushed() >= expected.size());
        assertThat(failed.get()).isNull();
        job.stop();
        assertThat(job.awaitStopped(30_000)).isTrue();
        assertThat(metrics.eventsTotal()).as("only what was written after the start").isEqualTo(events.size());
        assertThat(KafkaTestSupport.values(KafkaTestSupport.readTopic(broker.bootstrapServers(), group + "-out",
                expected.size()))).containsExactlyInAnyOrderElementsOf(expected);
    }

    private static KafkaJob.Settings settings(String group, JobSpec spec, Path dir) {
        return new KafkaJob.Settings(connection, spec).inputTopic(group + "-in").outputTopic(group + "-out")
                .groupId(group).idleTimeoutMs(0).instanceId("a")
                .checkpoints(new CheckpointSettings(dir, 1_000, Delivery.AT_LEAST_ONCE, false, null, null,
                        CheckpointSettings.Store.DIR, null))
                .scaleOut(new ScaleOut(ScaleOut.SAME_AS_INPUT));
    }
}
