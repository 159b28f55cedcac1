package io.flinklite.app;

import io.flinklite.connector.kafka.embedded.SharedKafkaBroker;
import io.flinklite.connector.kafka.KafkaConnection;
import io.flinklite.connector.kafka.KafkaOutput;
import io.flinklite.connector.kafka.Simulator;
import io.flinklite.connector.kafka.TrafficGenerator;
import io.flinklite.connector.kafka.embedded.EmbeddedKafkaBroker;
import io.flinklite.job.JobSpec;
import io.flinklite.runtime.metrics.JobMetrics;
import io.flinklite.source.InvalidReason;
import org.apache.kafka.clients.admin.ListOffsetsResult;
import org.apache.kafka.clients.admin.OffsetSpec;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.consumer.OffsetAndMetadata;
import org.apache.kafka.common.TopicPartition;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;
import org.junit.jupiter.api.extension.RegisterExtension;

import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicReference;

import static io.flinklite.app.KafkaTestSupport.Placed;
import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

/** The built-in job on a real broker: exact results, idle partitions, dead letters, committed offsets. */
@ExtendWith(SharedKafkaBroker.class)
class KafkaJobIT {

    private final EmbeddedKafkaBroker broker = SharedKafkaBroker.get();
    private final KafkaConnection connection = KafkaTestSupport.connection();
    @RegisterExtension
    final RunningJobs jobs = new RunningJobs();

    /**
     * Starts {@code job} on its own thread and waits up to 60 s for {@code done}; fails at once when the job fails,
     * and on timeout with what the job's metrics say, to show where it got stuck.
     */
    private void startAndAwait(KafkaJob job, JobMetrics metrics, java.util.concurrent.Callable<Boolean> done) {
        AtomicReference<Throwable> failure = start(job);
        try {
            await().atMost(Duration.ofSeconds(60)).until(() -> failure.get() != null || done.call());
            assertThat(failure.get()).isNull();
        } catch (org.awaitility.core.ConditionTimeoutException e) {
            StringBuilder partitions = new StringBuilder();
            for (JobMetrics.PartitionStats p : metrics.partitions()) {
                partitions.append(' ').append(p.partition()).append(":wm=").append(p.watermarkMs())
                        .append(",lag=").append(p.lag()).append(",idle=").append(p.idle());
            }
            throw new AssertionError("timed out: read " + metrics.eventsTotal() + ", accepted " + metrics.eventsAccepted()
                    + ", late " + metrics.eventsLate() + ", invalid " + metrics.eventsInvalidTotal() + ", firings "
                    + metrics.windowsFlushed() + ", watermark " + metrics.watermarkMs() + ", partitions" + partitions, e);
        }
    }

    private static void stopCleanly(KafkaJob job) throws InterruptedException {
        job.stop();
        assertThat(job.awaitStopped(30_000)).isTrue();
    }

    /** Starts {@code job} on its own thread; its failure, if any, ends up in the returned reference. */
    private AtomicReference<Throwable> start(KafkaJob job) {
        AtomicReference<Throwable> failure = KafkaTestSupport.startJob(job);
        jobs.add(job);
        return failure;
    }

