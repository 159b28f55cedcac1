package io.flinklite.app.web;

import com.sun.net.httpserver.HttpExchange;
import com.sun.net.httpserver.HttpHandler;
import io.flinklite.api.WindowResult;
import io.flinklite.runtime.metrics.JobMetrics;
import io.flinklite.source.InvalidReason;

import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Objects;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import java.util.function.LongSupplier;
import java.util.function.Supplier;

/**
 * The web UI at {@code /} and its read-only JSON API under {@code /api/v1/} (see docs/web-ui.md), served by the
 * metrics server on its own address: every other path goes to the next handler (the health probes).
 *
 * <p>Threads: requests are answered on the HTTP server's threads and only read {@link JobMetrics},
 * {@link JobActivity} and the {@link Timeline}; a daemon thread of this console samples the timeline every second.
 * Nothing here touches the task thread. Only GET and HEAD are served: the API changes nothing.
 */
public final class WebConsole implements AutoCloseable {

    /** The API's version, the path segment after {@code /api/}. */
    public static final String API = "/api/v1/";
    /** {@code /api/v1/results} returns this many results when no {@code limit} is given. */
    public static final int DEFAULT_RESULT_LIMIT = 20;
    /** How many samples the rates average over (seconds, at one sample a second). */
    static final int RATE_SAMPLES = 5;

    private static final String[][] ASSETS = {
            {"/", "index.html", "text/html; charset=utf-8"},
            {"/ui/app.js", "app.js", "text/javascript; charset=utf-8"},
            {"/ui/style.css", "style.css", "text/css; charset=utf-8"},
    };

    private final JobMetrics metrics;
    private final JobDescription description;
    private final JobActivity activity;
    private final Supplier<List<Peer>> peers;
    private final LongSupplier clockMs;
    private final Timeline timeline = new Timeline();
    private final Map<String, byte[]> assets;
    private volatile String instance = "this instance";
    private ScheduledExecutorService sampler;

    /**
     * @param peers the consumer group's members (may be slow: it is asked at most once per request of {@code /job},
     *              so it should cache); an empty list when unknown
     */
    public WebConsole(JobMetrics metrics, JobDescription description, JobActivity activity, Supplier<List<Peer>> peers,
                      LongSupplier clockMs) {
        this.metrics = Objects.requireNonNull(metrics, "metrics");
        this.description = Objects.requireNonNull(description, "description");
        this.activity = Objects.requireNonNull(activity, "activity");
        this.peers = Objects.requireNonNull(peers, "peers");
        this.clockMs = clockMs;
        this.assets = new java.util.HashMap<>();
        for (String[] a : ASSETS) {
            assets.put(a[0], load(a[1]));
        }
    }

    /** A console for a job nothing is known about but its metrics. */
    public static WebConsole of(JobMetrics metrics) {
        return new WebConsole(metrics, JobDescription.unknown(), new JobActivity(), List::of, System::currentTimeMillis);
    }

    /** Names this process in the partition table and the API's {@code instance} field, e.g. {@code host:1234}. */
    public void name(String instanceName) {
        this.instance = Objects.requireNonNull(instanceName, "instanceName");
    }

    /** Starts sampling the timeline every second, until {@link #close()}. */
    public synchronized void start() {
        if (sampler == null) {
            sampler = Executors.newSingleThreadScheduledExecutor(r -> {
                Thread t = new Thread(r, "flinklite-web-sampler");
                t.setDaemon(true);
                return t;
            });
            sampler.scheduleAtFixedRate(this::sampleNow, 0, 1, TimeUnit.SECONDS);
        }
    }

    /** Takes one timeline sample now (the sampler's work; tests call it directly). */
    public void sampleNow() {
        timeline.sample(metrics, clockMs.getAsLong());
    }

    @Override
    public synchronized void close() {
        if (sampler != null) {
            sampler.shutdownNow();
            sampler = null;
        }
    }

