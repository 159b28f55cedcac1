package io.flinklite.app.metrics;

import java.time.Duration;

/**
 * Where the metrics server listens and how often the terminal status line is printed.
 *
 * @param host           address to bind {@code /metrics} and the health endpoints to; {@code 0.0.0.0} for all
 * @param port           TCP port; {@code 0} binds a free port (tests), read it back with {@link MetricsServer#port()}
 * @param statusInterval how often {@code run}/{@code demo} print the one-line status; {@link Duration#ZERO} disables it
 */
public record MetricsConfig(String host, int port, Duration statusInterval) {

    /** The port of the original FlinkLite, which its Prometheus configuration and dashboards expect. */
    public static final int DEFAULT_PORT = 1234;
    public static final String DEFAULT_HOST = "0.0.0.0";
    public static final Duration DEFAULT_STATUS_INTERVAL = Duration.ofSeconds(10);

    public MetricsConfig {
        if (host == null || host.isBlank()) {
            throw new IllegalArgumentException("metrics host must not be empty (use 0.0.0.0 to listen on all addresses)");
        }
        if (port < 0 || port > 65_535) {
            throw new IllegalArgumentException("metrics port must be between 0 and 65535, got " + port);
        }
        if (statusInterval == null || statusInterval.isNegative()) {
            throw new IllegalArgumentException("status interval must be zero (off) or positive, got " + statusInterval);
        }
    }

    /** {@code 0.0.0.0:1234}, status every 10 s. */
    public static MetricsConfig defaults() {
        return new MetricsConfig(DEFAULT_HOST, DEFAULT_PORT, DEFAULT_STATUS_INTERVAL);
    }

    public MetricsConfig withPort(int newPort) {
        return new MetricsConfig(host, newPort, statusInterval);
    }

    public MetricsConfig withHost(String newHost) {
        return new MetricsConfig(newHost, port, statusInterval);
    }

    public MetricsConfig withStatusInterval(Duration newInterval) {
        return new MetricsConfig(host, port, newInterval);
    }

    /** Whether the periodic status line is on. */
    public boolean statusEnabled() {
        return !statusInterval.isZero();
    }
}
