package io.flinklite.app.metrics;

import io.flinklite.job.Timestamps;
import io.flinklite.runtime.metrics.JobMetrics;

import java.io.PrintStream;
import java.time.Duration;
import java.util.Locale;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;

/**
 * Prints one line of progress every interval, so a user of {@code run} or {@code demo} sees the job move without
 * Grafana:
 *
 * <pre>flinklite: 152,300 events/s (4,812,004 total) | watermark 2026-11-24T06:50:01.123Z, 5.2 s behind | open windows 12 | last checkpoint 3 s ago</pre>
 *
 * <p>Runs on its own daemon thread and only reads {@link JobMetrics}. The rate is the number of events read since the
 * previous line divided by the time between the two lines.
 */
public final class StatusLine implements AutoCloseable {

    private final JobMetrics metrics;
    private final ScheduledExecutorService scheduler;
    private long previousEvents;
    private long previousNanos;

    /** A status line that only formats; {@link #start} schedules one. */
    StatusLine(JobMetrics metrics, long startNanos) {
        this(metrics, null, startNanos);
    }

    private StatusLine(JobMetrics metrics, ScheduledExecutorService scheduler, long startNanos) {
        this.metrics = metrics;
        this.scheduler = scheduler;
        this.previousEvents = metrics.eventsTotal();
        this.previousNanos = startNanos;
    }

    /**
     * Starts printing to {@code out} every {@code interval}, the first line one interval from now.
     *
     * @param interval {@link Duration#ZERO} returns a status line that prints nothing
     */
    public static StatusLine start(Duration interval, JobMetrics metrics, PrintStream out) {
        if (interval.isZero()) {
            return new StatusLine(metrics, System.nanoTime());
        }
        ScheduledExecutorService scheduler = Executors.newSingleThreadScheduledExecutor(task -> {
            Thread thread = new Thread(task, "flinklite-status");
            thread.setDaemon(true);
            return thread;
        });
        StatusLine line = new StatusLine(metrics, scheduler, System.nanoTime());
        long periodMs = interval.toMillis();
        scheduler.scheduleAtFixedRate(() -> out.println(line.next(System.currentTimeMillis(), System.nanoTime())),
                periodMs, periodMs, TimeUnit.MILLISECONDS);
        return line;
    }

    /**
     * The next status line, as of wall clock {@code nowMs} and monotonic clock {@code nowNanos}; the events per
     * second count from the previous call (or the start). Called by the status thread only, or by tests.
     */
    String next(long nowMs, long nowNanos) {
        long events = metrics.eventsTotal();
        double seconds = (nowNanos - previousNanos) / 1e9;
        double rate = seconds > 0 ? (events - previousEvents) / seconds : 0;
        previousEvents = events;
        previousNanos = nowNanos;

        StringBuilder line = new StringBuilder(160);
        line.append(String.format(Locale.ROOT, "flinklite: %,.0f events/s (%,d total)", rate, events));
        long watermarkMs = metrics.watermarkMs();
        if (watermarkMs == Long.MIN_VALUE) {
            line.append(" | watermark: none yet");
        } else if (watermarkMs == Long.MAX_VALUE) {
            line.append(" | watermark: end of input");
        } else {
            line.append(" | watermark ").append(Timestamps.format(watermarkMs))
                    .append(String.format(Locale.ROOT, ", %.1f s behind", (nowMs - watermarkMs) / 1000.0));
        }
        line.append(" | open windows ").append(metrics.openWindows());
        long checkpointMs = metrics.lastCheckpointTimeMs();
        if (checkpointMs == 0) {
            line.append(" | no checkpoint yet");
        } else {
            line.append(" | last checkpoint ").append(Math.max(0, (nowMs - checkpointMs) / 1000)).append(" s ago");
        }
        return line.toString();
    }

    /** Stops printing. Idempotent. */
    @Override
    public void close() {
        if (scheduler != null) {
            scheduler.shutdownNow();
        }
    }
}
