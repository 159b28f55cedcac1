package io.flinklite.api;

import java.util.List;
import java.util.Objects;

/**
 * A keyed, windowed stream, as Flink's {@code WindowedStream}: set the allowed lateness and the late-data side
 * output, then {@link #aggregate}. Immutable.
 *
 * @param <T> the element type
 */
public final class WindowedStream<T> {
    private final Pipeline.EventSource source;
    private final List<Object> transformations;
    private final KeySelector<? super T> keySelector;
    private final WindowAssigner assigner;
    private final long allowedLatenessMs;
    private final Sink<byte[]> lateSink;

    WindowedStream(Pipeline.EventSource source, List<Object> transformations, KeySelector<? super T> keySelector,
                   WindowAssigner assigner, long allowedLatenessMs, Sink<byte[]> lateSink) {
        this.source = source;
        this.transformations = transformations;
        this.keySelector = keySelector;
        this.assigner = assigner;
        this.allowedLatenessMs = allowedLatenessMs;
        this.lateSink = lateSink;
    }

    /**
     * Keeps each window's state for {@code allowedLatenessMs} after it fired: an element arriving in that time is
     * added and the window fires again at once with its full contents. Default 0.
     */
    public WindowedStream<T> allowedLateness(long allowedLatenessMs) {
        if (allowedLatenessMs < 0) {
            throw new IllegalArgumentException("allowed lateness must not be negative, got " + allowedLatenessMs + " ms");
        }
        return new WindowedStream<>(source, transformations, keySelector, assigner, allowedLatenessMs, lateSink);
    }

    /**
     * Elements later than the allowed lateness (every window they belong to is gone) are written, as their original
     * payload bytes, to {@code lateSink}. Without a side output they are only counted.
     */
    public WindowedStream<T> sideOutputLateData(Sink<byte[]> lateSink) {
        return new WindowedStream<>(source, transformations, keySelector, assigner, allowedLatenessMs,
                Objects.requireNonNull(lateSink, "lateSink"));
    }

    /** Aggregates each window incrementally with {@code function}; checkpoints store accumulators via {@code serializer}. */
    public <ACC, OUT> AggregatedStream<T, ACC, OUT> aggregate(AggregateFunction<? super T, ACC, OUT> function,
                                                             AccumulatorSerializer<ACC> serializer) {
        return new AggregatedStream<>(source, transformations, keySelector, assigner, allowedLatenessMs, lateSink,
                Objects.requireNonNull(function, "function"), Objects.requireNonNull(serializer, "serializer"));
    }
}
