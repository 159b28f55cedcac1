package io.flinklite.api;

/**
 * Declares a {@link MapState}: its name and the serializers of its keys and values.
 *
 * @param <K> the map's key type
 * @param <V> the map's value type
 */
public final class MapStateDescriptor<K, V> extends StateDescriptor {
    private final StateSerializer<K> keySerializer;
    private final StateSerializer<V> valueSerializer;

    public MapStateDescriptor(String name, StateSerializer<K> keySerializer, StateSerializer<V> valueSerializer) {
        super(name);
        this.keySerializer = checked(keySerializer, "keySerializer");
        this.valueSerializer = checked(valueSerializer, "valueSerializer");
    }

    public StateSerializer<K> keySerializer() {
        return keySerializer;
    }

    public StateSerializer<V> valueSerializer() {
        return valueSerializer;
    }

    @Override
    public String kind() {
        return "map";
    }
}
