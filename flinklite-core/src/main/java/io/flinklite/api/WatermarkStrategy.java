package io.flinklite.api;

import io.flinklite.job.Durations;

/**
 * How event time advances, as Flink's {@code WatermarkStrategy.forBoundedOutOfOrderness(..).withIdleness(..)}.
 *
 * <p>Each input partition has its own watermark {@code W = max timestamp seen - outOfOrderness - 1} ("no record
 * with timestamp <= W follows"); the job's watermark is the minimum over the partitions that are not idle, and it
 * never goes backwards. A partition that delivers nothing for {@code idleTimeout} of wall-clock time is idle and
 * stops holding the minimum back, until its next record. With {@link #withWallClockWhenIdle()}, once every partition
 * is idle the watermark follows the wall clock ({@code now - outOfOrderness - 1}) so the last windows close when
 * traffic stops. Immutable.
 */
public final class WatermarkStrategy {
    private final long outOfOrdernessMs;
    private final long idleTimeoutMs;
    private final boolean wallClockWhenIdle;

    private WatermarkStrategy(long outOfOrdernessMs, long idleTimeoutMs, boolean wallClockWhenIdle) {
        this.outOfOrdernessMs = Durations.checkOutOfOrderness(outOfOrdernessMs);
        this.idleTimeoutMs = Durations.checkIdleTimeout(idleTimeoutMs);
        this.wallClockWhenIdle = wallClockWhenIdle;
    }

    /** Bounded out-of-orderness, no idleness detection. */
    public static WatermarkStrategy forBoundedOutOfOrderness(long outOfOrdernessMs) {
        return new WatermarkStrategy(outOfOrdernessMs, 0, false);
    }

    /** Partitions silent for longer than {@code idleTimeoutMs} stop holding the watermark back; 0 disables. */
    public WatermarkStrategy withIdleness(long idleTimeoutMs) {
        return new WatermarkStrategy(outOfOrdernessMs, idleTimeoutMs, wallClockWhenIdle);
    }

    /** When every partition is idle, let the watermark follow the wall clock. Needs an idle timeout. */
    public WatermarkStrategy withWallClockWhenIdle() {
        return new WatermarkStrategy(outOfOrdernessMs, idleTimeoutMs, true);
    }

    public long outOfOrdernessMs() { return outOfOrdernessMs; }

    /** 0 when idleness detection is off. */
    public long idleTimeoutMs() { return idleTimeoutMs; }

    public boolean wallClockWhenIdle() { return wallClockWhenIdle; }

    @Override
    public String toString() {
        return "boundedOutOfOrderness(" + outOfOrdernessMs + "ms" + (idleTimeoutMs > 0 ? ", idle " + idleTimeoutMs + "ms" : "")
                + (wallClockWhenIdle ? ", wall clock when idle" : "") + ")";
    }
}
