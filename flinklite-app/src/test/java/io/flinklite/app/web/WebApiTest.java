package io.flinklite.app.web;

import io.flinklite.api.WindowResult;
import io.flinklite.app.metrics.MetricsConfig;
import io.flinklite.app.metrics.MetricsServer;
import io.flinklite.runtime.metrics.JobMetrics.JobState;
import io.flinklite.runtime.metrics.JobMetrics.PartitionStats;
import io.flinklite.runtime.metrics.JobMetrics;
import io.flinklite.source.InvalidReason;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.yaml.snakeyaml.Yaml;

import java.io.IOException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.concurrent.atomic.AtomicLong;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * The REST API behind the web UI, on a real metrics server: every endpoint for a job that has read nothing, then for
 * one with partitions, checkpoints, results and dead letters; its limits, errors and read-only answers; no secret.
 */
class WebApiTest {

    private static final long NOW_MS = 1_800_000_000_000L;
    private static final HttpClient CLIENT = HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(5)).build();

    private final JobMetrics metrics = new JobMetrics();
    private final AtomicLong clockMs = new AtomicLong(NOW_MS);
    private final JobActivity activity = new JobActivity(clockMs::get);
    private WebConsole console;
    private MetricsServer server;

    private void start(JobDescription description, List<Peer> peers) {
        metrics.setCheckpointListener(activity.checkpointListener());
        console = new WebConsole(metrics, description, activity, () -> peers, clockMs::get);
        server = MetricsServer.start(new MetricsConfig("127.0.0.1", 0, Duration.ZERO), metrics, console);
        // No sampler thread: the test takes the timeline's samples itself, at its own clock.
        console.name("host-a:" + server.port());
    }

    @AfterEach
    void stop() {
        if (server != null) {
            server.close();
            console.close();
        }
    }

    private static JobDescription chain() {
        return new JobDescription.Builder("window=tumbling:10s")
                .node("source", "source", "Kafka source", "topic in", List.of(), null, Counter.READ)
                .node("decode", "operator", "decode", "JSON", List.of("source"), Counter.READ, Counter.VALID)
                .node("window", "operator", "window", "tumbling:10s", List.of("decode"), Counter.SELECTED, Counter.FIRED)
                .node("results", "sink", "results", "topic out", List.of("window"), Counter.FIRED, Counter.WRITTEN)
                .setting("input-topic", "in")
                .possiblySecret("kafka-property sasl.jaas.config", "org.Plain required username=\"u\" password=\"hunter2\";")
                .possiblySecret("kafka-property ssl.truststore.password", "hunter2")
                .possiblySecret("kafka-property security.protocol", "SASL_SSL")
                .build();
    }

    @Test
    void everyEndpointAnswersForAJobThatHasReadNothing() {
        start(chain(), List.of());

        Map<String, Object> job = json("/api/v1/job");
        assertThat(job).containsEntry("api", "v1").containsEntry("state", "starting").containsEntry("ready", false)
                .containsEntry("watermarkMs", null).containsEntry("watermarkLagSeconds", null)
                .containsEntry("deadLetters", List.of()).containsEntry("peers", List.of());
        List<Map<String, Object>> graph = list(job.get("graph"));
        assertThat(graph).extracting(n -> n.get("id")).containsExactly("source", "decode", "window", "results");
        assertThat(graph.get(0)).containsEntry("recordsIn", null).containsEntry("recordsOut", 0)
                .containsEntry("outPerSecond", 0.0);
        assertThat(map(job.get("windows"))).containsEntry("open", 0).containsEntry("fired", 0);
        assertThat(map(map(job.get("records")).get("invalidByReason"))).hasSize(InvalidReason.values().length)
                .containsEntry("not_json", 0);

        Map<String, Object> partitions = json("/api/v1/partitions");
        assertThat(partitions).containsEntry("partitions", List.of()).containsEntry("watermarkMs", null);
        assertThat(map(partitions.get("timeline"))).containsEntry("capacity", Timeline.CAPACITY);

        Map<String, Object> checkpoints = json("/api/v1/checkpoints");
        assertThat(checkpoints).containsEntry("completed", 0).containsEntry("failed", 0).containsEntry("lastId", null)
                .containsEntry("restored", null).containsEntry("history", List.of());

        Map<String, Object> results = json("/api/v1/results");
        assertThat(results).containsEntry("limit", WebConsole.DEFAULT_RESULT_LIMIT).containsEntry("results", List.of())
                .containsEntry("written", 0);
    }

    @Test
    void aRunningJobShowsItsPartitionsTimelineRatesCheckpointsResultsAndDeadLetters() {
        start(chain(), List.of(new Peer("flinklite-source", "10.0.0.7", Map.of("in", List.of(2)), false),
                new Peer("flinklite-source", "10.0.0.5", Map.of("in", List.of(0, 1)), true)));
        metrics.setJobState(JobState.RUNNING);
        metrics.setSourceAssigned(true);
        console.sampleNow();
        clockMs.addAndGet(1_000);
        metrics.addEventsTotal(1_000);
        metrics.addInvalid(InvalidReason.NOT_JSON, 3);
        metrics.addAccepted(900);
        metrics.addLate(7);
        metrics.addFiltered(90);
        metrics.setWatermarkMs(NOW_MS - 6_000);
        metrics.setPartitions(new PartitionStats[] {
                new PartitionStats("in", 0, NOW_MS - 6_000, 12, false, 501),
                new PartitionStats("in", 1, Long.MIN_VALUE, -1, true, -1)});
        console.sampleNow();
        metrics.checkpointCompleted(4, NOW_MS - 500, 2_500_000, 8_192);
        metrics.checkpointFailed();
        metrics.checkpointCompleted(5, NOW_MS, 1_000_000, 9_000);
        activity.restoredFrom(new JobActivity.Restored(3, NOW_MS - 60_000, NOW_MS - 70_000,
                List.of(new JobActivity.Position("in", 0, 400), new JobActivity.Position("in", 1, 17))));
        for (int i = 0; i < JobActivity.RESULT_CAPACITY + 5; i++) {
            activity.recordResult(WindowResult.ofCount("k\"" + i, i * 10_000L, i * 10_000L + 10_000, i));
        }
        for (int i = 0; i < JobActivity.DEAD_LETTER_CAPACITY + 2; i++) {
            activity.recordDeadLetter(0, 100 + i, InvalidReason.NOT_JSON, "not JSON: <script>" + i);
        }

        Map<String, Object> job = json("/api/v1/job");
        assertThat(job).containsEntry("state", "running").containsEntry("ready", true)
                .containsEntry("watermarkMs", NOW_MS - 6_000).containsEntry("watermarkLagSeconds", 7.0);
        Map<String, Object> decode = list(job.get("graph")).get(1);
        assertThat(decode).containsEntry("recordsIn", 1_000).containsEntry("recordsOut", 997)
                .containsEntry("inPerSecond", 1_000.0).containsEntry("outPerSecond", 997.0);
        assertThat(list(job.get("graph")).get(2)).containsEntry("recordsIn", 907);
        List<Map<String, Object>> letters = list(job.get("deadLetters"));
        assertThat(letters).hasSize(JobActivity.DEAD_LETTER_CAPACITY);
        assertThat(letters.get(0)).containsEntry("offset", 100 + JobActivity.DEAD_LETTER_CAPACITY + 1)
                .containsEntry("reason", "not_json").containsEntry("detail", "not JSON: <script>11");
        assertThat(list(job.get("peers"))).extracting(p -> p.get("host"), p -> p.get("self"))
                .containsExactly(org.assertj.core.groups.Tuple.tuple("10.0.0.7", false),
                        org.assertj.core.groups.Tuple.tuple("10.0.0.5", true));

        Map<String, Object> partitions = json("/api/v1/partitions");
        List<Map<String, Object>> rows = list(partitions.get("partitions"));
        assertThat(rows.get(0)).containsEntry("partition", 0).containsEntry("nextOffset", 501).containsEntry("lag", 12)
                .containsEntry("watermarkMs", NOW_MS - 6_000).containsEntry("idle", false)
                .containsEntry("owner", "host-a:" + server.port());
        assertThat(rows.get(1)).containsEntry("nextOffset", null).containsEntry("lag", null)
                .containsEntry("watermarkMs", null).containsEntry("idle", true);
        List<Map<String, Object>> samples = list(map(partitions.get("timeline")).get("samples"));
        assertThat(samples).hasSize(2);
        assertThat(samples.get(1)).containsEntry("timeMs", NOW_MS + 1_000).containsEntry("read", 1_000);
        assertThat(map(samples.get(1).get("partitions"))).containsEntry("0", NOW_MS - 6_000).containsEntry("1", null);
        assertThat(map(samples.get(1).get("topicPartitions"))).containsEntry("in-0", NOW_MS - 6_000)
                .containsEntry("in-1", null);

        Map<String, Object> checkpoints = json("/api/v1/checkpoints");
        assertThat(checkpoints).containsEntry("completed", 2).containsEntry("failed", 1).containsEntry("lastId", 5);
        List<Map<String, Object>> history = list(checkpoints.get("history"));
        assertThat(history).extracting(h -> h.get("outcome")).containsExactly("completed", "failed", "completed");
        assertThat(history.get(0)).containsEntry("id", 5).containsEntry("durationMs", 1.0).containsEntry("sizeBytes", 9_000);
        assertThat(map(checkpoints.get("restored"))).containsEntry("id", 3)
                .containsEntry("positions", Map.of("0", 400, "1", 17));

        Map<String, Object> results = json("/api/v1/results?limit=3");
        assertThat(list(results.get("results"))).extracting(r -> r.get("key")).containsExactly("k\"104", "k\"103", "k\"102");
        assertThat(list(json("/api/v1/results?limit=" + JobActivity.RESULT_CAPACITY).get("results")))
                .hasSize(JobActivity.RESULT_CAPACITY);
    }

    @Test
    void withSeveralInputTopicsPeersAndRestoredPositionsNameTheTopicOfEveryPartition() {
        // Partition 0 of both topics: keyed by partition alone, one would hide the other.
        Map<String, List<Integer>> assigned = new java.util.LinkedHashMap<>();
        assigned.put("orders", List.of(0, 1));
        assigned.put("payments", List.of(0));
        Map<String, List<Integer>> other = new java.util.LinkedHashMap<>();
        other.put("orders", List.of());
        other.put("payments", List.of(1));
        start(chain(), List.of(new Peer("flinklite-source", "10.0.0.5", assigned, true),
                new Peer("flinklite-source", "10.0.0.7", other, false)));
        activity.restoredFrom(new JobActivity.Restored(9, NOW_MS - 1_000, NOW_MS - 2_000, List.of(
                new JobActivity.Position("orders", 0, 40), new JobActivity.Position("orders", 1, 41),
                new JobActivity.Position("payments", 0, 7), new JobActivity.Position("payments", 1, 8))));

        List<Map<String, Object>> peers = list(json("/api/v1/job").get("peers"));
        assertThat(list(peers.get(0).get("topics"))).containsExactly(
                Map.of("topic", "orders", "partitions", List.of(0, 1)), Map.of("topic", "payments", "partitions", List.of(0)));
        assertThat(peers.get(0)).as("v1's partitions[]: the first topic's").containsEntry("partitions", List.of(0, 1));
        assertThat(list(peers.get(1).get("topics"))).containsExactly(
                Map.of("topic", "orders", "partitions", List.of()), Map.of("topic", "payments", "partitions", List.of(1)));

        metrics.setPartitions(new PartitionStats[] {
                new PartitionStats("orders", 0, NOW_MS - 5_000, 0, false, 40),
                new PartitionStats("payments", 0, NOW_MS - 9_000, 0, false, 7)});
        console.sampleNow();
        Map<String, Object> sample = list(map(json("/api/v1/partitions").get("timeline")).get("samples")).get(0);
        assertThat(map(sample.get("topicPartitions"))).containsExactly(Map.entry("orders-0", NOW_MS - 5_000),
                Map.entry("payments-0", NOW_MS - 9_000));
        assertThat(map(sample.get("partitions"))).as("v1's partitions: the first topic's, no key twice")
                .containsExactly(Map.entry("0", NOW_MS - 5_000));

        Map<String, Object> restored = map(json("/api/v1/checkpoints").get("restored"));
        assertThat(list(restored.get("sources"))).containsExactly(
                Map.of("topic", "orders", "partition", 0, "nextOffset", 40),
                Map.of("topic", "orders", "partition", 1, "nextOffset", 41),
                Map.of("topic", "payments", "partition", 0, "nextOffset", 7),
                Map.of("topic", "payments", "partition", 1, "nextOffset", 8));
        assertThat(restored).as("v1's positions: the first topic's")
                .containsEntry("positions", Map.of("0", 40, "1", 41));
    }

    @Test
    void badLimitsUnknownEndpointsAndWritesGetOneLineErrors() throws Exception {
        start(chain(), List.of());
        for (String bad : new String[] {"0", "-1", "abc", String.valueOf(JobActivity.RESULT_CAPACITY + 1), ""}) {
            HttpResponse<String> r = get("/api/v1/results?limit=" + bad);
            assertThat(r.statusCode()).as("limit=%s", bad).isEqualTo(400);
            assertThat(r.body()).contains("limit must be a whole number").doesNotContain("\n");
        }
        assertThat(get("/api/v1/nothing").statusCode()).isEqualTo(404);
        assertThat(get("/api/v2/job").statusCode()).isEqualTo(404);
        HttpResponse<String> post = CLIENT.send(HttpRequest.newBuilder(uri("/api/v1/job"))
                .POST(HttpRequest.BodyPublishers.ofString("{}")).build(), HttpResponse.BodyHandlers.ofString());
        assertThat(post.statusCode()).isEqualTo(405);
        assertThat(post.headers().firstValue("Allow")).contains("GET, HEAD");
        assertThat(get("/metrics").statusCode()).isEqualTo(200);
        assertThat(get("/health/live").statusCode()).isEqualTo(200);
    }

    @Test
    void theUiIsServedFromTheJarAndNeedsNothingElse() throws Exception {
        start(chain(), List.of());
        HttpResponse<String> index = get("/");
        assertThat(index.statusCode()).isEqualTo(200);
        assertThat(index.headers().firstValue("Content-Type")).hasValueSatisfying(t -> assertThat(t).startsWith("text/html"));
        assertThat(index.body()).contains("/ui/app.js", "/ui/style.css").doesNotContain("http://", "https://");
        for (String asset : new String[] {"/ui/app.js", "/ui/style.css"}) {
            HttpResponse<String> r = get(asset);
            assertThat(r.statusCode()).isEqualTo(200);
            assertThat(r.body()).as(asset).doesNotContain("https://", "cdn");
        }
    }

    @Test
    void noSecretIsRendered() throws Exception {
        start(chain(), List.of());
        String body = get("/api/v1/job").body();
        assertThat(body).doesNotContain("hunter2").contains(JobDescription.MASK).contains("SASL_SSL");
        assertThat(JobDescription.isSecret("ssl.key.password")).isTrue();
        assertThat(JobDescription.isSecret("basic.auth.user.info")).isTrue();
        assertThat(JobDescription.isSecret("sasl.oauthbearer.client.credentials.client.secret")).isTrue();
        assertThat(JobDescription.isSecret("security.protocol")).isFalse();
        assertThat(JobDescription.isSecret("acks")).isFalse();
    }

    @Test
    void limitParsing() {
        assertThat(WebConsole.limit(null)).isEqualTo(WebConsole.DEFAULT_RESULT_LIMIT);
        assertThat(WebConsole.limit("limit=7")).isEqualTo(7);
        assertThat(WebConsole.limit("x=1&limit=9")).isEqualTo(9);
        assertThat(WebConsole.limit("limit=7x")).isNull();
    }

    private URI uri(String path) {
        return URI.create("http://127.0.0.1:" + server.port() + path);
    }

    private HttpResponse<String> get(String path) throws IOException, InterruptedException {
        return CLIENT.send(HttpRequest.newBuilder(uri(path)).timeout(Duration.ofSeconds(10)).GET().build(),
                HttpResponse.BodyHandlers.ofString());
    }

    /** GETs {@code path} and parses its JSON (JSON is YAML); fails unless it answers 200 with application/json. */
    private Map<String, Object> json(String path) {
        try {
            HttpResponse<String> r = get(path);
            assertThat(r.statusCode()).as(path + " answered " + r.body()).isEqualTo(200);
            assertThat(r.headers().firstValue("Content-Type")).contains("application/json");
            assertThat(r.headers().firstValue("Cache-Control")).contains("no-store");
            return new Yaml().load(r.body());
        } catch (IOException e) {
            throw new java.io.UncheckedIOException(e);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IllegalStateException(e);
        }
    }

    @SuppressWarnings("unchecked")
    private static Map<String, Object> map(Object o) {
        return (Map<String, Object>) o;
    }

    @SuppressWarnings("unchecked")
    private static List<Map<String, Object>> list(Object o) {
        return (List<Map<String, Object>>) o;
    }
}
