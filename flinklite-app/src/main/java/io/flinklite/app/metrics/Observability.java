package io.flinklite.app.metrics;

import io.flinklite.app.web.WebConsole;
import io.flinklite.runtime.metrics.JobMetrics;

import java.io.PrintStream;
import java.net.InetAddress;
import java.net.UnknownHostException;

/**
 * Everything a command starts so a job can be watched: the {@link MetricsServer} (with the web UI of its
 * {@link WebConsole}) and the {@link StatusLine}. The
 * one call {@code run} and {@code demo} make; close it when the job ends.
 *
 * <pre>{@code
 * try (Observability obs = Observability.start(metricsOptions.config(), jobMetrics, kafkaJob.webConsole(), System.err)) {
 *     kafkaJob.run(); // the runner moves jobMetrics' JobState, the task publishes the rest
 * }
 * }</pre>
 */
public final class Observability implements AutoCloseable {

    private final MetricsServer server;
    private final StatusLine statusLine;
    private final WebConsole console;

    private Observability(MetricsServer server, StatusLine statusLine, WebConsole console) {
        this.server = server;
        this.statusLine = statusLine;
        this.console = console;
    }

    /**
     * Starts the metrics server with the job's web console (its graph, history and configuration) on
     * {@code config}'s address, the console's timeline sampling, and, unless disabled, the status line on {@code out}.
     *
     * @throws IllegalArgumentException when the metrics address cannot be bound
     */
    public static Observability start(MetricsConfig config, JobMetrics metrics, WebConsole console, PrintStream out) {
        MetricsServer server = MetricsServer.start(config, metrics, console);
        console.name(instanceName(server.port()));
        console.start();
        StatusLine statusLine = StatusLine.start(config.statusInterval(), metrics, out);
        return new Observability(server, statusLine, console);
    }

    /** How the partition table names this process: host name and metrics port. */
    private static String instanceName(int port) {
        String host;
        try {
            host = InetAddress.getLocalHost().getHostName();
        } catch (UnknownHostException e) {
            host = "localhost";
        }
        return host + ":" + port;
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

    /** Where to point a browser for the web UI. */
    public String uiUrl() {
        String metricsUrl = metricsUrl();
        return metricsUrl.substring(0, metricsUrl.length() - "metrics".length());
    }

    @Override
    public void close() {
        statusLine.close();
        console.close();
        server.close();
    }
}
