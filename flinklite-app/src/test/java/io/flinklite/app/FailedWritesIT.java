package io.flinklite.app;

import io.flinklite.connector.kafka.embedded.SharedKafkaBroker;
import io.flinklite.connector.kafka.KafkaConnection;
import io.flinklite.connector.kafka.KafkaConnectorException;
import io.flinklite.connector.kafka.KafkaOutput;
import io.flinklite.connector.kafka.embedded.EmbeddedKafkaBroker;
import io.flinklite.job.JobSpec;
import io.flinklite.runtime.checkpoint.CheckpointCoordinator;
import io.flinklite.runtime.checkpoint.Delivery;
import io.flinklite.runtime.metrics.JobMetrics;
import org.apache.kafka.clients.admin.AlterConfigOp;
import org.apache.kafka.clients.admin.ConfigEntry;
import org.apache.kafka.clients.consumer.ConsumerConfig;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.apache.kafka.common.config.ConfigResource;
import org.apache.kafka.common.config.TopicConfig;
import org.apache.kafka.common.serialization.ByteArrayDeserializer;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;
import org.junit.jupiter.api.io.TempDir;

import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Properties;
import java.util.Random;
import java.util.Set;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicReference;

import static io.flinklite.app.KafkaTestSupport.Placed;
import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

/**
 * Writes Kafka refuses, on a real broker, checked with Kafka's own clients: the job stops at the first, nothing it did
 * not acknowledge is counted as written, no offset passes it (a restart once the limit is raised writes every result
 * replay computes), and records that can never be written are dead-lettered truncated only when asked.
 */
@ExtendWith(SharedKafkaBroker.class)
class FailedWritesIT {

    /** Over the 220-byte limit of the tests' output topics: results of this key are about 270 bytes, others 160. */
    private static final String LONG_KEY = "a-key-long-enough-that-its-window-results-exceed-the-topic-limit";

    private final EmbeddedKafkaBroker broker = SharedKafkaBroker.get();
    private final KafkaConnection connection = KafkaTestSupport.connection();

    @TempDir
    Path dir;

    @Test
    void atLeastOnceStopsAtAResultTheTopicRefusesAndARestartWritesEveryResult() throws Exception {
        stopsAtARefusedResultAndResumesWithoutLoss("alo", Delivery.AT_LEAST_ONCE);
    }

    @Test
    void exactlyOnceStopsAtAResultTheTopicRefusesAndARestartCommitsEveryResultOnce() throws Exception {
        stopsAtARefusedResultAndResumesWithoutLoss("eo", Delivery.EXACTLY_ONCE);
    }

    private void stopsAtARefusedResultAndResumesWithoutLoss(String name, Delivery delivery) throws Exception {
        broker.createTopic(name + "-in", 3);
        broker.createTopic(name + "-out", 1, Map.of(TopicConfig.MAX_MESSAGE_BYTES_CONFIG, "220"));
        List<Placed> events = events(11, 3_000);
        // The closing "normal" events only move event time on; their own windows never close.
        JobSpec spec = JobSpec.defaults().withTypes(Set.of("critical", LONG_KEY));
        List<String> expected = KafkaTestSupport.replayResults(spec, events);
        assertThat(expected).anyMatch(r -> r.contains(LONG_KEY)).anyMatch(r -> r.contains("\"critical\""));
        KafkaTestSupport.produce(broker.bootstrapServers(), name + "-in", events);
        KafkaJob.Settings settings = new KafkaJob.Settings(connection, spec).inputTopic(name + "-in")
                .outputTopic(name + "-out").groupId(name).idleTimeoutMs(0)
                .checkpoints(new CheckpointSettings(dir, 300, delivery, false, null));

        JobMetrics first = new JobMetrics();
        Throwable failure = runUntilFailure(new KafkaJob(settings, first));
        String message = failure.getMessage();
        assertThat(failure).isInstanceOfAny(KafkaConnectorException.class, CheckpointCoordinator.CheckpointFailedException.class);
        assertThat(message).contains("topic '" + name + "-out'").contains("max.message.bytes of 220")
                .contains("never be written").doesNotContain("\n");
        assertThat(first.outputRecordsTooLarge()).isPositive();

        List<String> written = read(name + "-out", delivery == Delivery.EXACTLY_ONCE);
        assertThat(written).noneMatch(r -> r.contains(LONG_KEY));
        // Counted as written: only what Kafka holds (and acknowledged).
        assertThat(first.resultsWritten()).isLessThanOrEqualTo(written.size());
        assertThat(expected).containsAll(written);

        // The operator raises the limit; the job resumes from its last checkpoint: every result reaches the topic.
        broker.admin().incrementalAlterConfigs(Map.of(new ConfigResource(ConfigResource.Type.TOPIC, name + "-out"),
                List.of(new AlterConfigOp(new ConfigEntry(TopicConfig.MAX_MESSAGE_BYTES_CONFIG, "1048588"),
                        AlterConfigOp.OpType.SET)))).all().get(30, TimeUnit.SECONDS);
        JobMetrics second = new JobMetrics();
        KafkaJob job = new KafkaJob(settings, second);
        AtomicReference<Throwable> secondFailure = start(job);
        Set<String> want = new HashSet<>(expected);
        List<String> all = new ArrayList<>();
        await().atMost(Duration.ofSeconds(90)).pollInterval(Duration.ofSeconds(1)).until(() -> {
            assertThat(secondFailure.get()).isNull();
            all.clear();
            all.addAll(read(name + "-out", delivery == Delivery.EXACTLY_ONCE));
            return new HashSet<>(all).containsAll(want);
        });
        job.stop();
        assertThat(job.awaitStopped(30_000)).isTrue();
        assertThat(secondFailure.get()).isNull();
        List<String> finalOutput = read(name + "-out", delivery == Delivery.EXACTLY_ONCE);
        if (delivery == Delivery.EXACTLY_ONCE) {
            assertThat(finalOutput).containsExactlyInAnyOrderElementsOf(expected);
        } else {
            // At-least-once: whole duplicates at most, nothing missing, nothing else.
            assertThat(new HashSet<>(finalOutput)).isEqualTo(want);
        }
        assertThat(second.outputWriteFailures()).isZero();
    }

