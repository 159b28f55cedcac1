package io.flinklite.api;

import java.util.ArrayList;
import java.util.Collections;
import java.util.IdentityHashMap;
import java.util.List;
import java.util.Objects;
import java.util.Set;

/**
 * A complete user job: source, transformations, key, then either a window and an aggregate (a window job) or a
 * {@link KeyedProcessFunction} ({@link #isProcessJob()}), and sinks. Built with {@link Pipeline}; the
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

    /** The result sinks of a window job, in the order given; each receives every result. Empty for a process job. */
    @SuppressWarnings("unchecked")
    public List<Sink<Windowed<OUT>>> sinks() {
        return isProcessJob() ? List.of() : (List<Sink<Windowed<OUT>>>) (List<?>) draft.sinks;
    }

    /**
     * The same window job, also writing every result to {@code sink} (after the sinks given so far).
     *
     * @throws IllegalStateException on a process job, whose sink takes its elements ({@link ProcessedStream#sinkTo};
     *                               several with {@link Sinks#fanOut})
     */
    public Job<T, ACC, OUT> sinkTo(Sink<Windowed<OUT>> sink) {
        if (isProcessJob()) {
            throw new IllegalStateException("a process job writes its function's elements, not windows: give its "
                    + "sinks to ProcessedStream.sinkTo (several with Sinks.fanOut)");
        }
        return new Job<>(draft.withSink(Objects.requireNonNull(sink, "sink")));
    }

    /** True for a job built with {@link KeyedStream#process}: no window, no aggregate; a process function. */
    public boolean isProcessJob() { return draft.processFunction != null; }

    /** A process job's function ({@link KeyedStream#process}); {@code null} for a window job. */
    @SuppressWarnings("unchecked")
    public KeyedProcessFunction<? super T, OUT> processFunction() {
        return (KeyedProcessFunction<? super T, OUT>) draft.processFunction;
    }

    /** A process job's main-output sinks, in the order given; empty for a window job. */
    @SuppressWarnings("unchecked")
    public List<Sink<OUT>> outputSinks() {
        return isProcessJob() ? (List<Sink<OUT>>) (List<?>) draft.sinks : List.of();
    }

    /** A process job's side outputs with their sinks ({@link ProcessedStream#sideOutputTo}), in the order given. */
    public List<SideOutput<?>> sideOutputs() { return draft.sideOutputs; }

    /** Every sink of the job, each once, in the order given: results, late data, a process job's side outputs. */
    public List<Sink<?>> allSinks() {
        ArrayList<Sink<?>> all = new ArrayList<>(draft.sinks);
        all.addAll(draft.lateSinks);
        for (SideOutput<?> s : draft.sideOutputs) {
            all.add(s.sink());
        }
        Set<Sink<?>> seen = Collections.newSetFromMap(new IdentityHashMap<>());
        all.removeIf(s -> !seen.add(s));
        return Collections.unmodifiableList(all);
    }

    /** One side output of a process function and the sink its elements go to. Immutable. */
    public static final class SideOutput<X> {
        private final OutputTag<X> tag;
        private final Sink<X> sink;

        SideOutput(OutputTag<X> tag, Sink<X> sink) {
            this.tag = Objects.requireNonNull(tag, "tag");
            this.sink = Objects.requireNonNull(sink, "sink");
        }

        public OutputTag<X> tag() { return tag; }

        public Sink<X> sink() { return sink; }
    }
}
