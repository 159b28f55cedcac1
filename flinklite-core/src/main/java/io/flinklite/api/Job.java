package io.flinklite.api;

import java.util.List;

/**
 * A complete user job: source, transformations, key, window, aggregate, sinks. Built with {@link Pipeline}; the
 * engine reads it through these accessors. Immutable.
 *
 * @param <T>   the element type reaching the window
 * @param <ACC> the accumulator type
 * @param <OUT> the aggregate's result type
 */
public final class Job<T, ACC, OUT> {
    private final JobDraft draft;

    Job(JobDraft draft) {
        this.draft = draft;
    }

    public Pipeline.EventSource source() { return draft.source; }

    /** The filters ({@link FilterFunction}) and maps ({@link MapFunction}) between source and key, in order. */
    public List<Object> transformations() { return draft.transformations; }

    /** The key selector; its input is the element after the transformations. */
    @SuppressWarnings("unchecked")
    public KeySelector<? super T> keySelector() { return (KeySelector<? super T>) draft.keySelector; }

    public WindowAssigner assigner() { return draft.assigner; }

    public long allowedLatenessMs() { return draft.allowedLatenessMs; }

    /** The late-data side output; {@code null} when late elements are only counted. */
    public Sink<byte[]> lateSink() { return draft.lateSink; }

    @SuppressWarnings("unchecked")
    public AggregateFunction<? super T, ACC, OUT> function() { return (AggregateFunction<? super T, ACC, OUT>) draft.function; }

    @SuppressWarnings("unchecked")
    public AccumulatorSerializer<ACC> serializer() { return (AccumulatorSerializer<ACC>) draft.serializer; }

    @SuppressWarnings("unchecked")
    public Sink<Windowed<OUT>> sink() { return (Sink<Windowed<OUT>>) draft.sink; }
}
