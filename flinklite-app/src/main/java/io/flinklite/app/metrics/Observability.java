package io.flinklite.app.metrics;

import io.flinklite.runtime.metrics.JobMetrics;

import java.io.PrintStream;

/**
 * Everything a command starts so a job can be watched: the {@link MetricsServer} and the {@link StatusLine}. The
 * one call {@code run} and {@code demo} make; close it when the job ends.
 *
 * <pre>{@code
 * try (Observability obs = Observability.start(metricsOptions.config(), jobMetrics, System.err)) {
 *     kafkaJob.run(); // the runner moves jobMetrics' JobState, the task publishes the rest
 * }
 * }</pre>
 */
public final class Observability implements AutoCloseable {

    private final MetricsServer server;
    private final StatusLine statusLine;

    private Observability(MetricsServer server, StatusLine statusLine) {
        this.server = server;
        this.statusLine = statusLine;
    }

    /**
     * Starts the metrics server on {@code config}'s address and, unless disabled, the status line on {@code out}.
     *
     * @throws IllegalArgumentException when the metrics address cannot be bound
     */
    public static Observability start(MetricsConfig config, JobMetrics metrics, PrintStream out) {
        MetricsServer server = MetricsServer.start(config, metrics);
        StatusLine statusLine = StatusLine.start(config.statusInterval(), metrics, out);
        return new Observability(server, statusLine);
    }

    public MetricsServer server() {
        return server;
    }

    /** Where to point a browser or Prometheus: {@code localhost} stands for a wildcard bind address. */
    public String metricsUrl() {
        String host = server.host();
        if ("0.0.0.0".equals(host) || "::".equals(host)) {
            host = "localhost";
        } else if (host.indexOf(':') >= 0) {
            host = "[" + host + "]";
        }
        return "http://" + host + ":" + server.port() + "/metrics";
    }

    @Override
    public void close() {
        statusLine.close();
        server.close();
    }
}
