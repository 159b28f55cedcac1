package io.flinklite.app.metrics;

import io.flinklite.app.web.WebConsole;
import io.flinklite.runtime.metrics.JobMetrics;
import io.prometheus.metrics.exporter.httpserver.HTTPServer;
import io.prometheus.metrics.instrumentation.jvm.JvmMetrics;
import io.prometheus.metrics.model.registry.PrometheusRegistry;

import java.io.IOException;
import java.nio.channels.UnresolvedAddressException;
import java.util.function.LongSupplier;

/**
 * The HTTP endpoint Prometheus scrapes: {@code /metrics} (the job's {@link JobMetrics} and the JVM's metrics, in
 * Prometheus text or OpenMetrics format as the scraper asks), {@code /health/live} and {@code /health/ready}, and
 * the {@link WebConsole}: the web UI at {@code /} and its JSON API under {@code /api/v1/}, on the same address.
 *
 * <p>Built on client_java's {@link HTTPServer}, which serves on its own daemon threads; every job metric is read at
 * scrape time, so nothing here runs on the task thread. Each server has its own registry, so several jobs (or tests)
 * can run in one JVM. Close it when the job ends.
 */
public final class MetricsServer implements AutoCloseable {

    private final HTTPServer server;
    private final String host;

    private MetricsServer(HTTPServer server, String host) {
        this.server = server;
        this.host = host;
    }

    /**
     * Registers {@code metrics} and the JVM metrics on a fresh registry and starts serving them.
     *
     * @throws IllegalArgumentException when {@code config}'s address cannot be bound (port in use, unknown host),
     *                                  with a message that names the address
     */
    public static MetricsServer start(MetricsConfig config, JobMetrics metrics) {
        return start(config, metrics, WebConsole.of(metrics), System::currentTimeMillis);
    }

    /** As {@link #start(MetricsConfig, JobMetrics)}, with the web console of the job {@code metrics} belong to. */
    public static MetricsServer start(MetricsConfig config, JobMetrics metrics, WebConsole console) {
        return start(config, metrics, console, System::currentTimeMillis);
    }

    /** As {@link #start(MetricsConfig, JobMetrics)}, with the wall clock the lag gauges use (for tests). */
    static MetricsServer start(MetricsConfig config, JobMetrics metrics, LongSupplier nowMs) {
        return start(config, metrics, WebConsole.of(metrics), nowMs);
    }

    private static MetricsServer start(MetricsConfig config, JobMetrics metrics, WebConsole console, LongSupplier nowMs) {
        PrometheusRegistry registry = new PrometheusRegistry();
        JobMetricsCollectors.register(registry, metrics, nowMs);
        JvmMetrics.builder().register(registry);
        try {
            HTTPServer server = HTTPServer.builder()
                    .hostname(config.host())
                    .port(config.port())
                    .registry(registry)
                    .defaultHandler(console.handler(new HealthHandler(metrics)))
                    .buildAndStart();
            return new MetricsServer(server, config.host());
        } catch (IOException | UnresolvedAddressException e) {
            String reason = e.getMessage() != null ? e.getMessage() : "unknown host";
            throw new IllegalArgumentException("cannot serve metrics on " + config.host() + ":" + config.port()
                    + " (" + reason + "); choose another address with --metrics-host/--metrics-port", e);
        }
    }

    /** The bound port: the configured one, or the one the system picked for port 0. */
    public int port() {
        return server.getPort();
    }

    /** The configured bind address. */
    public String host() {
        return host;
    }

    /** Stops serving; in-flight scrapes are cut short. Idempotent. */
    @Override
    public void close() {
        server.close();
    }
}
