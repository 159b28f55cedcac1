package io.flinklite.api;

import java.util.List;
import java.util.Objects;

/**
 * A complete user job: source, transformations, key, window, aggregate, sinks. Built with {@link Pipeline}; the
 * engine reads it through these accessors and runs it as a graph of operators. Immutable.
 *
 * <p>A job may write its results to several sinks, each getting every result ({@link #sinkTo} again), and its late
 * data to several late sinks ({@link WindowedStream#sideOutputLateData} again).
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

    /** The late-data side output's sinks, in the order given; empty when late elements are only counted. */
    public List<Sink<byte[]>> lateSinks() { return draft.lateSinks; }

    @SuppressWarnings("unchecked")
    public AggregateFunction<? super T, ACC, OUT> function() { return (AggregateFunction<? super T, ACC, OUT>) draft.function; }

    @SuppressWarnings("unchecked")
    public AccumulatorSerializer<ACC> serializer() { return (AccumulatorSerializer<ACC>) draft.serializer; }

    /** The result sinks, in the order given; each receives every result. */
    @SuppressWarnings("unchecked")
    public List<Sink<Windowed<OUT>>> sinks() { return (List<Sink<Windowed<OUT>>>) (List<?>) draft.sinks; }

    /** The same job, also writing every result to {@code sink} (after the sinks given so far). */
    public Job<T, ACC, OUT> sinkTo(Sink<Windowed<OUT>> sink) {
        return new Job<>(draft.withSink(Objects.requireNonNull(sink, "sink")));
    }
}
