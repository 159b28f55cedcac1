package io.flinklite.api;

import java.util.Map;

/**
 * A map per key, as Flink's {@code MapState}: reads and writes the map of the key being processed. Iteration follows
 * the order in which entries were first put, also after a restore. Task thread only, inside
 * {@link KeyedProcessFunction#processElement} and {@link KeyedProcessFunction#onTimer}.
 *
 * @param <K> the map's key type; keys are never {@code null}
 * @param <V> the map's value type; values are never {@code null}
 */
public interface MapState<K, V> {

    /** The value of {@code key} in the current key's map; {@code null} when absent. */
    V get(K key);

    /** Puts an entry into the current key's map. */
    void put(K key, V value);

    /** Puts every entry of {@code entries}. */
    void putAll(Map<? extends K, ? extends V> entries);

    /** Removes {@code key} from the current key's map; no-op when absent. */
    void remove(K key);

    boolean contains(K key);

    /** True when the current key's map has no entry. */
    boolean isEmpty();

    /** The current key's map as a read-only view, valid until the state is next changed; empty when it has none. */
    Map<K, V> entries();

    /** Removes the current key's whole map. */
    void clear();
}
