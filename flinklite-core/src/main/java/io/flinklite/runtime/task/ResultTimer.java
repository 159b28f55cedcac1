package io.flinklite.runtime.task;

import io.flinklite.api.Sink;
import io.flinklite.runtime.metrics.JobMetrics;

import java.util.Objects;

/**
 * Measures result latency for {@link JobMetrics#observeResultLatency}: from the moment the task received the batch
 * whose records (or the idleness check or end of input after it) moved the watermark past a window's end, to that
 * window's result being handed to the sink. Task thread only.
 *
 * <p>Why the batch's arrival rather than the exact watermark advance: the watermark can advance on every record, and a
 * clock read per record would tax the per-record path; results are few, so the clock is read only once per batch and
 * once per result. The watermark advance happens during the batch, so the figure is an upper bound on the true
 * latency, off by at most the time to process one batch.
 */
final class ResultTimer {

    private final JobMetrics metrics;
    private long batchArrivedNanos = System.nanoTime();

    ResultTimer(JobMetrics metrics) {
        this.metrics = Objects.requireNonNull(metrics, "metrics");
    }

    /** Called by the task right after the source returned a batch (or returned empty-handed). */
    void batchArrived() {
        batchArrivedNanos = System.nanoTime();
    }

    /** A result was just handed to a sink ({@link Sink#write} returned): observes its latency. */
    void resultWritten() {
        metrics.observeResultLatency((System.nanoTime() - batchArrivedNanos) / 1e9);
    }
}