    @Test
    void disorderedEventsAcrossThreePartitionsGiveExactlyTheReplayResults() throws Exception {
        broker.createTopic("exact-in", 3);
        broker.createTopic("exact-out", 2);
        long base = System.currentTimeMillis() - 600_000;
        List<Placed> events = KafkaTestSupport.disorderedEvents(1, 3_000, new int[] {0, 1, 2}, base);
        JobSpec spec = JobSpec.defaults();
        List<String> expected = KafkaTestSupport.replayResults(spec, events);
        assertThat(expected).hasSizeGreaterThan(50);
        KafkaTestSupport.produce(broker.bootstrapServers(), "exact-in", events);

        JobMetrics metrics = new JobMetrics();
        KafkaJob job = new KafkaJob(new KafkaJob.Settings(connection, spec).inputTopic("exact-in")
                .outputTopic("exact-out").groupId("exact"), metrics);
        startAndAwait(job, metrics, () -> metrics.eventsTotal() == events.size());
        // Consumer lag per partition reaches the metrics: nothing left to read on any of the three.
        await().atMost(Duration.ofSeconds(30)).untilAsserted(() -> assertThat(metrics.partitions())
                .extracting(JobMetrics.PartitionStats::lag).containsExactly(0L, 0L, 0L));
        assertThat(metrics.partitions()).extracting(JobMetrics.PartitionStats::topic).containsOnly("exact-in");
        stopCleanly(job);

        List<ConsumerRecord<byte[], byte[]>> out = KafkaTestSupport.readTopic(broker.bootstrapServers(), "exact-out", expected.size());
        assertThat(KafkaTestSupport.values(out)).containsExactlyInAnyOrderElementsOf(expected);
        for (ConsumerRecord<byte[], byte[]> r : out) {
            // Keyed by the window key.
            assertThat(new String(r.value(), StandardCharsets.UTF_8))
                    .startsWith("{\"key\":\"" + new String(r.key(), StandardCharsets.UTF_8) + "\"");
        }
        assertThat(metrics.eventsLate()).isZero();
        assertThat(metrics.eventsInvalidTotal()).isZero();
        assertThat(metrics.windowsFlushed()).isEqualTo(expected.size());

        // A clean stop committed everything read: a restart would not read it again.
        Map<TopicPartition, OffsetAndMetadata> committed = broker.admin().listConsumerGroupOffsets("exact")
                .partitionsToOffsetAndMetadata().get(30, TimeUnit.SECONDS);
        Map<TopicPartition, OffsetSpec> latest = new HashMap<>();
        for (int p = 0; p < 3; p++) {
            latest.put(new TopicPartition("exact-in", p), OffsetSpec.latest());
        }
        Map<TopicPartition, ListOffsetsResult.ListOffsetsResultInfo> ends = broker.admin().listOffsets(latest).all()
                .get(30, TimeUnit.SECONDS);
        for (Map.Entry<TopicPartition, ListOffsetsResult.ListOffsetsResultInfo> e : ends.entrySet()) {
            assertThat(committed.get(e.getKey()).offset()).as("committed offset of %s", e.getKey())
                    .isEqualTo(e.getValue().offset());
        }
    }

    // The idle timeouts below are a few seconds, not one: a partition whose first fetch is slower than the timeout (a
    // loaded machine) counts as idle until its first record, and the other partitions' watermark may run ahead of it.

    @Test
    void oneIdlePartitionDoesNotStopTheWindowsWithInputFromKcat() throws Exception {
        broker.createTopic("idle-in", 3);
        broker.createTopic("idle-out", 1);
        long base = System.currentTimeMillis() - 600_000;
        // Partition 2 never gets a record.
        List<Placed> events = KafkaTestSupport.disorderedEvents(2, 1_000, new int[] {0, 1}, base);
        JobSpec spec = JobSpec.defaults();
        List<String> expected = KafkaTestSupport.replayResults(spec, events);
        for (int p = 0; p < 2; p++) {
            kcatProduce("idle-in", p, events, p);
        }
        JobMetrics metrics = new JobMetrics();
        KafkaJob job = new KafkaJob(new KafkaJob.Settings(connection, spec).inputTopic("idle-in")
                .outputTopic("idle-out").groupId("idle").idleTimeoutMs(3_000), metrics);
        startAndAwait(job, metrics, () -> metrics.windowsFlushed() >= expected.size());
        stopCleanly(job);
        assertThat(KafkaTestSupport.values(KafkaTestSupport.readTopic(broker.bootstrapServers(), "idle-out", expected.size())))
                .containsExactlyInAnyOrderElementsOf(expected);
        JobMetrics.PartitionStats[] partitions = metrics.partitions();
        assertThat(partitions).extracting(JobMetrics.PartitionStats::partition).containsExactlyInAnyOrder(0, 1, 2);
    }

    @Test
    void withWallClockIdlenessTheLastWindowsCloseWhenTrafficStops() throws Exception {
        broker.createTopic("quiet-in", 2);
        broker.createTopic("quiet-out", 1);
        // 20 s of recent traffic, then silence: no later event will ever push the watermark past the last windows.
        long base = System.currentTimeMillis() - 60_000;
        List<Placed> events = KafkaTestSupport.disorderedEventsWithoutEnd(4, 400, new int[] {0, 1}, base);
        JobSpec spec = JobSpec.defaults();
        // Replay fires every window at the end of its input: what the wall clock must achieve here.
        List<String> expected = KafkaTestSupport.replayResults(spec, events);
        KafkaTestSupport.produce(broker.bootstrapServers(), "quiet-in", events);
        JobMetrics metrics = new JobMetrics();
        KafkaJob job = new KafkaJob(new KafkaJob.Settings(connection, spec).inputTopic("quiet-in")
                .outputTopic("quiet-out").groupId("quiet").idleTimeoutMs(3_000).wallClockWhenIdle(true), metrics);
        startAndAwait(job, metrics, () -> metrics.windowsFlushed() >= expected.size());
        stopCleanly(job);
        assertThat(KafkaTestSupport.values(KafkaTestSupport.readTopic(broker.bootstrapServers(), "quiet-out", expected.size())))
                .containsExactlyInAnyOrderElementsOf(expected);
    }

