package io.flinklite.runtime.task;

import io.flinklite.job.Durations;

import java.util.Objects;
import java.util.function.LongSupplier;

/**
 * How a {@link StreamTask} treats time and bad input, beyond what the job itself says. Immutable; the
 * {@code with...} methods return a copy. {@link #defaults()} suits a live Kafka job; {@link #replay()} suits a
 * deterministic replay of a file (no wall clock, no plausibility limit on timestamps).
 */
public final class TaskOptions {
    /**
     * The largest record payload a job decodes, 256 KiB, by default: larger ones are invalid ({@code oversized})
     * and go to the dead-letter output unparsed. The one default for {@code run}, {@code demo}, {@code replay} and
     * the Java API, so a file replayed before going live is judged as the live job will judge it. Below Kafka's
     * default 1 MiB ({@code max.message.bytes}, {@code max.request.size}) on purpose: an oversized record must still
     * fit the dead-letter topic unchanged, with its headers, and one record must not stall the task thread that
     * parses it (a seed event is ~60 bytes).
     */
    public static final int DEFAULT_MAX_RECORD_BYTES = 256 * 1024;
    /** A partition silent this long stops holding the watermark back, by default, in a live job (as typed). */
    public static final String DEFAULT_IDLE_TIMEOUT = "30s";
    /** {@link #DEFAULT_IDLE_TIMEOUT} in milliseconds. */
    public static final long DEFAULT_IDLE_TIMEOUT_MS = Durations.parseMillis(DEFAULT_IDLE_TIMEOUT);
    /** Timestamps more than this ahead of the wall clock are invalid, by default, in a live job (as typed). */
    public static final String DEFAULT_MAX_FUTURE = "24h";
    /** {@link #DEFAULT_MAX_FUTURE} in milliseconds. */
    public static final long DEFAULT_MAX_FUTURE_MS = Durations.parseMillis(DEFAULT_MAX_FUTURE);

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
        Durations.checkIdleTimeout(idleTimeoutMs);
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
     * A live job: partitions idle after {@value #DEFAULT_IDLE_TIMEOUT}, records up to
     * {@value #DEFAULT_MAX_RECORD_BYTES} bytes, timestamps from 1970 to {@value #DEFAULT_MAX_FUTURE} ahead of the
     * wall clock, polls waiting up to 100 ms.
     */
    public static TaskOptions defaults() {
        return new TaskOptions(DEFAULT_IDLE_TIMEOUT_MS, false, DEFAULT_MAX_RECORD_BYTES, 0, DEFAULT_MAX_FUTURE_MS, 100,
                System::currentTimeMillis, true);
    }

    /**
     * A deterministic replay: no idleness, any timestamp a long can hold, records up to
     * {@value #DEFAULT_MAX_RECORD_BYTES} bytes as in a live job. The wall clock is never consulted for event time.
     */
    public static TaskOptions replay() {
        return new TaskOptions(0, false, DEFAULT_MAX_RECORD_BYTES, Long.MIN_VALUE, Long.MAX_VALUE, 0, System::currentTimeMillis, true);
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
