package io.flinklite.runtime.state;

/**
 * Receives a snapshot of engine state as a tree of named primitives: objects, arrays, longs, doubles, strings,
 * booleans. The shape maps one-to-one onto JSON, so the checkpoint code can write it as a readable file, and
 * {@link MemoryState} keeps it in memory for the operator test harness.
 *
 * <p>Called only on the task thread, between batches. {@code name} is the field name inside an object and must be
 * {@code null} inside an array. Doubles may be non-finite (NaN, infinities); an implementation must store them so
 * that {@link StateReader#readDouble} returns them unchanged (a JSON writer can use the strings "NaN", "Infinity",
 * "-Infinity"). The snapshot written by a component is read back, in the same order, by that component's restore.
 */
public interface StateWriter {

    /** Opens a nested object; the root of a snapshot is an object with a {@code null} name. */
    void beginObject(String name);

    void endObject();

    /** Opens an array; its elements are written with {@code null} names. */
    void beginArray(String name);

    void endArray();

    void writeLong(String name, long value);

    void writeDouble(String name, double value);

    /** @param value not {@code null} */
    void writeString(String name, String value);

    void writeBoolean(String name, boolean value);
}
