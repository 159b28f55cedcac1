package io.flinklite.runtime.process;

import io.flinklite.api.ListState;
import io.flinklite.api.ListStateDescriptor;
import io.flinklite.api.MapState;
import io.flinklite.api.MapStateDescriptor;
import io.flinklite.api.RuntimeContext;
import io.flinklite.api.StateDescriptor;
import io.flinklite.api.ValueState;
import io.flinklite.api.ValueStateDescriptor;
import io.flinklite.runtime.state.KeyGroupedState;
import io.flinklite.runtime.state.StateFormatException;
import io.flinklite.runtime.state.StateReader;
import io.flinklite.runtime.state.StateWriter;

import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Objects;
import java.util.function.Function;

/**
 * The keyed state and event-time timers of one {@link KeyedProcessOperator}, on the heap: a {@link KeyEntry} per key
 * that holds something, the current key, and the {@link TimerHeap}. It is also the {@link RuntimeContext} the
 * function declares its states with, until {@link #seal()}.
 *
 * <p>The current key is set around each call into the function ({@link #enter}, {@link #leave}); state handles and
 * timers act on it. A key's entry is created on its first write and dropped when a call leaves it empty, so a key
 * that keeps nothing costs nothing per element. Task thread only.
 */
final class KeyedStateBackend implements RuntimeContext {
    private final List<DeclaredState> states = new ArrayList<>();
    private boolean sealed;
    private final HashMap<String, KeyEntry> keys = new HashMap<>();
    private final TimerHeap timers = new TimerHeap();
    private long pendingTimers;
    private String currentKey;
    private KeyEntry current;
    /** The time of the timer {@link #pollDue} took last. */
    long polledTime;

    // ---- declaring state (RuntimeContext) ----

    @Override
    public <T> ValueState<T> getState(ValueStateDescriptor<T> descriptor) {
        return declare(descriptor, ValueStateHandle.class, slot -> new ValueStateHandle<>(this, slot, descriptor));
    }

    @Override
    public <T> ListState<T> getListState(ListStateDescriptor<T> descriptor) {
        return declare(descriptor, ListStateHandle.class, slot -> new ListStateHandle<>(this, slot, descriptor));
    }

    @Override
    public <K, V> MapState<K, V> getMapState(MapStateDescriptor<K, V> descriptor) {
        return declare(descriptor, MapStateHandle.class, slot -> new MapStateHandle<>(this, slot, descriptor));
    }

    @SuppressWarnings({"unchecked", "rawtypes"})
    private <H> H declare(StateDescriptor descriptor, Class<? extends DeclaredState> kind,
                          Function<Integer, ? extends DeclaredState> create) {
        Objects.requireNonNull(descriptor, "descriptor");
        if (sealed) {
            throw new IllegalStateException("declare " + descriptor + " in open(), not later: a checkpoint restores "
                    + "state into the states declared there");
        }
        for (DeclaredState s : states) {
            if (s.descriptor.name().equals(descriptor.name())) {
                if (!kind.isInstance(s)) {
                    throw new IllegalArgumentException(descriptor + " is already declared as " + s.descriptor);
                }
                return (H) s;
            }
        }
        DeclaredState s = create.apply(states.size());
        states.add(s);
        return (H) s;
    }

    /** Ends the declarations: {@code open} returned. */
    void seal() {
        sealed = true;
    }

    // ---- the current key ----

    /** Makes {@code key} current for the coming call into the function. */
    void enter(String key) {
        currentKey = key;
        current = keys.get(key);
    }

    /** After the call: drops the current key's entry when the call left it empty. */
    void leave() {
        if (current != null && current.isEmpty()) {
            keys.remove(currentKey);
        }
        currentKey = null;
        current = null;
    }

    /** The current key's entry; {@code null} when it holds nothing. */
    KeyEntry current() {
        if (currentKey == null) {
            throw outsideACall();
        }
        return current;
    }

    /** The current key's entry, created when it holds nothing yet. */
    KeyEntry currentForWrite() {
        if (current == null) {
            if (currentKey == null) {
                throw outsideACall();
            }
            current = new KeyEntry(currentKey, states.size());
            keys.put(currentKey, current);
        }
        return current;
    }

    String currentKey() {
        return currentKey;
    }

    private static IllegalStateException outsideACall() {
        return new IllegalStateException("keyed state and timers are only available while processElement or onTimer "
                + "runs (they act on its key)");
    }

    // ---- timers ----

    void registerTimer(long time) {
        KeyEntry e = currentForWrite();
        if (e.timerCount == 0) {
            e.addTimer(time);
            timers.add(e);
        } else {
            long before = e.earliestTimer();
            if (!e.addTimer(time)) {
                return;
            }
            if (time < before) {
                timers.changed(e);
            }
        }
        pendingTimers++;
    }

