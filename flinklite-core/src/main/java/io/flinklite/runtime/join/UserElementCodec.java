package io.flinklite.runtime.join;

import io.flinklite.api.Event;
import io.flinklite.api.StateSerializer;
import io.flinklite.runtime.state.StateFormatException;
import io.flinklite.runtime.state.StateReader;
import io.flinklite.runtime.state.StateWriter;

import java.util.Objects;

/**
 * Keeps a user job's join elements as the objects themselves, checkpointed with the job's {@link StateSerializer}
 * (field {@code "value"}). Elements are kept by reference, as Flink does without object reuse: what a user's map
 * returns is the user's own object. The one object the engine reuses, the decoder's {@link Event}, is copied
 * ({@link Event#copy()}).
 *
 * <p>The heap size of a user object is not known without walking it: the state-size metric counts
 * {@value #ESTIMATED_BYTES} bytes per element (plus the payload of an {@link Event}), an estimate.
 *
 * @param <T> the elements
 */
public final class UserElementCodec<T> implements ElementCodec<T, T> {
    /** The estimated heap bytes of one buffered user element (a small object of a few fields). */
    static final long ESTIMATED_BYTES = 64;

    private final StateSerializer<T> serializer;

    public UserElementCodec(StateSerializer<T> serializer) {
        this.serializer = Objects.requireNonNull(serializer, "serializer");
    }

    @Override
    @SuppressWarnings("unchecked")
    public T retain(T element) {
        return element instanceof Event ? (T) ((Event) element).copy() : element;
    }

    @Override
    public long heapBytes(T stored) {
        return stored instanceof Event
                ? ESTIMATED_BYTES + ((16 + ((Event) stored).payloadLength() + 7) & ~7L) : ESTIMATED_BYTES;
    }

    @Override
    public void write(T stored, StateWriter out) {
        out.writeString("value", serializer.toText(stored));
    }

    @Override
    public T read(StateReader in) {
        String text = in.readString("value");
        try {
            return serializer.fromText(text);
        } catch (IllegalArgumentException e) {
            throw new StateFormatException("a buffered join element does not read back with the job's serializer "
                    + serializer.getClass().getName() + ": " + e.getMessage());
        }
    }
}
