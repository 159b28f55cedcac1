package io.flinklite.app.cli;

import io.flinklite.app.metrics.MetricsConfig;
import io.flinklite.job.Durations;
import picocli.CommandLine.Option;

import java.time.Duration;

/**
 * The metrics options {@code run} and {@code demo} share; add to a command with {@code @Mixin MetricsOptions metrics}
 * and pass {@link #config()} to {@link io.flinklite.app.metrics.Observability#start}.
 */
public final class MetricsOptions {

    @Option(names = "--metrics-host", paramLabel = "ADDRESS", defaultValue = MetricsConfig.DEFAULT_HOST,
            description = "Address /metrics and /health/* listen on (default: ${DEFAULT-VALUE}).")
    String host;

    @Option(names = "--metrics-port", paramLabel = "PORT", defaultValue = "" + MetricsConfig.DEFAULT_PORT,
            description = "Port of /metrics and /health/*; 0 picks a free port (default: ${DEFAULT-VALUE}).")
    int port;

    @Option(names = "--status-interval", paramLabel = "DURATION", defaultValue = "10s",
            description = "How often to print the one-line status (events/s, watermark, open windows, last "
                    + "checkpoint), e.g. 5s or 1m; 0s turns it off (default: ${DEFAULT-VALUE}).")
    String statusInterval;

    /**
     * @throws IllegalArgumentException naming the bad value when a port or duration is out of range
     */
    public MetricsConfig config() {
        if (port < 0 || port > 65535) {
            throw new UsageException("--metrics-port", Integer.toString(port), "must be between 0 and 65535");
        }
        long intervalMs;
        try {
            intervalMs = Durations.parseMillis(statusInterval);
        } catch (IllegalArgumentException e) {
            throw new UsageException("--status-interval", statusInterval, e.getMessage());
        }
        return new MetricsConfig(host, port, Duration.ofMillis(intervalMs));
    }
}
