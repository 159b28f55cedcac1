package io.flinklite.api;

import java.util.List;

/**
 * A list per key, as Flink's {@code ListState}: appends and reads the list of the key being processed. Task thread
 * only, inside {@link KeyedProcessFunction#processElement} and {@link KeyedProcessFunction#onTimer}.
 *
 * @param <T> the element type; elements are never {@code null}
 */
public interface ListState<T> {

    /**
     * The current key's elements in the order they were added; empty when it has none. A read-only view, valid until
     * the state is next changed.
     */
    List<T> get();

    /** Appends {@code value} (not {@code null}) to the current key's list. */
    void add(T value);

    /** Appends every element of {@code values} (none {@code null}). */
    void addAll(List<? extends T> values);

    /** Replaces the current key's list with {@code values} (none {@code null}); an empty list clears it. */
    void update(List<? extends T> values);

    /** Removes the current key's list. */
    void clear();
}