    /** Feeds the events of {@code partition} to the broker with Debian's kcat, an independent Kafka client. */
    private void kcatProduce(String topic, int partition, List<Placed> events, int only) throws Exception {
        StringBuilder lines = new StringBuilder();
        for (Placed e : events) {
            if (e.partition == only) {
                lines.append(e.text()).append('\n');
            }
        }
        Process kcat = new ProcessBuilder("kcat", "-P", "-b", broker.bootstrapServers(), "-t", topic, "-p",
                Integer.toString(partition)).redirectErrorStream(true).start();
        kcat.getOutputStream().write(lines.toString().getBytes(StandardCharsets.UTF_8));
        kcat.getOutputStream().close();
        assertThat(kcat.waitFor(60, TimeUnit.SECONDS)).isTrue();
        assertThat(kcat.exitValue()).as(new String(kcat.getInputStream().readAllBytes(), StandardCharsets.UTF_8)).isZero();
    }

    @Test
    void invalidRecordsLandInTheDeadLetterTopicWithTheirReasonAndCountsMatch() throws Exception {
        broker.createTopic("bad-in", 3);
        broker.createTopic("bad-out", 1);
        broker.createTopic("bad-dlq", 1);
        long now = System.currentTimeMillis();
        TrafficGenerator generator = new TrafficGenerator(9, TrafficGenerator.Disorder.NONE, 0,
                List.of("important", "normal", "critical"), new double[] {1, 1, 1}, 0.3, TrafficGenerator.InvalidKind.values());
        // Count what the generator makes, with a twin generator of the same seed.
        TrafficGenerator twin = new TrafficGenerator(9, TrafficGenerator.Disorder.NONE, 0,
                List.of("important", "normal", "critical"), new double[] {1, 1, 1}, 0.3, TrafficGenerator.InvalidKind.values());
        Map<String, Integer> expectedByReason = new HashMap<>();
        TrafficGenerator.Generated g = new TrafficGenerator.Generated();
        int records = 600;
        for (int i = 0; i < records; i++) {
            twin.next(now, g);
            if (g.invalidKind() != null) {
                expectedByReason.merge(g.invalidKind().label(), 1, Integer::sum);
            }
        }
        assertThat(expectedByReason).hasSize(TrafficGenerator.InvalidKind.values().length);
        int invalid = expectedByReason.values().stream().mapToInt(Integer::intValue).sum();
        try (Simulator sim = new Simulator(connection, "bad-in", true, generator, () -> now)) {
            assertThat(sim.run(records, 0, null, 0).acknowledged()).isEqualTo(records);
        }

        JobMetrics metrics = new JobMetrics();
        KafkaJob job = new KafkaJob(new KafkaJob.Settings(connection, JobSpec.defaults()).inputTopic("bad-in")
                .outputTopic("bad-out").deadLetterTopic("bad-dlq").groupId("bad"), metrics);
        startAndAwait(job, metrics, () -> metrics.eventsTotal() == records);
        stopCleanly(job);

        List<ConsumerRecord<byte[], byte[]>> dead = KafkaTestSupport.readTopic(broker.bootstrapServers(), "bad-dlq", invalid);
        Map<String, Integer> byReason = new HashMap<>();
        for (ConsumerRecord<byte[], byte[]> r : dead) {
            byReason.merge(KafkaTestSupport.header(r, KafkaOutput.HEADER_REASON), 1, Integer::sum);
            assertThat(KafkaTestSupport.header(r, KafkaOutput.HEADER_TOPIC)).isEqualTo("bad-in");
        }
        assertThat(byReason).isEqualTo(expectedByReason);
        Map<String, Integer> counted = new HashMap<>();
        for (InvalidReason reason : InvalidReason.values()) {
            if (metrics.eventsInvalid(reason) > 0) {
                counted.put(reason.label(), (int) metrics.eventsInvalid(reason));
            }
        }
        assertThat(counted).isEqualTo(expectedByReason);

        // Forwarded unchanged: each dead letter is byte for byte the record at its source partition and offset.
        Map<String, byte[]> source = new HashMap<>();
        for (ConsumerRecord<byte[], byte[]> r : KafkaTestSupport.readTopic(broker.bootstrapServers(), "bad-in", records)) {
            source.put(r.partition() + "@" + r.offset(), r.value());
        }
        for (ConsumerRecord<byte[], byte[]> r : dead) {
            String origin = KafkaTestSupport.header(r, KafkaOutput.HEADER_PARTITION) + "@"
                    + KafkaTestSupport.header(r, KafkaOutput.HEADER_OFFSET);
            assertThat(r.value()).as(origin).isEqualTo(source.get(origin));
        }
    }
}
