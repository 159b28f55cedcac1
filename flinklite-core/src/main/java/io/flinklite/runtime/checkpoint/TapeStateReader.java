package io.flinklite.runtime.checkpoint;

import io.flinklite.runtime.state.StateFormatException;
import io.flinklite.runtime.state.StateReader;

/**
 * The engine's {@link StateReader} over a {@link StateTape}: reads a restored checkpoint's state back in the order
 * it was written, checking every name, so a damaged or foreign state fails with a message naming the field rather
 * than restoring something wrong. Task thread, before the task runs.
 */
public final class TapeStateReader implements StateReader {
    private final StateTape.Reader in;

    public TapeStateReader(StateTape tape) {
        this.in = tape.reader();
    }

    /** Moves onto the value of field {@code name} (or, inside an array, onto the next element). */
    private void value(String name, int expected) {
        try {
            if (name != null) {
                in.readField(name);
            } else {
                in.next();
            }
        } catch (IllegalStateException e) {
            throw new StateFormatException("checkpoint state: " + e.getMessage());
        }
        int t = in.token();
        boolean matches = t == expected
                || (expected == StateTape.DOUBLE && (t == StateTape.LONG || t == StateTape.STRING))
                || (expected == StateTape.TRUE && t == StateTape.FALSE);
        if (!matches) {
            throw new StateFormatException("checkpoint state: expected " + StateTape.Reader.name(expected)
                    + (name == null ? "" : " for \"" + name + "\"") + ", found " + StateTape.Reader.name(t));
        }
    }

    @Override
    public void beginObject(String name) {
        value(name, StateTape.START_OBJECT);
    }

    @Override
    public void endObject() {
        if (in.next() != StateTape.END_OBJECT) {
            throw new StateFormatException("checkpoint state: expected the end of an object, found "
                    + StateTape.Reader.name(in.token()) + (in.token() == StateTape.FIELD_NAME ? " \"" + in.text() + "\"" : ""));
        }
    }

    @Override
    public void beginArray(String name) {
        value(name, StateTape.START_ARRAY);
    }

    @Override
    public boolean hasNext() {
        return in.peek() != StateTape.END_ARRAY;
    }

    @Override
    public void endArray() {
        if (in.next() != StateTape.END_ARRAY) {
            throw new StateFormatException("checkpoint state: expected the end of an array, found " + StateTape.Reader.name(in.token()));
        }
    }

    @Override
    public long readLong(String name) {
        value(name, StateTape.LONG);
        return in.longValue();
    }

    @Override
    public double readDouble(String name) {
        value(name, StateTape.DOUBLE);
        try {
            return in.doubleValue();
        } catch (IllegalStateException e) {
            throw new StateFormatException("checkpoint state: " + e.getMessage() + " for \"" + name + "\"");
        }
    }

    @Override
    public String readString(String name) {
        value(name, StateTape.STRING);
        return in.text();
    }

    @Override
    public boolean readBoolean(String name) {
        value(name, StateTape.TRUE);
        return in.booleanValue();
    }
}
