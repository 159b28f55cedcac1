package io.flinklite.runtime.process;

import io.flinklite.api.StateDescriptor;
import io.flinklite.api.StateSerializer;
import io.flinklite.runtime.state.StateFormatException;
import io.flinklite.runtime.state.StateReader;
import io.flinklite.runtime.state.StateWriter;

/**
 * One state a process function declared: its slot in every {@link KeyEntry}, and how a key's contents of it go into
 * a snapshot and come back. The subclasses are also the handles the function uses ({@code ValueState}, ...); each
 * reads and writes the slot of the backend's current key.
 */
abstract class DeclaredState {
    final KeyedStateBackend backend;
    final int slot;
    final StateDescriptor descriptor;

    DeclaredState(KeyedStateBackend backend, int slot, StateDescriptor descriptor) {
        this.backend = backend;
        this.slot = slot;
        this.descriptor = descriptor;
    }

    /** Writes the non-empty {@code contents} of one key as fields of the current object. */
    abstract void write(Object contents, StateWriter out);

    /** Reads what {@link #write} wrote; {@code null} when it holds nothing. */
    abstract Object read(StateReader in);

    /** Empties the current key's contents: {@code clear()} of every kind of state. */
    public final void clear() {
        KeyEntry e = backend.current();
        if (e != null) {
            e.setState(slot, null);
        }
    }

    /** The current key's contents; {@code null} when empty. */
    final Object contents() {
        KeyEntry e = backend.current();
        return e == null ? null : e.state(slot);
    }

    static <T> String toText(StateSerializer<T> serializer, T value, DeclaredState state) {
        String text = serializer.toText(value);
        if (text == null) {
            throw new IllegalStateException("the serializer of " + state.descriptor + " wrote null for " + value);
        }
        return text;
    }

    static <T> T fromText(StateSerializer<T> serializer, String text, DeclaredState state) {
        T value;
        try {
            value = serializer.fromText(text);
        } catch (RuntimeException e) {
            throw new StateFormatException("the serializer of " + state.descriptor + " cannot read '" + text + "': "
                    + e.getMessage(), e);
        }
        if (value == null) {
            throw new StateFormatException("the serializer of " + state.descriptor + " read '" + text + "' as null");
        }
        return value;
    }

    static <T> T checkNotNull(T value, String what) {
        if (value == null) {
            throw new NullPointerException(what + " must not be null");
        }
        return value;
    }
}
