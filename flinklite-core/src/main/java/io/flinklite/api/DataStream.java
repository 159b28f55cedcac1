package io.flinklite.api;

import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.Objects;

/**
 * A stream of elements between the source and {@link #keyBy}: filters and maps, applied in order on the task thread.
 * Immutable: every call returns a new stream.
 *
 * @param <T> the element type
 */
public final class DataStream<T> {
    private final Pipeline.EventSource source;
    private final List<Object> transformations;

    DataStream(Pipeline.EventSource source, List<Object> transformations) {
        this.source = source;
        this.transformations = transformations;
    }

    /** Keeps the elements {@code filter} accepts. */
    public DataStream<T> filter(FilterFunction<? super T> filter) {
        return new DataStream<>(source, append(Objects.requireNonNull(filter, "filter")));
    }

    /** Transforms every element. */
    public <R> DataStream<R> map(MapFunction<? super T, ? extends R> mapper) {
        return new DataStream<>(source, append(Objects.requireNonNull(mapper, "mapper")));
    }

    /** Partitions the stream by key; windows and their state are per key. */
    public KeyedStream<T> keyBy(KeySelector<? super T> keySelector) {
        return new KeyedStream<>(source, transformations, Objects.requireNonNull(keySelector, "keySelector"));
    }

    private List<Object> append(Object fn) {
        List<Object> next = new ArrayList<>(transformations);
        next.add(fn);
        return Collections.unmodifiableList(next);
    }
}
