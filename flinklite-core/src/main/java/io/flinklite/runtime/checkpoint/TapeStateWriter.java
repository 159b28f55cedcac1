package io.flinklite.runtime.checkpoint;

import io.flinklite.runtime.state.StateWriter;

/**
 * The engine's {@link StateWriter} recording into a {@link StateTape}: how the task's snapshot gets into a
 * checkpoint. Each call is a few primitive writes into an array, so recording 100 k panes takes milliseconds; the
 * JSON encoding happens later, on the checkpoint writer thread. Task thread only.
 */
public final class TapeStateWriter implements StateWriter {
    private final StateTape.Writer tape;

    /**
     * @param expectedBytes   a size hint; the previous checkpoint's {@link StateTape#byteSize()} is a good one
     * @param expectedStrings a size hint; the previous checkpoint's {@link StateTape#stringCount()} is a good one
     */
    public TapeStateWriter(int expectedBytes, int expectedStrings) {
        this.tape = new StateTape.Writer(expectedBytes, expectedStrings);
    }

    private void name(String name) {
        if (name != null) {
            tape.field(name);
        }
    }

    @Override
    public void beginObject(String name) {
        name(name);
        tape.startObject();
    }

    @Override
    public void endObject() {
        tape.endObject();
    }

    @Override
    public void beginArray(String name) {
        name(name);
        tape.startArray();
    }

    @Override
    public void endArray() {
        tape.endArray();
    }

    @Override
    public void writeLong(String name, long value) {
        if (name != null) {
            tape.field(name, value);
        } else {
            tape.value(value);
        }
    }

    @Override
    public void writeDouble(String name, double value) {
        name(name);
        tape.value(value);
    }

    @Override
    public void writeString(String name, String value) {
        name(name);
        tape.value(value);
    }

    @Override
    public void writeBoolean(String name, boolean value) {
        name(name);
        tape.value(value);
    }

    @Override
    public void writeLongPairArray(String name, String first, long[] firstValues, String second, long[] secondValues,
                                   int count) {
        name(name);
        tape.longPairArray(first, firstValues, second, secondValues, count);
    }

    /** The recorded state; the writer is finished. */
    public StateTape finish() {
        return tape.finish();
    }
}
