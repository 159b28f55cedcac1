package io.flinklite.api;

import java.util.List;
import java.util.Objects;

/**
 * A stream partitioned by a string key; {@link #window} groups each key's elements into event-time windows.
 *
 * @param <T> the element type
 */
public final class KeyedStream<T> {
    private final Pipeline.EventSource source;
    private final List<Object> transformations;
    private final KeySelector<? super T> keySelector;

    KeyedStream(Pipeline.EventSource source, List<Object> transformations, KeySelector<? super T> keySelector) {
        this.source = source;
        this.transformations = transformations;
        this.keySelector = keySelector;
    }

    public WindowedStream<T> window(WindowAssigner assigner) {
        return new WindowedStream<>(source, transformations, keySelector, Objects.requireNonNull(assigner, "assigner"), 0, null);
    }
}
