package io.flinklite.api;

import java.util.Objects;

/**
 * What a join's function emits ({@link IntervalJoin.IntervalJoined#process},
 * {@link JoinedStreams.WithWindow#apply}); {@link #sinkTo} completes the job. Immutable.
 *
 * @param <OUT> the function's result type
 */
public final class JoinedStream<OUT> {
    private final JobDraft draft;

    JoinedStream(JobDraft draft) {
        this.draft = draft;
    }

    /**
     * Every element the function emits is written to {@code sink}; for several sinks, give {@link Sinks#fanOut}.
     * Completes the job.
     */
    public Job<Object, Void, OUT> sinkTo(Sink<OUT> sink) {
        return new Job<>(draft.withSink(Objects.requireNonNull(sink, "sink")));
    }
}