    /** The handler to install as the metrics server's default: the UI and the API, else {@code next}. */
    public HttpHandler handler(HttpHandler next) {
        return exchange -> {
            String path = exchange.getRequestURI().getPath();
            byte[] asset = assets.get(path);
            if (asset == null && !path.startsWith(API)) {
                next.handle(exchange);
                return;
            }
            try (exchange) {
                exchange.getRequestBody().readAllBytes();
                String method = exchange.getRequestMethod();
                if (!"GET".equals(method) && !"HEAD".equals(method)) {
                    exchange.getResponseHeaders().set("Allow", "GET, HEAD");
                    respond(exchange, 405, "application/json", error("only GET and HEAD are served: the API is read-only"));
                    return;
                }
                if (asset != null) {
                    respond(exchange, 200, contentType(path), asset);
                    return;
                }
                String query = exchange.getRequestURI().getRawQuery();
                String body;
                switch (path.substring(API.length())) {
                    case "job" -> body = job();
                    case "partitions" -> body = partitions();
                    case "checkpoints" -> body = checkpoints();
                    case "results" -> {
                        Integer limit = limit(query);
                        if (limit == null) {
                            respond(exchange, 400, "application/json", error("limit must be a whole number from 1 to "
                                    + JobActivity.RESULT_CAPACITY + ", e.g. /api/v1/results?limit=20"));
                            return;
                        }
                        body = results(limit);
                    }
                    default -> {
                        respond(exchange, 404, "application/json", error("no such endpoint; try " + API + "job, "
                                + API + "partitions, " + API + "checkpoints or " + API + "results?limit=20"));
                        return;
                    }
                }
                respond(exchange, 200, "application/json", body.getBytes(StandardCharsets.UTF_8));
            }
        };
    }

    // ---- the API's answers (docs/web-ui.md documents every field) ----

    /** {@code /api/v1/job}: state, graph with counts and rates, windows, outcomes, dead letters, configuration, peers. */
    String job() {
        long now = clockMs.getAsLong();
        Json j = new Json().beginObject()
                .field("api", "v1")
                .field("nowMs", now)
                .field("name", description.name())
                .field("state", metrics.jobState().name().toLowerCase(Locale.ROOT))
                .field("ready", metrics.ready())
                .field("instance", instance)
                .fieldOrNull("watermarkMs", metrics.watermarkMs(), Long.MIN_VALUE);
        long wm = metrics.watermarkMs();
        j.field("watermarkLagSeconds", wm == Long.MIN_VALUE ? Double.NaN : (now - wm) / 1000.0);
        j.beginArray("graph");
        for (JobDescription.Node n : description.nodes()) {
            j.beginObject().field("id", n.id()).field("kind", n.kind()).field("label", n.label())
                    .field("detail", n.detail());
            j.beginArray("inputs");
            for (String in : n.inputs()) {
                j.value(in);
            }
            j.endArray();
            counter(j, "recordsIn", "inPerSecond", n.in());
            counter(j, "recordsOut", "outPerSecond", n.out());
            j.endObject();
        }
        j.endArray();
        j.beginObject("windows").field("open", metrics.openWindows()).field("openPanes", metrics.openPanes())
                .field("fired", metrics.windowsFlushed()).field("lateFirings", metrics.lateFirings()).endObject();
        j.beginObject("records").field("read", metrics.eventsTotal()).field("accepted", metrics.eventsAccepted())
                .field("filtered", metrics.eventsFiltered()).field("late", metrics.eventsLate())
                .field("invalid", metrics.eventsInvalidTotal())
                .field("resultsWritten", metrics.resultsWritten()).field("sinkErrors", metrics.sinkErrors());
        j.beginObject("invalidByReason");
        for (InvalidReason r : InvalidReason.values()) {
            j.field(r.label(), metrics.eventsInvalid(r));
        }
        j.endObject().endObject();
        j.beginArray("deadLetters");
        for (JobActivity.DeadLetter d : activity.recentDeadLetters()) {
            j.beginObject().field("timeMs", d.timeMs()).field("partition", d.partition()).field("offset", d.offset())
                    .field("reason", d.reason().label()).field("detail", d.detail()).endObject();
        }
        j.endArray();
        j.beginObject("configuration");
        for (Map.Entry<String, String> e : description.configuration().entrySet()) {
            j.field(e.getKey(), e.getValue());
        }
        j.endObject();
        j.beginArray("peers");
        for (Peer p : peerList()) {
            j.beginObject().field("clientId", p.clientId()).field("host", p.host()).field("self", p.self());
            // v1's partitions[] predates several input topics: it keeps meaning the first topic's partitions.
            j.beginArray("partitions");
            for (List<Integer> first : p.partitions().values()) {
                for (int part : first) {
                    j.value(part);
                }
                break;
            }
            j.endArray();
            j.beginArray("topics");
            for (Map.Entry<String, List<Integer>> t : p.partitions().entrySet()) {
                j.beginObject().field("topic", t.getKey()).beginArray("partitions");
                for (int part : t.getValue()) {
                    j.value(part);
                }
                j.endArray().endObject();
            }
            j.endArray().endObject();
        }
        j.endArray();
        return j.endObject().toString();
    }

