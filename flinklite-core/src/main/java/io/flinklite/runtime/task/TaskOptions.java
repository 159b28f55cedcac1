package io.flinklite.runtime.task;

import java.util.Objects;
import java.util.function.LongSupplier;

/**
 * How a {@link StreamTask} treats time and bad input, beyond what the job itself says. Immutable; the
 * {@code with...} methods return a copy. {@link #defaults()} suits a live Kafka job; {@link #replay()} suits a
 * deterministic replay of a file (no wall clock, no plausibility limit on timestamps).
 */
public final class TaskOptions {
    private final long idleTimeoutMs;
    private final boolean wallClockWhenIdle;
    private final int maxRecordBytes;
    private final long minTimestampMs;
    private final long maxFutureMs;
    private final long pollTimeoutMs;
    private final LongSupplier clockMs;
    private final boolean flushAcknowledgesResults;

    private TaskOptions(long idleTimeoutMs, boolean wallClockWhenIdle, int maxRecordBytes, long minTimestampMs,
                        long maxFutureMs, long pollTimeoutMs, LongSupplier clockMs, boolean flushAcknowledgesResults) {
        if (idleTimeoutMs < 0) throw new IllegalArgumentException("idle timeout must not be negative, got " + idleTimeoutMs + " ms");
        if (maxRecordBytes <= 0) throw new IllegalArgumentException("max record size must be positive, got " + maxRecordBytes);
        if (maxFutureMs < 0) throw new IllegalArgumentException("max future must not be negative, got " + maxFutureMs + " ms");
        if (pollTimeoutMs < 0) throw new IllegalArgumentException("poll timeout must not be negative, got " + pollTimeoutMs + " ms");
        this.idleTimeoutMs = idleTimeoutMs;
        this.wallClockWhenIdle = wallClockWhenIdle;
        this.maxRecordBytes = maxRecordBytes;
        this.minTimestampMs = minTimestampMs;
        this.maxFutureMs = maxFutureMs;
        this.pollTimeoutMs = pollTimeoutMs;
        this.clockMs = Objects.requireNonNull(clockMs, "clock");
        this.flushAcknowledgesResults = flushAcknowledgesResults;
    }

    /**
     * A live job: partitions idle after 30 s, records up to 1 MiB, timestamps from 1970 to one day ahead of the wall
     * clock, polls waiting up to 100 ms.
     */
    public static TaskOptions defaults() {
        return new TaskOptions(30_000, false, 1 << 20, 0, 86_400_000L, 100, System::currentTimeMillis, true);
    }

    /**
     * A deterministic replay: no idleness, any timestamp a long can hold, records up to 1 MiB. The wall clock is
     * never consulted for event time.
     */
    public static TaskOptions replay() {
        return new TaskOptions(0, false, 1 << 20, Long.MIN_VALUE, Long.MAX_VALUE, 0, System::currentTimeMillis, true);
    }

    /** Partitions silent longer than this stop holding the watermark back; 0 disables idleness. */
    public TaskOptions withIdleTimeoutMs(long ms) {
        return new TaskOptions(ms, wallClockWhenIdle, maxRecordBytes, minTimestampMs, maxFutureMs, pollTimeoutMs, clockMs, flushAcknowledgesResults);
    }

    /** When every partition is idle, the watermark follows the wall clock minus the out-of-orderness. */
    public TaskOptions withWallClockWhenIdle(boolean on) {
        return new TaskOptions(idleTimeoutMs, on, maxRecordBytes, minTimestampMs, maxFutureMs, pollTimeoutMs, clockMs, flushAcknowledgesResults);
    }

    /** Larger payloads are invalid ({@code oversized}). */
    public TaskOptions withMaxRecordBytes(int bytes) {
        return new TaskOptions(idleTimeoutMs, wallClockWhenIdle, bytes, minTimestampMs, maxFutureMs, pollTimeoutMs, clockMs, flushAcknowledgesResults);
    }

    /**
     * Timestamps below {@code minTimestampMs} or more than {@code maxFutureMs} after the wall clock are invalid
     * ({@code absurd_timestamp}): one such record would otherwise make every later record late.
     */
    public TaskOptions withTimestampBounds(long minTimestampMs, long maxFutureMs) {
        return new TaskOptions(idleTimeoutMs, wallClockWhenIdle, maxRecordBytes, minTimestampMs, maxFutureMs, pollTimeoutMs, clockMs, flushAcknowledgesResults);
    }

    public TaskOptions withPollTimeoutMs(long ms) {
        return new TaskOptions(idleTimeoutMs, wallClockWhenIdle, maxRecordBytes, minTimestampMs, maxFutureMs, ms, clockMs, flushAcknowledgesResults);
    }

    /** The wall clock (epoch ms) used for idleness, timestamp plausibility and hooks; tests pass a fake. */
    public TaskOptions withClock(LongSupplier clockMs) {
        return new TaskOptions(idleTimeoutMs, wallClockWhenIdle, maxRecordBytes, minTimestampMs, maxFutureMs, pollTimeoutMs, clockMs, flushAcknowledgesResults);
    }

    /**
     * Whether a successful flush of the result sink means its results are written, so the task counts them
     * ({@code JobMetrics.resultsWritten}) then: true by default; false when the sink only buffers them for a later
     * commit (exactly-once: the checkpoint's transaction), whose owner counts them once committed.
     */
    public TaskOptions withFlushAcknowledgingResults(boolean on) {
        return new TaskOptions(idleTimeoutMs, wallClockWhenIdle, maxRecordBytes, minTimestampMs, maxFutureMs, pollTimeoutMs, clockMs, on);
    }

    public long idleTimeoutMs() { return idleTimeoutMs; }
    public boolean wallClockWhenIdle() { return wallClockWhenIdle; }
    public int maxRecordBytes() { return maxRecordBytes; }
    public long minTimestampMs() { return minTimestampMs; }
    /** {@link Long#MAX_VALUE} when future timestamps are not limited. */
    public long maxFutureMs() { return maxFutureMs; }
    public long pollTimeoutMs() { return pollTimeoutMs; }
    public LongSupplier clock() { return clockMs; }
    /** See {@link #withFlushAcknowledgingResults}. */
    public boolean flushAcknowledgesResults() { return flushAcknowledgesResults; }
}
