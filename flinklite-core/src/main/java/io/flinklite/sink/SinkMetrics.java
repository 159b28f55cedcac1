package io.flinklite.sink;

/**
 * Where a sink reports how its writes went, for {@code /metrics} ({@code flinklite_sink_errors_total},
 * {@code flinklite_sink_retries_total}, {@code flinklite_sink_give_ups_total}, labelled by the sink's name). The app
 * hands each sink its own. Thread-safe: a sink may report from its driver's threads.
 */
public interface SinkMetrics {

    /** An attempt to write failed (whether or not it will be retried). */
    void failedAttempt();

    /** A failed write is tried again. */
    void retried();

    /** A write failed for good: the sink throws, and the job stops. */
    void gaveUp();

    /** Does nothing: for tests and tools without metrics. */
    SinkMetrics NONE = new SinkMetrics() {
        @Override
        public void failedAttempt() { }

        @Override
        public void retried() { }

        @Override
        public void gaveUp() { }
    };
}
