package io.flinklite.api;

import java.util.List;
import java.util.Objects;

/**
 * The window results of a job; {@link #sinkTo} completes the job description.
 *
 * @param <T>   the element type
 * @param <ACC> the accumulator type
 * @param <OUT> the aggregate's result type
 */
public final class AggregatedStream<T, ACC, OUT> {
    private final Pipeline.EventSource source;
    private final List<Object> transformations;
    private final KeySelector<? super T> keySelector;
    private final WindowAssigner assigner;
    private final long allowedLatenessMs;
    private final Sink<byte[]> lateSink;
    private final AggregateFunction<? super T, ACC, OUT> function;
    private final AccumulatorSerializer<ACC> serializer;

    AggregatedStream(Pipeline.EventSource source, List<Object> transformations, KeySelector<? super T> keySelector,
                     WindowAssigner assigner, long allowedLatenessMs, Sink<byte[]> lateSink,
                     AggregateFunction<? super T, ACC, OUT> function, AccumulatorSerializer<ACC> serializer) {
        this.source = source;
        this.transformations = transformations;
        this.keySelector = keySelector;
        this.assigner = assigner;
        this.allowedLatenessMs = allowedLatenessMs;
        this.lateSink = lateSink;
        this.function = function;
        this.serializer = serializer;
    }

    /** Every firing, late firings included, is written to {@code sink} as one {@link Windowed} result. */
    public Job<T, ACC, OUT> sinkTo(Sink<Windowed<OUT>> sink) {
        return new Job<>(source, transformations, keySelector, assigner, allowedLatenessMs, lateSink, function, serializer,
                Objects.requireNonNull(sink, "sink"));
    }
}
