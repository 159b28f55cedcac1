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
 * <pre>flinklite: 152,300 events/s (4,812,004 total) | lag 1,200,000, caught up in ~8 s | watermark 2026-11-24T06:50:01.123Z, 5.2 s behind | open windows 12 | last checkpoint 3 s ago</pre>
 *
 * <p>Runs on its own daemon thread and only reads {@link JobMetrics}. The rate is the number of events read since the
 * previous line divided by the time between the two lines. The lag is the consumer lag summed over the assigned
 * partitions (records not read yet); while it shrinks, the estimate is the time to read it at the rate it shrank
 * since the previous line, which already allows for records still arriving.
 */
public final class StatusLine implements AutoCloseable {

    private final JobMetrics metrics;
    private final ScheduledExecutorService scheduler;
    private long previousEvents;
    private long previousNanos;
    private long previousLag = -1;

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
        long lag = totalLag();
        if (lag >= 0) {
            line.append(String.format(Locale.ROOT, " | lag %,d", lag));
            if (lag > 0 && previousLag > lag && seconds > 0) {
                double etaSeconds = lag * seconds / (previousLag - lag);
                line.append(", caught up in ~").append(formatSeconds(etaSeconds));
            }
        }
        previousLag = lag;
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
        JobMetrics.TaskCounts tasks = metrics.tasks();
        if (tasks != null) {
            line.append(" | tasks ").append(tasks.ownedTasks()).append(", rebalances ").append(tasks.rebalances());
        }
        long checkpointMs = metrics.lastCheckpointTimeMs();
        if (checkpointMs == 0) {
            line.append(" | no checkpoint yet");
        } else {
            line.append(" | last checkpoint ").append(Math.max(0, (nowMs - checkpointMs) / 1000)).append(" s ago");
        }
        return line.toString();
    }

    /** The summed lag of the assigned partitions; -1 when none is assigned or one's lag is unknown. */
    private long totalLag() {
        JobMetrics.PartitionStats[] partitions = metrics.partitions();
        if (partitions.length == 0) {
            return -1;
        }
        long sum = 0;
        for (JobMetrics.PartitionStats p : partitions) {
            if (p.lag() < 0) {
                return -1;
            }
            sum += p.lag();
        }
        return sum;
    }

    private static String formatSeconds(double s) {
        if (s < 120) {
            return String.format(Locale.ROOT, "%.0f s", Math.ceil(s));
        }
        if (s < 7200) {
            return String.format(Locale.ROOT, "%.0f min", Math.ceil(s / 60));
        }
        return String.format(Locale.ROOT, "%.1f h", s / 3600);
    }

    /** Stops printing. Idempotent. */
    @Override
    public void close() {
        if (scheduler != null) {
            scheduler.shutdownNow();
        }
    }
}
