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

    /**
     * Writes an array {@code name} of {@code count} objects {@code {first: firstValues[i], second: secondValues[i]}}:
     * exactly what {@code beginArray(name)}, then per element {@code beginObject(null)}, {@code writeLong(first, ..)},
     * {@code writeLong(second, ..)}, {@code endObject()}, then {@code endArray()} write. Snapshots of many small
     * objects (panes, windows) use it so that a recorder can take them in one step instead of six calls each.
     *
     * @param name the array's field name, {@code null} inside an array
     */
    default void writeLongPairArray(String name, String first, long[] firstValues, String second, long[] secondValues,
                                    int count) {
        beginArray(name);
        for (int i = 0; i < count; i++) {
            beginObject(null);
            writeLong(first, firstValues[i]);
            writeLong(second, secondValues[i]);
            endObject();
        }
        endArray();
    }
}
