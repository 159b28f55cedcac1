package io.flinklite.app;

import io.flinklite.app.metrics.MetricsConfig;
import io.flinklite.app.metrics.MetricsServer;
import io.flinklite.app.web.WebConsole;
import io.flinklite.connector.kafka.KafkaConnection;
import io.flinklite.connector.kafka.embedded.EmbeddedKafkaBroker;
import io.flinklite.connector.kafka.embedded.SharedKafkaBroker;
import io.flinklite.job.JobSpec;
import io.flinklite.job.JoinSpec;
import io.flinklite.runtime.checkpoint.Delivery;
import io.flinklite.runtime.json.JoinPairJson;
import io.flinklite.runtime.metrics.JobMetrics;
import io.flinklite.runtime.replay.JoinReplay;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;
import org.junit.jupiter.api.extension.RegisterExtension;
import org.junit.jupiter.api.io.TempDir;
import org.yaml.snakeyaml.Yaml;

import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.atomic.AtomicReference;
import java.util.function.Function;

import static io.flinklite.app.KafkaTestSupport.Placed;
import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

/** Jobs reading two topics with one consumer: a union into one window, and a stream-stream join. */
@ExtendWith(SharedKafkaBroker.class)
class MultiTopicKafkaJobIT {

    private final EmbeddedKafkaBroker broker = SharedKafkaBroker.get();
    private final KafkaConnection connection = KafkaTestSupport.connection();
    @RegisterExtension
    final RunningJobs jobs = new RunningJobs();

    private AtomicReference<Throwable> start(KafkaJob job) {
        AtomicReference<Throwable> failure = KafkaTestSupport.startJob(job);
        jobs.add(job);
        return failure;
    }

    private static List<Placed> onPartitions(List<Placed> events, int from, int to) {
        List<Placed> out = new ArrayList<>();
        for (Placed e : events) {
            if (e.partition >= from && e.partition < to) {
                out.add(new Placed(e.partition - from, e.json));
            }
        }
        return out;
    }

    @Test
    void twoTopicsUnionIntoOneWindowWhoseWatermarkIsTheMinimumOfBoth() throws Exception {
        broker.createTopic("union-a", 2);
        broker.createTopic("union-b", 1);
        broker.createTopic("union-out", 1);
        long base = System.currentTimeMillis() - 600_000;
        // One stream over three partitions: 0 and 1 go to topic a, 2 to topic b.
        List<Placed> events = KafkaTestSupport.disorderedEvents(11, 2_000, new int[] {0, 1, 2}, base);
        JobSpec spec = JobSpec.defaults();
        List<String> expected = KafkaTestSupport.replayResults(spec, events);
        assertThat(expected).hasSizeGreaterThan(30);
        List<Placed> a = onPartitions(events, 0, 2);
        List<Placed> b = onPartitions(events, 2, 3);
        KafkaTestSupport.produce(broker.bootstrapServers(), "union-a", a);

        JobMetrics metrics = new JobMetrics();
        KafkaJob job = new KafkaJob(new KafkaJob.Settings(connection, spec).inputTopics(List.of("union-a", "union-b"))
                .outputTopic("union-out").groupId("union").idleTimeoutMs(0), metrics);
        AtomicReference<Throwable> failure = start(job);
        await().atMost(Duration.ofSeconds(60)).until(() -> failure.get() != null || metrics.eventsTotal() == a.size());
        assertThat(failure.get()).isNull();
        // Topic b has delivered nothing: it holds the union's event time back, so no window may fire yet.
        Thread.sleep(1_000);
        assertThat(metrics.windowsFlushed()).as("topic b holds the watermark").isZero();
        assertThat(metrics.watermarkMs()).isEqualTo(Long.MIN_VALUE);

        KafkaTestSupport.produce(broker.bootstrapServers(), "union-b", b);
        await().atMost(Duration.ofSeconds(60)).until(() -> failure.get() != null
                || metrics.windowsFlushed() >= expected.size());
        assertThat(failure.get()).isNull();
        assertThat(metrics.partitions()).extracting(JobMetrics.PartitionStats::topic)
                .containsExactlyInAnyOrder("union-a", "union-a", "union-b");
        job.stop();
        assertThat(job.awaitStopped(30_000)).isTrue();
        assertThat(KafkaTestSupport.values(KafkaTestSupport.readTopic(broker.bootstrapServers(), "union-out",
                expected.size()))).containsExactlyInAnyOrderElementsOf(expected);
        assertThat(metrics.eventsLate()).isZero();
    }

