package io.flinklite.app.metrics;

import com.sun.net.httpserver.HttpExchange;
import com.sun.net.httpserver.HttpHandler;
import io.flinklite.runtime.metrics.JobMetrics;
import io.flinklite.runtime.metrics.JobMetrics.JobState;

import java.io.IOException;
import java.io.OutputStream;
import java.nio.charset.StandardCharsets;
import java.util.Locale;

/**
 * Serves the paths of the metrics server that neither {@code /metrics} nor the web console answers: the liveness and
 * readiness probes.
 * Runs on the HTTP server's threads and only reads {@link JobMetrics}.
 *
 * <ul>
 *   <li>{@code /health/live}: 200 while the process serves and the job has not failed; 503 once it has (a
 *       supervisor should restart it).</li>
 *   <li>{@code /health/ready}: 200 while the job runs and its source has input partitions assigned; 503 before
 *       that, after it ends, and while a rebalance has taken every partition away.</li>
 *   <li>anything else is 404.</li>
 * </ul>
 */
final class HealthHandler implements HttpHandler {

    static final String LIVE_PATH = "/health/live";
    static final String READY_PATH = "/health/ready";

    private final JobMetrics metrics;

    HealthHandler(JobMetrics metrics) {
        this.metrics = metrics;
    }

    @Override
    public void handle(HttpExchange exchange) throws IOException {
        try (exchange) {
            exchange.getRequestBody().readAllBytes();
            String method = exchange.getRequestMethod();
            if (!"GET".equals(method) && !"HEAD".equals(method)) {
                respond(exchange, 405, "only GET and HEAD are served\n");
                return;
            }
            switch (exchange.getRequestURI().getPath()) {
                case LIVE_PATH -> live(exchange);
                case READY_PATH -> ready(exchange);
                default -> respond(exchange, 404, "not found; try / (the web UI), /metrics, " + LIVE_PATH + " or "
                        + READY_PATH + "\n");
            }
        }
    }

    private void live(HttpExchange exchange) throws IOException {
        if (metrics.jobState() == JobState.FAILED) {
            respond(exchange, 503, "job failed\n");
        } else {
            respond(exchange, 200, "live\n");
        }
    }

    private void ready(HttpExchange exchange) throws IOException {
        if (metrics.ready()) {
            respond(exchange, 200, "ready\n");
        } else {
            long unreachableSince = metrics.kafkaUnreachableSinceMs();
            respond(exchange, 503, "not ready: job " + metrics.jobState().name().toLowerCase(Locale.ROOT)
                    + ", source " + (metrics.sourceAssigned() ? "assigned" : "has no partitions assigned")
                    + (unreachableSince == 0 ? "" : ", Kafka unreachable for "
                    + Math.max(0, (System.currentTimeMillis() - unreachableSince) / 1_000) + " s") + "\n");
        }
    }

    private static void respond(HttpExchange exchange, int status, String body) throws IOException {
        byte[] bytes = body.getBytes(StandardCharsets.UTF_8);
        exchange.getResponseHeaders().set("Content-Type", "text/plain; charset=utf-8");
        boolean head = "HEAD".equals(exchange.getRequestMethod());
        exchange.sendResponseHeaders(status, head ? -1 : bytes.length);
        if (!head) {
            try (OutputStream out = exchange.getResponseBody()) {
                out.write(bytes);
            }
        }
    }
}
