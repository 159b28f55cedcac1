package io.flinklite.runtime.task;

import io.flinklite.api.Sink;
import io.flinklite.runtime.metrics.JobMetrics;

/**
 * Wraps a task's result sink to observe result latency: the time from polling the batch whose records moved the
 * watermark past a window's end (or, for a late firing, brought the late record) to handing the result to the sink.
 * That is {@link JobMetrics#observeResultLatency}'s meaning in a task where firings happen on the task thread while
 * the batch is processed. Task thread only.
 */
final class LatencyObservingSink<T> implements Sink<T> {
    private final Sink<T> sink;
    private final JobMetrics metrics;
    /** {@link System#nanoTime()} of the current batch's poll; set by the task. */
    long batchPolledNanos;

    LatencyObservingSink(Sink<T> sink, JobMetrics metrics) {
        this.sink = sink;
        this.metrics = metrics;
    }

    @Override
    public void write(T result) throws Exception {
        try {
            sink.write(result);
        } catch (Exception e) {
            metrics.addSinkErrors(1);
            throw e;
        }
        metrics.observeResultLatency((System.nanoTime() - batchPolledNanos) / 1e9);
    }

    @Override
    public void flush() throws Exception {
        sink.flush();
    }

    @Override
    public void close() throws Exception {
        sink.close();
    }
}