    @Test
    void aJoinOfTwoCoPartitionedTopicsEmitsThePairsTheReplayOfTheSameInputEmits() throws Exception {
        broker.createTopic("orders-in", 2);
        broker.createTopic("payments-in", 2);
        broker.createTopic("pairs-out", 2);
        long base = System.currentTimeMillis() - 600_000;
        // Co-partitioned: a key's events are in the same partition number of both topics.
        List<Placed> orders = coPartitioned(KafkaTestSupport.disorderedEvents(21, 600, new int[] {0}, base));
        List<Placed> payments = coPartitioned(KafkaTestSupport.disorderedEvents(22, 600, new int[] {0}, base));
        JobSpec spec = JobSpec.defaults();
        JoinSpec join = JoinSpec.parse("interval:-500ms:1s");
        List<String> expected = replayPairs(spec, join, orders, payments);
        KafkaTestSupport.produce(broker.bootstrapServers(), "orders-in", orders);
        KafkaTestSupport.produce(broker.bootstrapServers(), "payments-in", payments);

        JobMetrics metrics = new JobMetrics();
        KafkaJob job = new KafkaJob(new KafkaJob.Settings(connection, spec).inputTopic("orders-in")
                .join("payments-in", join).outputTopic("pairs-out").groupId("join").idleTimeoutMs(0), metrics);
        AtomicReference<Throwable> failure = start(job);
        await().atMost(Duration.ofSeconds(60)).until(() -> failure.get() != null
                || metrics.joinPairs() >= expected.size());
        assertThat(failure.get()).isNull();
        job.stop();
        assertThat(job.awaitStopped(30_000)).isTrue();
        assertThat(metrics.joinPairs()).isEqualTo(expected.size());
        assertThat(metrics.joinLate(JobMetrics.LEFT) + metrics.joinLate(JobMetrics.RIGHT)).isZero();
        List<String> got = KafkaTestSupport.values(KafkaTestSupport.readTopic(broker.bootstrapServers(), "pairs-out",
                expected.size()));
        assertThat(got).containsExactlyInAnyOrderElementsOf(expected);
    }

    @Test
    void anExactlyOnceJoinWritesEveryPairOnceAcrossARestart(@TempDir Path dir) throws Exception {
        broker.createTopic("orders-eo", 2);
        broker.createTopic("payments-eo", 2);
        broker.createTopic("pairs-eo", 2);
        long base = System.currentTimeMillis() - 600_000;
        List<Placed> orders = coPartitioned(KafkaTestSupport.disorderedEvents(31, 600, new int[] {0}, base));
        List<Placed> payments = coPartitioned(KafkaTestSupport.disorderedEvents(32, 600, new int[] {0}, base));
        JobSpec spec = JobSpec.defaults();
        JoinSpec join = JoinSpec.parse("interval:-500ms:1s");
        List<String> expected = replayPairs(spec, join, orders, payments);

        // The first halves, a run that stops cleanly (a final checkpoint), the second halves, a run that resumes.
        KafkaTestSupport.produce(broker.bootstrapServers(), "orders-eo", orders.subList(0, 300));
        KafkaTestSupport.produce(broker.bootstrapServers(), "payments-eo", payments.subList(0, 300));
        runUntilRead(spec, join, dir, 600, false);
        KafkaTestSupport.produce(broker.bootstrapServers(), "orders-eo", orders.subList(300, 600));
        KafkaTestSupport.produce(broker.bootstrapServers(), "payments-eo", payments.subList(300, 600));
        runUntilRead(spec, join, dir, 600, true);

        List<String> got = KafkaTestSupport.values(KafkaTestSupport.readTopic(broker.bootstrapServers(), "pairs-eo",
                expected.size(), true));
        assertThat(got).containsExactlyInAnyOrderElementsOf(expected);
    }

