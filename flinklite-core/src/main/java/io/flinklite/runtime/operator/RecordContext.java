package io.flinklite.runtime.operator;

/**
 * Where the record being processed came from, as Kafka Streams' {@code ProcessorRecordContext}: its topic (or file),
 * partition, offset, Kafka key, headers and record timestamp, and its raw bytes. A dead letter or a late event is
 * forwarded with its origin from here, without asking the source again.
 *
 * <p>One instance per task, repositioned by the source for every record it hands down the chain (no allocation), so
 * it is valid only during the synchronous call chain of that record. Output emitted from a watermark (a window firing
 * on a timer) has no record: {@link #hasRecord()} is then false, and every other method throws
 * {@link IllegalStateException}. The key and headers are read from the source's own record only when asked. Task
 * thread only.
 */
public interface RecordContext {

    /** True while a source record is being processed; false during watermark and timer processing. */
    boolean hasRecord();

    /** The topic or file the record was read from. */
    String topic();

    /** Its partition (0 for a file). */
    int partition();

    /** Its offset within the partition (the line number for a file). */
    long offset();

    /** The Kafka record timestamp (CreateTime or LogAppendTime), epoch ms; -1 when the source has none. */
    long recordTimestampMs();

    /** The Kafka record key; {@code null} when it has none. Not copied: do not change it. */
    byte[] key();

    /** Number of record headers. */
    int headerCount();

    /** The name of header {@code i}, {@code 0 <= i < headerCount()}. */
    String headerName(int i);

    /** The value of header {@code i}; may be {@code null}. Not copied. */
    byte[] headerValue(int i);

    /** The array holding the raw record value; {@code null} for a tombstone. Valid only during the call. */
    byte[] payload();

    int payloadOffset();

    int payloadLength();
}