    private List<Peer> peerList() {
        try {
            return peers.get();
        } catch (RuntimeException e) {
            // The group may be unreachable; the page still shows this instance.
            return List.of();
        }
    }

    private void counter(Json j, String countName, String rateName, Counter c) {
        if (c == null) {
            j.field(countName, (String) null).field(rateName, (String) null);
        } else {
            j.field(countName, c.read(metrics)).field(rateName, timeline.rate(c, RATE_SAMPLES));
        }
    }

    /** {@code /api/v1/partitions}: this instance's partitions and the event-time timeline. */
    String partitions() {
        Json j = new Json().beginObject().field("api", "v1").field("nowMs", clockMs.getAsLong())
                .field("instance", instance)
                .fieldOrNull("watermarkMs", metrics.watermarkMs(), Long.MIN_VALUE);
        j.beginArray("partitions");
        for (JobMetrics.PartitionStats p : metrics.partitions()) {
            j.beginObject().field("topic", p.topic()).field("partition", p.partition()).field("owner", instance)
                    .fieldOrNull("nextOffset", p.nextOffset(), -1).fieldOrNull("lag", p.lag(), -1)
                    .fieldOrNull("watermarkMs", p.watermarkMs(), Long.MIN_VALUE).field("idle", p.idle()).endObject();
        }
        j.endArray();
        j.beginObject("timeline").field("intervalMs", 1000).field("capacity", Timeline.CAPACITY);
        j.beginArray("samples");
        for (Timeline.Sample s : timeline.samples()) {
            j.beginObject().field("timeMs", s.timeMs()).fieldOrNull("watermarkMs", s.watermarkMs(), Long.MIN_VALUE)
                    .field("read", s.counters()[Counter.READ.ordinal()]);
            // v1's partitions (partition -> watermark) predates several input topics: it keeps meaning the first
            // topic's, so that no key repeats; topicPartitions keys every partition as Kafka prints it.
            j.beginObject("partitions");
            for (int i = 0; i < s.partitions().length; i++) {
                if (s.topics()[i].equals(s.topics()[0])) {
                    j.fieldOrNull(Integer.toString(s.partitions()[i]), s.partitionWatermarks()[i], Long.MIN_VALUE);
                }
            }
            j.endObject();
            j.beginObject("topicPartitions");
            for (int i = 0; i < s.partitions().length; i++) {
                j.fieldOrNull(s.topics()[i] + "-" + s.partitions()[i], s.partitionWatermarks()[i], Long.MIN_VALUE);
            }
            j.endObject().endObject();
        }
        j.endArray().endObject();
        return j.endObject().toString();
    }