    @Test
    void aDeadLetterOverMaxRequestSizeStopsTheJobUnlessAskedToWriteItTruncated() throws Exception {
        broker.createTopic("dl-in", 1);
        broker.createTopic("dl-dead", 1);
        byte[] huge = new byte[100_000];
        Arrays.fill(huge, (byte) 'x');
        List<Placed> events = new ArrayList<>(events(12, 200));
        events.add(100, new Placed(0, huge));
        List<Placed> onePartition = new ArrayList<>();
        for (Placed p : events) {
            onePartition.add(new Placed(0, p.json));
        }
        KafkaTestSupport.produce(broker.bootstrapServers(), "dl-in", onePartition);
        KafkaConnection small = new KafkaConnection(broker.bootstrapServers(), Map.of("max.request.size", "65536"), 30_000);
        JobSpec spec = JobSpec.defaults().withTypes(null);

        JobMetrics stopped = new JobMetrics();
        Throwable failure = runUntilFailure(new KafkaJob(new KafkaJob.Settings(small, spec).inputTopic("dl-in")
                .outputTopic(null).deadLetterTopic("dl-dead").groupId("dl-stop").idleTimeoutMs(0)
                .checkpoints(new CheckpointSettings(dir.resolve("stop"), 300, Delivery.AT_LEAST_ONCE, false, null)), stopped));
        assertThat(failure).isInstanceOf(KafkaConnectorException.class);
        assertThat(failure.getMessage()).contains("topic 'dl-dead'").contains("max.request.size of 65536")
                .contains("--too-large-to-dead-letter");
        assertThat(stopped.outputRecordsTooLarge()).isEqualTo(1);
        assertThat(read("dl-dead", false)).isEmpty();

        JobMetrics truncating = new JobMetrics();
        KafkaJob job = new KafkaJob(new KafkaJob.Settings(small, spec).inputTopic("dl-in").outputTopic(null)
                .deadLetterTopic("dl-dead").tooLargeToDeadLetter(true).groupId("dl-truncate").idleTimeoutMs(0)
                .checkpoints(new CheckpointSettings(dir.resolve("truncate"), 300, Delivery.AT_LEAST_ONCE, false, null)),
                truncating);
        AtomicReference<Throwable> jobFailure = start(job);
        await().atMost(Duration.ofSeconds(60)).until(() -> jobFailure.get() != null
                || truncating.eventsTotal() == onePartition.size() && truncating.checkpointsCompleted() > 1);
        job.stop();
        assertThat(job.awaitStopped(30_000)).isTrue();
        assertThat(jobFailure.get()).isNull();
        List<ConsumerRecord<byte[], byte[]>> dead = KafkaTestSupport.readTopic(broker.bootstrapServers(), "dl-dead", 1);
        assertThat(dead).hasSize(1);
        ConsumerRecord<byte[], byte[]> r = dead.get(0);
        assertThat(r.value()).hasSize(KafkaOutput.TRUNCATED_BYTES).containsOnly((byte) 'x');
        assertThat(KafkaTestSupport.header(r, KafkaOutput.HEADER_REASON)).isEqualTo(KafkaOutput.REASON_TOO_LARGE);
        assertThat(KafkaTestSupport.header(r, KafkaOutput.HEADER_ORIGINAL_REASON)).isEqualTo("not_json");
        assertThat(KafkaTestSupport.header(r, KafkaOutput.HEADER_TARGET)).isEqualTo("dl-dead");
        assertThat(KafkaTestSupport.header(r, KafkaOutput.HEADER_ERROR)).contains("max.request.size of 65536");
        assertThat(KafkaTestSupport.header(r, KafkaOutput.HEADER_OFFSET)).isEqualTo("100");
        assertThat(truncating.outputRecordsTooLarge()).isEqualTo(1);
        assertThat(truncating.outputWriteFailures()).isZero();
    }

