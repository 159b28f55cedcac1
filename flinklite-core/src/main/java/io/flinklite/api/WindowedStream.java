package io.flinklite.api;

import java.util.Objects;

/**
 * A keyed, windowed stream, as Flink's {@code WindowedStream}: set the allowed lateness and the late-data side
 * output, then {@link #aggregate}. Immutable.
 *
 * @param <T> the element type
 */
public final class WindowedStream<T> {
    private final JobDraft draft;

    WindowedStream(JobDraft draft) {
        this.draft = draft;
    }

    /**
     * Keeps each window's state for {@code allowedLatenessMs} after it fired: an element arriving in that time is
     * added and the window fires again at once with its full contents. Default 0.
     */
    public WindowedStream<T> allowedLateness(long allowedLatenessMs) {
        if (allowedLatenessMs < 0) {
            throw new IllegalArgumentException("allowed lateness must not be negative, got " + allowedLatenessMs + " ms");
        }
        return new WindowedStream<>(draft.withAllowedLateness(allowedLatenessMs));
    }

    /**
     * Elements later than the allowed lateness (every window they belong to is gone) are written, as their original
     * payload bytes, to {@code lateSink}. Without a side output they are only counted. Called again, every late
     * element goes to each late sink.
     */
    public WindowedStream<T> sideOutputLateData(Sink<byte[]> lateSink) {
        return new WindowedStream<>(draft.withLateSink(Objects.requireNonNull(lateSink, "lateSink")));
    }

    /** Aggregates each window incrementally with {@code function}; checkpoints store accumulators via {@code serializer}. */
    public <ACC, OUT> AggregatedStream<T, ACC, OUT> aggregate(AggregateFunction<? super T, ACC, OUT> function,
                                                             AccumulatorSerializer<ACC> serializer) {
        return new AggregatedStream<>(draft.withAggregate(Objects.requireNonNull(function, "function"),
                Objects.requireNonNull(serializer, "serializer")));
    }
}
