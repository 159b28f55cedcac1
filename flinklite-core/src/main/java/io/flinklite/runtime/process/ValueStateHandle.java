package io.flinklite.runtime.process;

import io.flinklite.api.StateSerializer;
import io.flinklite.api.ValueState;
import io.flinklite.api.ValueStateDescriptor;
import io.flinklite.runtime.state.StateReader;
import io.flinklite.runtime.state.StateWriter;

/** A {@link ValueState}: the slot holds the value itself. In a snapshot: {@code "value": <text>}. */
final class ValueStateHandle<T> extends DeclaredState implements ValueState<T> {
    private final StateSerializer<T> serializer;

    ValueStateHandle(KeyedStateBackend backend, int slot, ValueStateDescriptor<T> descriptor) {
        super(backend, slot, descriptor);
        this.serializer = descriptor.serializer();
    }

    @Override
    @SuppressWarnings("unchecked")
    public T value() {
        return (T) contents();
    }

    @Override
    public void update(T value) {
        if (value == null) {
            clear();
        } else {
            backend.currentForWrite().setState(slot, value);
        }
    }

    @Override
    @SuppressWarnings("unchecked")
    void write(Object contents, StateWriter out) {
        out.writeString("value", toText(serializer, (T) contents, this));
    }

    @Override
    Object read(StateReader in) {
        return fromText(serializer, in.readString("value"), this);
    }
}
