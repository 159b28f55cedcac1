package io.flinklite.runtime.process;

import io.flinklite.api.MapState;
import io.flinklite.api.MapStateDescriptor;
import io.flinklite.api.StateSerializer;
import io.flinklite.runtime.state.StateReader;
import io.flinklite.runtime.state.StateWriter;

import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.Map;

/**
 * A {@link MapState}: the slot holds a non-empty {@link LinkedHashMap} (first-put order, kept by snapshots). In a
 * snapshot: {@code "map": [{"key": <text>, "value": <text>}...]}.
 */
final class MapStateHandle<K, V> extends DeclaredState implements MapState<K, V> {
    private final StateSerializer<K> keySerializer;
    private final StateSerializer<V> valueSerializer;

    MapStateHandle(KeyedStateBackend backend, int slot, MapStateDescriptor<K, V> descriptor) {
        super(backend, slot, descriptor);
        this.keySerializer = descriptor.keySerializer();
        this.valueSerializer = descriptor.valueSerializer();
    }

    @SuppressWarnings("unchecked")
    private LinkedHashMap<K, V> map() {
        return (LinkedHashMap<K, V>) contents();
    }

    @Override
    public V get(K key) {
        LinkedHashMap<K, V> map = map();
        return map == null ? null : map.get(key);
    }

    @Override
    public void put(K key, V value) {
        checkNotNull(key, "a map state key");
        checkNotNull(value, "a map state value");
        LinkedHashMap<K, V> map = map();
        if (map == null) {
            map = new LinkedHashMap<>();
            backend.currentForWrite().setState(slot, map);
        }
        map.put(key, value);
    }

    @Override
    public void putAll(Map<? extends K, ? extends V> entries) {
        for (Map.Entry<? extends K, ? extends V> e : entries.entrySet()) {
            checkNotNull(e.getKey(), "a map state key");
            checkNotNull(e.getValue(), "a map state value");
        }
        for (Map.Entry<? extends K, ? extends V> e : entries.entrySet()) {
            put(e.getKey(), e.getValue());
        }
    }

    @Override
    public void remove(K key) {
        LinkedHashMap<K, V> map = map();
        if (map != null && map.remove(key) != null && map.isEmpty()) {
            backend.current().setState(slot, null);
        }
    }

    @Override
    public boolean contains(K key) {
        LinkedHashMap<K, V> map = map();
        return map != null && map.containsKey(key);
    }

    @Override
    public boolean isEmpty() {
        return map() == null;
    }

    @Override
    public Map<K, V> entries() {
        LinkedHashMap<K, V> map = map();
        return map == null ? Map.of() : Collections.unmodifiableMap(map);
    }

    @Override
    @SuppressWarnings("unchecked")
    void write(Object contents, StateWriter out) {
        out.beginArray("map");
        for (Map.Entry<K, V> e : ((LinkedHashMap<K, V>) contents).entrySet()) {
            out.beginObject(null);
            out.writeString("key", toText(keySerializer, e.getKey(), this));
            out.writeString("value", toText(valueSerializer, e.getValue(), this));
            out.endObject();
        }
        out.endArray();
    }

    @Override
    Object read(StateReader in) {
        LinkedHashMap<K, V> map = new LinkedHashMap<>();
        in.beginArray("map");
        while (in.hasNext()) {
            in.beginObject(null);
            K key = fromText(keySerializer, in.readString("key"), this);
            V value = fromText(valueSerializer, in.readString("value"), this);
            in.endObject();
            map.put(key, value);
        }
        in.endArray();
        return map.isEmpty() ? null : map;
    }
}