    /** {@code /api/v1/checkpoints}: counts, the restored checkpoint and the recent history, newest first. */
    String checkpoints() {
        Json j = new Json().beginObject().field("api", "v1")
                .field("completed", metrics.checkpointsCompleted()).field("failed", metrics.checkpointFailures())
                .fieldOrNull("lastId", metrics.lastCheckpointId(), 0)
                .fieldOrNull("lastTimeMs", metrics.lastCheckpointTimeMs(), 0);
        JobActivity.Restored r = activity.restored();
        if (r == null) {
            j.field("restored", (String) null);
        } else {
            j.beginObject("restored").field("id", r.id()).field("timeMs", r.timeMs())
                    .fieldOrNull("watermarkMs", r.watermarkMs(), Long.MIN_VALUE);
            // v1's positions (partition -> offset) predates several input topics: it keeps meaning the first
            // topic's; sources[] names the topic of every position.
            j.beginObject("positions");
            String first = r.positions().isEmpty() ? null : r.positions().get(0).topic();
            for (JobActivity.Position p : r.positions()) {
                if (p.topic().equals(first)) {
                    j.field(Integer.toString(p.partition()), p.nextOffset());
                }
            }
            j.endObject();
            j.beginArray("sources");
            for (JobActivity.Position p : r.positions()) {
                j.beginObject().field("topic", p.topic()).field("partition", p.partition())
                        .field("nextOffset", p.nextOffset()).endObject();
            }
            j.endArray().endObject();
        }
        j.beginArray("history");
        for (JobActivity.CheckpointEvent c : activity.checkpointHistory()) {
            j.beginObject().field("outcome", c.completed() ? "completed" : "failed").field("timeMs", c.timeMs());
            if (c.completed()) {
                j.field("id", c.id()).field("durationMs", c.durationNanos() / 1e6).field("sizeBytes", c.sizeBytes());
            }
            j.endObject();
        }
        j.endArray();
        return j.endObject().toString();
    }

    /** {@code /api/v1/results}: the most recent window results, newest first. */
    String results(int limit) {
        Json j = new Json().beginObject().field("api", "v1").field("limit", limit)
                .field("written", metrics.resultsWritten()).field("capacity", JobActivity.RESULT_CAPACITY);
        j.beginArray("results");
        for (JobActivity.RecentResult rr : activity.recentResults(limit)) {
            WindowResult r = rr.result();
            j.beginObject().field("key", r.key()).field("windowStart", r.windowStart()).field("windowEnd", r.windowEnd())
                    .field("count", r.count());
            if (r.hasValue()) {
                j.field("value", r.value());
            }
            j.field("firedMs", rr.firedMs()).endObject();
        }
        j.endArray();
        return j.endObject().toString();
    }

    /** The {@code limit} parameter, {@link #DEFAULT_RESULT_LIMIT} when absent; null when it is not valid. */
    static Integer limit(String rawQuery) {
        if (rawQuery == null || rawQuery.isEmpty()) {
            return DEFAULT_RESULT_LIMIT;
        }
        Integer limit = DEFAULT_RESULT_LIMIT;
        for (String pair : rawQuery.split("&")) {
            if (pair.startsWith("limit=")) {
                String v = pair.substring("limit=".length());
                try {
                    int n = Integer.parseInt(v);
                    limit = n >= 1 && n <= JobActivity.RESULT_CAPACITY ? n : null;
                } catch (NumberFormatException e) {
                    limit = null;
                }
            }
        }
        return limit;
    }

    private static byte[] error(String message) {
        return new Json().beginObject().field("error", message).endObject().toString().getBytes(StandardCharsets.UTF_8);
    }

    private static String contentType(String path) {
        for (String[] a : ASSETS) {
            if (a[0].equals(path)) {
                return a[2];
            }
        }
        return "application/octet-stream";
    }

    private static void respond(HttpExchange exchange, int status, String type, byte[] body) throws IOException {
        exchange.getResponseHeaders().set("Content-Type", type);
        // Live data: a browser or proxy must never show a stale answer.
        exchange.getResponseHeaders().set("Cache-Control", "no-store");
        exchange.getResponseHeaders().set("X-Content-Type-Options", "nosniff");
        boolean head = "HEAD".equals(exchange.getRequestMethod());
        exchange.sendResponseHeaders(status, head ? -1 : body.length);
        if (!head) {
            try (OutputStream out = exchange.getResponseBody()) {
                out.write(body);
            }
        }
    }

    private static byte[] load(String name) {
        try (InputStream in = WebConsole.class.getResourceAsStream(name)) {
            if (in == null) {
                throw new IllegalStateException("web UI file " + name + " is missing from the jar");
            }
            return in.readAllBytes();
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }
}
