package io.flinklite.api;

import java.util.Objects;

/**
 * A stream of elements between the source and {@link #keyBy}: filters and maps, applied in order on the task thread.
 * Immutable: every call returns a new stream.
 *
 * @param <T> the element type
 */
public final class DataStream<T> {
    private final JobDraft draft;

    DataStream(JobDraft draft) {
        this.draft = draft;
    }

    /** Keeps the elements {@code filter} accepts. */
    public DataStream<T> filter(FilterFunction<? super T> filter) {
        return new DataStream<>(draft.withTransformation(Objects.requireNonNull(filter, "filter")));
    }

    /** Transforms every element. */
    public <R> DataStream<R> map(MapFunction<? super T, ? extends R> mapper) {
        return new DataStream<>(draft.withTransformation(Objects.requireNonNull(mapper, "mapper")));
    }

    /** Partitions the stream by key; windows and their state are per key. */
    public KeyedStream<T> keyBy(KeySelector<? super T> keySelector) {
        return new KeyedStream<>(draft.withKeySelector(Objects.requireNonNull(keySelector, "keySelector")));
    }
}
