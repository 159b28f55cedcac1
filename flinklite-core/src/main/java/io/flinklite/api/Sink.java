package io.flinklite.api;

/**
 * Where a job's results go: a Kafka topic, a file, a PostgreSQL table, a test's list.
 *
 * <p>Called only from the job's task thread, in this order: any number of {@link #write} calls, with
 * {@link #flush()} between them whenever the runtime needs everything written so far to be durable (before a
 * checkpoint completes and before shutdown), then {@link #close()} once.
 *
 * @param <T> the result type, {@link WindowResult} for the built-in job
 */
public interface Sink<T> extends AutoCloseable {

    /** Accepts one result. May buffer; must not block for long (batch and write in {@link #flush()}). */
    void write(T result) throws Exception;

    /** Makes every result written so far durable at the destination, or throws. */
    default void flush() throws Exception {
    }

    /** Flushes and releases resources. Called once. */
    @Override
    default void close() throws Exception {
        flush();
    }
}
