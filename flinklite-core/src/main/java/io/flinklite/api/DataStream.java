package io.flinklite.api;

import java.util.ArrayList;
import java.util.List;
import java.util.Objects;

/**
 * A stream of elements before {@link #keyBy}: filters and maps, applied in order on the task thread, unions of
 * streams of the same type, and the start of a window join ({@link #join}). Immutable: every call returns a new
 * stream.
 *
 * @param <T> the element type
 */
public final class DataStream<T> {
    private final JobDraft draft;

    DataStream(JobDraft draft) {
        this.draft = draft;
    }

    /** The stream so far, for the join builders. */
    Job.Stream stream() {
        return draft.stream();
    }

    /** Keeps the elements {@code filter} accepts. */
    public DataStream<T> filter(FilterFunction<? super T> filter) {
        return new DataStream<>(draft.withStream(draft.stream().with(Objects.requireNonNull(filter, "filter"))));
    }

    /** Transforms every element. */
    public <R> DataStream<R> map(MapFunction<? super T, ? extends R> mapper) {
        return new DataStream<>(draft.withStream(draft.stream().with(Objects.requireNonNull(mapper, "mapper"))));
    }

    /**
     * One stream of this stream's elements and those of {@code others}, as Flink's {@code DataStream.union}: no
     * order between the inputs, each keeps its own order. Its watermark is the minimum of the inputs' (an idle input
     * left out, an ended one no longer holding it back).
     *
     * @throws IllegalArgumentException when two of the streams read the same source: each source is read once
     */
    @SafeVarargs
    public final DataStream<T> union(DataStream<T>... others) {
        List<Job.Stream> inputs = new ArrayList<>();
        inputs.add(draft.stream());
        for (DataStream<T> other : others) {
            inputs.add(Objects.requireNonNull(other, "a union's stream").stream());
        }
        return new DataStream<>(draft.withStream(Job.Stream.union(inputs)));
    }

    /** Partitions the stream by key; windows and their state are per key. */
    public KeyedStream<T> keyBy(KeySelector<? super T> keySelector) {
        return new KeyedStream<>(draft.withKeySelector(Objects.requireNonNull(keySelector, "keySelector")));
    }

    /**
     * Starts a window join with {@code other}, as Flink's {@code join(other).where(key1).equalTo(key2)
     * .window(assigner).apply(function)}: every pair of this stream's and {@code other}'s elements of the same key in
     * the same window.
     */
    public <T2> JoinedStreams<T, T2> join(DataStream<T2> other) {
        return new JoinedStreams<>(draft, Objects.requireNonNull(other, "other").stream());
    }
}
