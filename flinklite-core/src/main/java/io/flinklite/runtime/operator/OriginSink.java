package io.flinklite.runtime.operator;

import io.flinklite.api.Sink;

/**
 * A sink of original records (late data) that also takes where each record came from, so that what it writes can
 * keep the record's Kafka key and headers and name its origin, as a dead letter does. The runtime calls
 * {@link #write(byte[], RecordContext)} while a source record is being processed, and plain {@link #write(Object)}
 * otherwise.
 */
public interface OriginSink extends Sink<byte[]> {

    /**
     * Writes {@code value}, the record's original bytes; {@code origin} describes that record and is valid only during
     * this call (copy what is kept).
     */
    void write(byte[] value, RecordContext origin) throws Exception;
}
