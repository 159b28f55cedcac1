package io.flinklite.runtime.state;

/**
 * Reads back what a {@link StateWriter} received, in the same order and with the same names. Implementations
 * that hold a parsed tree (a JSON checkpoint) may look fields up by name; a sequential one ({@link MemoryState})
 * checks that the names match.
 *
 * <p>Every method throws {@link StateFormatException} when the state does not have the expected shape, naming the
 * field, so that a corrupt or foreign checkpoint fails with a clear message rather than a wrong restore.
 */
public interface StateReader {

    void beginObject(String name);

    void endObject();

    void beginArray(String name);

    /** True when the current array has another element; false at its end (then call {@link #endArray()}). */
    boolean hasNext();

    void endArray();

    long readLong(String name);

    double readDouble(String name);

    String readString(String name);

    boolean readBoolean(String name);
}
