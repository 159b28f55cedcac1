package io.flinklite.api;

import java.util.Objects;

/**
 * The window results of a job; {@link #sinkTo} completes the job description.
 *
 * @param <T>   the element type
 * @param <ACC> the accumulator type
 * @param <OUT> the aggregate's result type
 */
public final class AggregatedStream<T, ACC, OUT> {
    private final JobDraft draft;

    AggregatedStream(JobDraft draft) {
        this.draft = draft;
    }

    /**
     * Every firing, late firings included, is written to {@code sink} as one {@link Windowed} result. For more sinks,
     * call {@link Job#sinkTo} on the job returned.
     */
    public Job<T, ACC, OUT> sinkTo(Sink<Windowed<OUT>> sink) {
        return new Job<>(draft.withSink(Objects.requireNonNull(sink, "sink")));
    }
}