    /** {@code n} events of {@code critical} and {@link #LONG_KEY} over three partitions, then closing events. */
    private static List<Placed> events(long seed, int n) {
        Random random = new Random(seed);
        long base = System.currentTimeMillis() - 600_000;
        List<Placed> out = new ArrayList<>();
        for (int i = 0; i < n; i++) {
            long ts = base + i * 50L + random.nextInt(4_000);
            out.add(new Placed(random.nextInt(3), KafkaTestSupport.event(i + 1, ts,
                    random.nextBoolean() ? "critical" : LONG_KEY)));
        }
        for (int p = 0; p < 3; p++) {
            out.add(new Placed(p, KafkaTestSupport.event(n + 1 + p, base + n * 50L + 70_000, "normal")));
        }
        return out;
    }

    private static Throwable runUntilFailure(KafkaJob job) throws Exception {
        AtomicReference<Throwable> failure = start(job);
        await().atMost(Duration.ofSeconds(60)).until(() -> failure.get() != null);
        assertThat(job.awaitStopped(30_000)).isTrue();
        assertThat(job.metrics().jobState()).isEqualTo(JobMetrics.JobState.FAILED);
        return failure.get();
    }

    private static AtomicReference<Throwable> start(KafkaJob job) {
        return KafkaTestSupport.startJob(job);
    }


    /**
     * Every value in {@code topic} up to its end when called, with a plain consumer ({@code read_committed} when
     * asked): read until every partition's position reached the end offset taken at the start.
     */
    private List<String> read(String topic, boolean readCommitted) {
        Properties p = new Properties();
        p.put("bootstrap.servers", broker.bootstrapServers());
        p.put(ConsumerConfig.ISOLATION_LEVEL_CONFIG, readCommitted ? "read_committed" : "read_uncommitted");
        p.put(ConsumerConfig.AUTO_OFFSET_RESET_CONFIG, "earliest");
        List<String> out = new ArrayList<>();
        try (KafkaConsumer<byte[], byte[]> c = new KafkaConsumer<>(p, new ByteArrayDeserializer(), new ByteArrayDeserializer())) {
            List<org.apache.kafka.common.TopicPartition> parts = new ArrayList<>();
            c.partitionsFor(topic, Duration.ofSeconds(10))
                    .forEach(i -> parts.add(new org.apache.kafka.common.TopicPartition(topic, i.partition())));
            c.assign(parts);
            Map<org.apache.kafka.common.TopicPartition, Long> ends = c.endOffsets(parts, Duration.ofSeconds(10));
            long deadline = System.currentTimeMillis() + 20_000;
            while (System.currentTimeMillis() < deadline) {
                boolean done = true;
                for (org.apache.kafka.common.TopicPartition tp : parts) {
                    done &= c.position(tp, Duration.ofSeconds(10)) >= ends.get(tp);
                }
                if (done) {
                    return out;
                }
                for (ConsumerRecord<byte[], byte[]> r : c.poll(Duration.ofMillis(200))) {
                    out.add(new String(r.value(), StandardCharsets.UTF_8));
                }
            }
            throw new AssertionError("could not read " + topic + " to its end " + ends + " within 20 s");
        }
    }
}