    /** The pair lines {@code replay --join-input} gives for the two inputs; enough of them to mean something. */
    private static List<String> replayPairs(JobSpec spec, JoinSpec join, List<Placed> orders, List<Placed> payments)
            throws Exception {
        List<String> expected = new ArrayList<>();
        JoinPairJson json = new JoinPairJson();
        JoinReplay.run(spec, join, bytes(orders), bytes(payments), pair -> expected.add(json.toLine(pair)), null,
                line -> { });
        assertThat(expected).hasSizeGreaterThan(50);
        return expected;
    }

    /**
     * Runs the exactly-once join of orders-eo and payments-eo until it has read {@code events} records, then stops;
     * with {@code restored}, checks that the web API names both topics' partitions, restored and assigned.
     */
    private void runUntilRead(JobSpec spec, JoinSpec join, Path dir, long events, boolean restored) throws Exception {
        JobMetrics metrics = new JobMetrics();
        KafkaJob job = new KafkaJob(new KafkaJob.Settings(connection, spec).inputTopic("orders-eo")
                .join("payments-eo", join).outputTopic("pairs-eo").groupId("join-eo").idleTimeoutMs(0)
                .checkpoints(new CheckpointSettings(dir, 500, Delivery.EXACTLY_ONCE, false, null)), metrics);
        AtomicReference<Throwable> failure = start(job);
        await().atMost(Duration.ofSeconds(60)).until(() -> failure.get() != null || metrics.eventsTotal() >= events);
        assertThat(failure.get()).isNull();
        if (restored) {
            assertWebApiNamesBothTopics(job, metrics);
        }
        job.stop();
        assertThat(job.awaitStopped(30_000)).isTrue();
        assertThat(failure.get()).isNull();
        assertThat(metrics.eventsTotal()).isEqualTo(events);
    }

    /** Partition 0 and 1 of both topics, restored and assigned: keyed by partition alone, two would hide the others. */
    @SuppressWarnings("unchecked")
    private static void assertWebApiNamesBothTopics(KafkaJob job, JobMetrics metrics) throws Exception {
        try (WebConsole console = job.webConsole();
             MetricsServer server = MetricsServer.start(
                     new MetricsConfig("127.0.0.1", 0, Duration.ZERO), metrics, console)) {
            Function<String, Map<String, Object>> api = path -> {
                try {
                    String body = HttpClient.newHttpClient().send(HttpRequest.newBuilder(
                                    URI.create("http://127.0.0.1:" + server.port() + "/api/v1/" + path)).build(),
                            HttpResponse.BodyHandlers.ofString()).body();
                    return new Yaml().load(body);
                } catch (Exception e) {
                    throw new AssertionError(e);
                }
            };
            Map<String, Object> restoredFrom = (Map<String, Object>) api.apply("checkpoints").get("restored");
            assertThat((List<Map<String, Object>>) restoredFrom.get("sources"))
                    .extracting(p -> p.get("topic") + "-" + p.get("partition"))
                    .containsExactly("orders-eo-0", "orders-eo-1", "payments-eo-0", "payments-eo-1");
            // The group's description is cached, and the coordinator may answer before the assignment: ask again.
            await().atMost(Duration.ofSeconds(30)).untilAsserted(() -> {
                List<Map<String, Object>> peers = (List<Map<String, Object>>) api.apply("job").get("peers");
                assertThat(peers).hasSize(1);
                assertThat(peers.get(0)).containsEntry("self", true).containsEntry("topics", List.of(
                        Map.of("topic", "orders-eo", "partitions", List.of(0, 1)),
                        Map.of("topic", "payments-eo", "partitions", List.of(0, 1))));
            });
        }
    }

    /** Each event on the partition of its key (important: 0, critical and normal: 1), the same in both topics. */
    private static List<Placed> coPartitioned(List<Placed> events) {
        List<Placed> out = new ArrayList<>();
        for (Placed e : events) {
            out.add(new Placed(e.text().contains("\"important\"") ? 0 : 1, e.json));
        }
        return out;
    }

    private static byte[][] bytes(List<Placed> events) {
        byte[][] out = new byte[events.size()][];
        for (int i = 0; i < out.length; i++) {
            out[i] = events.get(i).json;
        }
        return out;
    }
}
