package io.flinklite.source;

/**
 * Reads the Kafka key and headers of a reader's own records, on demand: a reader that has them stores, per record,
 * its own handle to the record (a Kafka reader: the {@code ConsumerRecord}) with
 * {@link RecordBatch#add(int, int, long, long, byte[], int, int, Object)}, and names this reader of handles with
 * {@link RecordBatch#metadata(RecordMetadata)}. Nothing is copied or decoded unless the engine asks (a dead letter,
 * a late record, a user operator reading its record context), so a job that never asks pays one reference per record.
 *
 * <p>Called on the task thread, only while the batch holding the handle is current.
 */
public interface RecordMetadata {

    /** The record's key; {@code null} when it has none. Not copied: the caller does not change it. */
    byte[] key(Object handle);

    /** Number of headers of the record. */
    int headerCount(Object handle);

    /** The name of header {@code i}, {@code 0 <= i < headerCount(handle)}. */
    String headerName(Object handle, int i);

    /** The value of header {@code i}; may be {@code null}. Not copied. */
    byte[] headerValue(Object handle, int i);
}
