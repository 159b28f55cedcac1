package io.flinklite.api;

import java.util.Objects;

/**
 * The output of a {@link KeyedProcessFunction} on a keyed stream ({@link KeyedStream#process}), as Flink's
 * {@code SingleOutputStreamOperator}: send its side outputs somewhere ({@link #sideOutputTo}), then its main output
 * ({@link #sinkTo}), which completes the job. Immutable.
 *
 * @param <T>   the element type the function processes
 * @param <OUT> the function's main output type
 */
public final class ProcessedStream<T, OUT> {
    private final JobDraft draft;

    ProcessedStream(JobDraft draft) {
        this.draft = draft;
    }

    /**
     * Every element the function emits to {@code tag} ({@code ctx.output(tag, value)}) is written to {@code sink}.
     * A side output without a sink is dropped; called again with the same tag, each element goes to each sink.
     */
    public <X> ProcessedStream<T, OUT> sideOutputTo(OutputTag<X> tag, Sink<X> sink) {
        return new ProcessedStream<>(draft.withSideOutput(new Job.SideOutput<>(tag, sink)));
    }

    /**
     * Every element of the function's main output is written to {@code sink}; for several sinks, give
     * {@link Sinks#fanOut}. Completes the job.
     */
    public Job<T, Void, OUT> sinkTo(Sink<OUT> sink) {
        return new Job<>(draft.withSink(Objects.requireNonNull(sink, "sink")));
    }
}
