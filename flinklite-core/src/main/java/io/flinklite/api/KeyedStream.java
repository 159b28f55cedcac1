package io.flinklite.api;

import java.util.Objects;

/**
 * A stream partitioned by a string key; {@link #window} groups each key's elements into event-time windows,
 * {@link #process} hands them to a function with keyed state and timers, {@link #intervalJoin} pairs them with
 * another keyed stream's.
 *
 * @param <T> the element type
 */
public final class KeyedStream<T> {
    private final JobDraft draft;

    KeyedStream(JobDraft draft) {
        this.draft = draft;
    }

    public WindowedStream<T> window(WindowAssigner assigner) {
        return new WindowedStream<>(draft.withAssigner(Objects.requireNonNull(assigner, "assigner")));
    }

    /**
     * Processes each key's elements with keyed state and event-time timers, as Flink's {@code KeyedStream.process}.
     * {@code function} is the job's one instance: the engine calls its {@code open} for every operator it builds from
     * it (at start, and again when a restart restores a checkpoint), so only what its state handles hold is
     * checkpointed; keep nothing else in its fields.
     */
    public <OUT> ProcessedStream<T, OUT> process(KeyedProcessFunction<? super T, OUT> function) {
        return new ProcessedStream<>(draft.withProcess(Objects.requireNonNull(function, "function")));
    }

    /**
     * Starts an interval join with {@code other}, as Flink's {@code keyBy(..).intervalJoin(other.keyBy(..))
     * .between(lower, upper).process(function)}: each key's elements of this stream (left) pair with those of
     * {@code other} (right) of the same key within the bounds. Each side keeps its own key selector.
     */
    public <T2> IntervalJoin<T, T2> intervalJoin(KeyedStream<T2> other) {
        Objects.requireNonNull(other, "other");
        return new IntervalJoin<>(draft, other.draft.stream(), other.draft.keySelector());
    }
}
