package io.flinklite.runtime.process;

import io.flinklite.api.ListState;
import io.flinklite.api.ListStateDescriptor;
import io.flinklite.api.StateSerializer;
import io.flinklite.runtime.state.StateReader;
import io.flinklite.runtime.state.StateWriter;

import java.util.ArrayList;
import java.util.Collections;
import java.util.List;

/** A {@link ListState}: the slot holds a non-empty {@link ArrayList}. In a snapshot: {@code "list": [<text>...]}. */
final class ListStateHandle<T> extends DeclaredState implements ListState<T> {
    private final StateSerializer<T> serializer;

    ListStateHandle(KeyedStateBackend backend, int slot, ListStateDescriptor<T> descriptor) {
        super(backend, slot, descriptor);
        this.serializer = descriptor.elementSerializer();
    }

    @SuppressWarnings("unchecked")
    private ArrayList<T> list() {
        return (ArrayList<T>) contents();
    }

    @Override
    public List<T> get() {
        ArrayList<T> list = list();
        return list == null ? List.of() : Collections.unmodifiableList(list);
    }

    @Override
    public void add(T value) {
        checkNotNull(value, "a list state element");
        ArrayList<T> list = list();
        if (list == null) {
            list = new ArrayList<>(4);
            backend.currentForWrite().setState(slot, list);
        }
        list.add(value);
    }

    @Override
    public void addAll(List<? extends T> values) {
        for (T v : values) {
            checkNotNull(v, "a list state element");
        }
        for (T v : values) {
            add(v);
        }
    }

    @Override
    public void update(List<? extends T> values) {
        for (T v : values) {
            checkNotNull(v, "a list state element");
        }
        if (values.isEmpty()) {
            clear();
        } else {
            backend.currentForWrite().setState(slot, new ArrayList<T>(values));
        }
    }

    @Override
    @SuppressWarnings("unchecked")
    void write(Object contents, StateWriter out) {
        out.beginArray("list");
        for (T v : (ArrayList<T>) contents) {
            out.writeString(null, toText(serializer, v, this));
        }
        out.endArray();
    }

    @Override
    Object read(StateReader in) {
        ArrayList<T> list = new ArrayList<>();
        in.beginArray("list");
        while (in.hasNext()) {
            list.add(fromText(serializer, in.readString(null), this));
        }
        in.endArray();
        return list.isEmpty() ? null : list;
    }
}
