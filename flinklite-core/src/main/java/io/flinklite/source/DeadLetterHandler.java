package io.flinklite.source;

/**
 * Receives every record the task could not use (not JSON, no timestamp, no key, ...), already counted in
 * the job's metrics by reason. Called on the task thread; the payload slice is valid only
 * during the call (copy it to keep it); it is {@code null} for a record without a value ({@code null_value}). Must not throw: an exception is counted and logged, and the record is dropped.
 *
 * <p>The task calls {@link #deadLetter(int, int, long, byte[], int, int, InvalidReason, String)} with the record's
 * source index (see {@link SourceReader}); a handler that does not care where a record came from implements only
 * the unindexed method, which the default calls.
 */
@FunctionalInterface
public interface DeadLetterHandler {

    /** Drops dead letters; they are still counted. */
    DeadLetterHandler DISCARD = (partition, offset, payload, payloadOffset, payloadLength, reason, detail) -> { };

    /**
     * @param detail a short human-readable explanation, e.g. {@code "timestamp is a string"}
     */
    void deadLetter(int partition, long offset, byte[] payload, int payloadOffset, int payloadLength,
                    InvalidReason reason, String detail);

    /**
     * A dead letter of source {@code source} (its index in the reader, see {@link SourceReader}); by default the
     * unindexed method, which does not tell sources apart.
     */
    default void deadLetter(int source, int partition, long offset, byte[] payload, int payloadOffset,
                            int payloadLength, InvalidReason reason, String detail) {
        deadLetter(partition, offset, payload, payloadOffset, payloadLength, reason, detail);
    }
}
