package io.flinklite.runtime.graph;

import io.flinklite.api.WindowResult;

import java.nio.charset.StandardCharsets;

/**
 * How the results of an operator become bytes: the record key and the value, one encoding wherever results leave the
 * engine or wait for a checkpoint (the {@code replay} output lines, the Kafka output topic, the exactly-once pending
 * buffer's transaction, the pending results in {@code checkpoint.json}). The type of a result is decided by the
 * operator that makes it; {@link #WINDOW_RESULTS} is the one of the built-in window aggregates.
 *
 * <p>Stateless and thread-safe. The value is text (UTF-8), so that it can be appended to a reused buffer.
 *
 * @param <T> the result type
 */
public interface ResultEncoder<T> {

    /** The built-in job's {@link WindowResult}: key = the key as text ({@link WindowResult#keyBytes}), value = its JSON. */
    ResultEncoder<WindowResult> WINDOW_RESULTS = new ResultEncoder<>() {
        @Override
        public byte[] key(WindowResult result) {
            return WindowResult.keyBytes(result.key());
        }

        @Override
        public void appendValue(WindowResult result, StringBuilder out) {
            result.appendJson(out);
        }
    };

    /** The record key of {@code result}: what partitions it and names it in a compacted topic. */
    byte[] key(T result);

    /** Appends the value of {@code result} as text, without a line terminator. */
    void appendValue(T result, StringBuilder out);

    /** {@link #appendValue} as UTF-8 bytes. */
    default byte[] value(T result) {
        StringBuilder out = new StringBuilder(128);
        appendValue(result, out);
        return out.toString().getBytes(StandardCharsets.UTF_8);
    }
}
