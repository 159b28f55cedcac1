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
    private final Pipeline.EventSource source;
    private final List<Object> transformations;
    private final KeySelector<? super T> keySelector;
    private final WindowAssigner assigner;
    private final long allowedLatenessMs;
    private final Sink<byte[]> lateSink;
    private final AggregateFunction<? super T, ACC, OUT> function;
    private final AccumulatorSerializer<ACC> serializer;
    private final Sink<Windowed<OUT>> sink;

    Job(Pipeline.EventSource source, List<Object> transformations, KeySelector<? super T> keySelector,
        WindowAssigner assigner, long allowedLatenessMs, Sink<byte[]> lateSink,
        AggregateFunction<? super T, ACC, OUT> function, AccumulatorSerializer<ACC> serializer, Sink<Windowed<OUT>> sink) {
        this.source = source;
        this.transformations = transformations;
        this.keySelector = keySelector;
        this.assigner = assigner;
        this.allowedLatenessMs = allowedLatenessMs;
        this.lateSink = lateSink;
        this.function = function;
        this.serializer = serializer;
        this.sink = sink;
    }

    public Pipeline.EventSource source() { return source; }

    /** The filters ({@link FilterFunction}) and maps ({@link MapFunction}) between source and key, in order. */
    public List<Object> transformations() { return transformations; }

    public KeySelector<? super T> keySelector() { return keySelector; }

    public WindowAssigner assigner() { return assigner; }

    public long allowedLatenessMs() { return allowedLatenessMs; }

    /** The late-data side output; {@code null} when late elements are only counted. */
    public Sink<byte[]> lateSink() { return lateSink; }

    public AggregateFunction<? super T, ACC, OUT> function() { return function; }

    public AccumulatorSerializer<ACC> serializer() { return serializer; }

    public Sink<Windowed<OUT>> sink() { return sink; }
}
