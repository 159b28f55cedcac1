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

    /** {@code sink}, observing each result's latency after its {@link Sink#write} returns. */
    <T> Sink<T> timed(Sink<T> sink) {
        Objects.requireNonNull(sink, "sink");
        return new Sink<>() {
            @Override
            public void write(T result) throws Exception {
                sink.write(result);
                metrics.observeResultLatency((System.nanoTime() - batchArrivedNanos) / 1e9);
            }

            @Override
            public void flush() throws Exception {
                sink.flush();
            }

            @Override
            public void close() throws Exception {
                sink.close();
            }
        };
    }
}