    void deleteTimer(long time) {
        KeyEntry e = current();
        if (e == null) {
            return;
        }
        int index = e.removeTimer(time);
        if (index < 0) {
            return;
        }
        pendingTimers--;
        if (e.timerCount == 0) {
            timers.remove(e);
        } else if (index == 0) {
            timers.changed(e);
        }
    }

    /**
     * Takes the earliest timer if it is due at {@code watermarkMs} (its time is then in {@link #polledTime}) and
     * makes its key current; call {@link #leave} after firing it. False when no timer is due.
     */
    boolean pollDue(long watermarkMs) {
        if (timers.size() == 0) {
            return false;
        }
        KeyEntry e = timers.peek();
        long time = e.earliestTimer();
        if (time > watermarkMs) {
            return false;
        }
        e.removeTimer(time);
        pendingTimers--;
        if (e.timerCount == 0) {
            timers.remove(e);
        } else {
            timers.changed(e);
        }
        currentKey = e.key;
        current = e;
        polledTime = time;
        return true;
    }

    /** Keys holding state or timers. */
    int keys() {
        return keys.size();
    }

    /** Timers registered and not yet fired or deleted. */
    long pendingTimers() {
        return pendingTimers;
    }

    // ---- snapshot / restore ----

    /**
     * Writes {@code "states": [{"name", "kind"}]} (what was declared, in order) and {@code "keyGroups": [{"keyGroup",
     * "keys": [{"key", "timers": [time...], "state": [{"name", <contents>}]}]}]}: key groups ascending, keys sorted,
     * timers ascending, a key's non-empty states in declaration order. Groups without keys are left out.
     */
    void snapshot(StateWriter out) {
        out.beginArray("states");
        for (DeclaredState s : states) {
            out.beginObject(null);
            out.writeString("name", s.descriptor.name());
            out.writeString("kind", s.descriptor.kind());
            out.endObject();
        }
        out.endArray();
        KeyGroupedState.write(out, keys.values(), e -> e.key, this::writeKey);
    }

    private void writeKey(KeyEntry e, StateWriter out) {
        out.beginArray("timers");
        for (int i = 0; i < e.timerCount; i++) {
            out.writeLong(null, e.timers[i]);
        }
        out.endArray();
        out.beginArray("state");
        for (DeclaredState s : states) {
            Object contents = e.state(s.slot);
            if (contents != null) {
                out.beginObject(null);
                out.writeString("name", s.descriptor.name());
                s.write(contents, out);
                out.endObject();
            }
        }
        out.endArray();
    }

    /**
     * Adds what {@link #snapshot} wrote: any subset of key groups, from one snapshot or several. Checks that every
     * state it holds is declared, with the same kind.
     *
     * @throws StateFormatException when it is malformed, puts a key in the wrong group, repeats a key, or holds a
     *                              state the function does not declare
     */
    void restore(StateReader in) {
        in.beginArray("states");
        while (in.hasNext()) {
            in.beginObject(null);
            String name = in.readString("name");
            String kind = in.readString("kind");
            in.endObject();
            DeclaredState s = declared(name);
            if (!s.descriptor.kind().equals(kind)) {
                throw new StateFormatException("the checkpoint holds " + kind + " state '" + name
                        + "', but the function declares " + s.descriptor);
            }
        }
        in.endArray();
        KeyGroupedState.read(in, this::readKey);
    }

    private void readKey(String key, StateReader in) {
        if (keys.containsKey(key)) {
            throw new StateFormatException("key '" + key + "' is restored twice");
        }
        KeyEntry e = new KeyEntry(key, states.size());
        in.beginArray("timers");
        while (in.hasNext()) {
            long time = in.readLong(null);
            if (!e.addTimer(time)) {
                throw new StateFormatException("key '" + key + "' has the timer " + time + " twice");
            }
        }
        in.endArray();
        in.beginArray("state");
        while (in.hasNext()) {
            in.beginObject(null);
            DeclaredState s = declared(in.readString("name"));
            e.setState(s.slot, s.read(in));
            in.endObject();
        }
        in.endArray();
        if (e.isEmpty()) {
            return;
        }
        keys.put(key, e);
        if (e.timerCount > 0) {
            timers.add(e);
            pendingTimers += e.timerCount;
        }
    }

    private DeclaredState declared(String name) {
        for (DeclaredState s : states) {
            if (s.descriptor.name().equals(name)) {
                return s;
            }
        }
        throw new StateFormatException("the checkpoint holds state '" + name + "', which the function does not "
                + "declare (it declares " + declaredNames() + "); a renamed state loses its contents, so this "
                + "checkpoint belongs to another version of the job");
    }

    private String declaredNames() {
        if (states.isEmpty()) {
            return "none";
        }
        StringBuilder b = new StringBuilder();
        for (DeclaredState s : states) {
            b.append(b.length() == 0 ? "" : ", ").append('\'').append(s.descriptor.name()).append('\'');
        }
        return b.toString();
    }
}
