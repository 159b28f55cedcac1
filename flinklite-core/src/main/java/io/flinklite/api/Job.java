package io.flinklite.api;

import java.util.ArrayList;
import java.util.Collections;
import java.util.IdentityHashMap;
import java.util.List;
import java.util.Objects;
import java.util.Set;

/**
 * A complete user job: its input {@link #stream()} (sources, unions, transformations), key, then either a window and
 * an aggregate (a window job), a {@link KeyedProcessFunction} ({@link #isProcessJob()}), or a join with a second
 * keyed stream ({@link #isJoinJob()}: an interval join with a {@link ProcessJoinFunction} or a window join with a
 * {@link JoinFunction}), and sinks. Built with {@link Pipeline}; the engine reads it through these accessors and runs
 * it as a graph of operators. Immutable.
 *
 * <p>The job's sources ({@link #sources()}) are read in a fixed order: those of the input stream, in the order the
 * unions name them, then those of a join's second stream. That order binds them to the inputs the runtime has
 * (the topics of {@code run}, in the order of {@link JobContext#inputTopics()}).
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

    /** The first of the job's sources ({@link #sources()}); the only one of a job without unions or joins. */
    public Pipeline.EventSource source() { return sources().get(0); }

    /** Every source of the job, each once, in the order described above. */
    public List<Pipeline.EventSource> sources() {
        List<Pipeline.EventSource> all = new ArrayList<>(draft.stream().sources());
        if (draft.join() != null) {
            all.addAll(draft.join().right().sources());
        }
        return Collections.unmodifiableList(all);
    }

    /** The input stream up to the key: its sources, unions and transformations (a join's left input). */
    public Stream stream() { return draft.stream(); }

    /**
     * The filters ({@link FilterFunction}) and maps ({@link MapFunction}) of the input stream after its sources (or
     * after its union), in order: all of them for a job without unions.
     */
    public List<Object> transformations() { return draft.stream().transformations(); }

    /** The key selector; its input is the element after the transformations (a join's left key). */
    @SuppressWarnings("unchecked")
    public KeySelector<? super T> keySelector() { return (KeySelector<? super T>) draft.keySelector(); }

    /** The window of a window job or a window join; {@code null} otherwise. */
    public WindowAssigner assigner() { return draft.assigner(); }

    /** The allowed lateness of a window job or a window join; 0 otherwise. */
    public long allowedLatenessMs() { return draft.allowedLatenessMs(); }

    /**
     * The late-data side output's sinks (of the window, or of either input of a join), in the order given; empty
     * when late elements are only counted.
     */
    public List<Sink<byte[]>> lateSinks() { return draft.lateSinks(); }

    @SuppressWarnings("unchecked")
    public AggregateFunction<? super T, ACC, OUT> function() { return (AggregateFunction<? super T, ACC, OUT>) draft.function(); }

    @SuppressWarnings("unchecked")
    public AccumulatorSerializer<ACC> serializer() { return (AccumulatorSerializer<ACC>) draft.serializer(); }

    /**
     * The result sinks of a window job, in the order given; each receives every result. Empty for a process or a
     * join job.
     */
    @SuppressWarnings("unchecked")
    public List<Sink<Windowed<OUT>>> sinks() {
        return isWindowJob() ? (List<Sink<Windowed<OUT>>>) (List<?>) draft.sinks() : List.of();
    }

    /** True for a job that windows and aggregates one keyed stream (neither a process nor a join job). */
    public boolean isWindowJob() { return !isProcessJob() && !isJoinJob(); }

    /** True for a job built with {@link KeyedStream#intervalJoin} or {@link DataStream#join}. */
    public boolean isJoinJob() { return draft.join() != null; }

    /** A join job's join: the second input and what pairs them; {@code null} otherwise. */
    public Join join() { return draft.join(); }

    /**
     * The same window job, also writing every result to {@code sink} (after the sinks given so far).
     *
     * @throws IllegalStateException on a process job, whose sink takes its elements ({@link ProcessedStream#sinkTo};
     *                               several with {@link Sinks#fanOut})
     */
    public Job<T, ACC, OUT> sinkTo(Sink<Windowed<OUT>> sink) {
        if (!isWindowJob()) {
            throw new IllegalStateException("a process or join job writes its function's elements, not windows: give "
                    + "its sinks to sinkTo of the stream the function made (several with Sinks.fanOut)");
        }
        return new Job<>(draft.withSink(Objects.requireNonNull(sink, "sink")));
    }

    /** True for a job built with {@link KeyedStream#process}: no window, no aggregate; a process function. */
    public boolean isProcessJob() { return draft.processFunction() != null; }

    /** A process job's function ({@link KeyedStream#process}); {@code null} for a window job. */
    @SuppressWarnings("unchecked")
    public KeyedProcessFunction<? super T, OUT> processFunction() {
        return (KeyedProcessFunction<? super T, OUT>) draft.processFunction();
    }

    /** A process or join job's main-output sinks, in the order given; empty for a window job. */
    @SuppressWarnings("unchecked")
    public List<Sink<OUT>> outputSinks() {
        return isWindowJob() ? List.of() : (List<Sink<OUT>>) (List<?>) draft.sinks();
    }

    /** A process job's side outputs with their sinks ({@link ProcessedStream#sideOutputTo}), in the order given. */
    public List<SideOutput<?>> sideOutputs() { return draft.sideOutputs(); }

    /** Every sink of the job, each once, in the order given: results, late data, a process job's side outputs. */
    public List<Sink<?>> allSinks() {
        ArrayList<Sink<?>> all = new ArrayList<>(draft.sinks());
        all.addAll(draft.lateSinks());
        for (SideOutput<?> s : draft.sideOutputs()) {
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

    /**
     * A stream up to its key: either one source or the union of several streams, then filters and maps in order.
     * Immutable.
     */
    public static final class Stream {
        private final Pipeline.EventSource source;
        private final List<Stream> unionOf;
        private final List<Object> transformations;

        private Stream(Pipeline.EventSource source, List<Stream> unionOf, List<Object> transformations) {
            this.source = source;
            this.unionOf = unionOf;
            this.transformations = transformations;
        }

        static Stream of(Pipeline.EventSource source) {
            return new Stream(Objects.requireNonNull(source, "source"), List.of(), List.of());
        }

        /** @throws IllegalArgumentException when two of the streams read the same source */
        static Stream union(List<Stream> streams) {
            Stream u = new Stream(null, List.copyOf(streams), List.of());
            Set<Pipeline.EventSource> seen = Collections.newSetFromMap(new IdentityHashMap<>());
            Set<String> names = new java.util.HashSet<>();
            for (Pipeline.EventSource s : u.sources()) {
                if (!seen.add(s) || !names.add(s.name())) {
                    throw new IllegalArgumentException("a union reads each source once; source '" + s.name()
                            + "' is in it twice (give each input its own Pipeline.fromEvents with its own name)");
                }
            }
            return u;
        }

        Stream with(Object transformation) {
            return new Stream(source, unionOf, JobDraft.appended(transformations, transformation));
        }

        /** The source of a stream read from one source; {@code null} for a union. */
        public Pipeline.EventSource source() { return source; }

        /** The streams of a union, in the order given; empty for a stream read from one source. */
        public List<Stream> unionOf() { return unionOf; }

        /** The filters ({@link FilterFunction}) and maps ({@link MapFunction}) after the source or the union. */
        public List<Object> transformations() { return transformations; }

        /** Every source this stream reads, depth first, in the order given. */
        public List<Pipeline.EventSource> sources() {
            if (source != null) {
                return List.of(source);
            }
            List<Pipeline.EventSource> all = new ArrayList<>();
            for (Stream s : unionOf) {
                all.addAll(s.sources());
            }
            return Collections.unmodifiableList(all);
        }
    }

    /**
     * The join of a join job: the second (right) input with its own key, and either the bounds of an interval join
     * with its {@link ProcessJoinFunction} or (the window being {@link Job#assigner()}) a window join's
     * {@link JoinFunction}; the serializers that checkpoint each side's buffered elements. Immutable.
     */
    public static final class Join {
        private final Stream right;
        private final KeySelector<?> rightKeySelector;
        private final boolean interval;
        private final long lowerBoundMs;
        private final long upperBoundMs;
        private final Object function;
        private final StateSerializer<?> leftSerializer;
        private final StateSerializer<?> rightSerializer;

        Join(Stream right, KeySelector<?> rightKeySelector, boolean interval, long lowerBoundMs, long upperBoundMs,
             Object function, StateSerializer<?> leftSerializer, StateSerializer<?> rightSerializer) {
            this.right = Objects.requireNonNull(right, "right");
            this.rightKeySelector = Objects.requireNonNull(rightKeySelector, "rightKeySelector");
            this.interval = interval;
            this.lowerBoundMs = lowerBoundMs;
            this.upperBoundMs = upperBoundMs;
            this.function = Objects.requireNonNull(function, "function");
            this.leftSerializer = Objects.requireNonNull(leftSerializer, "leftSerializer");
            this.rightSerializer = Objects.requireNonNull(rightSerializer, "rightSerializer");
        }

        /** The right input up to its key. */
        public Stream right() { return right; }

        /** The right input's key selector (the left's is {@link Job#keySelector()}). */
        public KeySelector<?> rightKeySelector() { return rightKeySelector; }

        /** True for an interval join ({@link ProcessJoinFunction}); false for a window join ({@link JoinFunction}). */
        public boolean isInterval() { return interval; }

        /** An interval join's smallest {@code right.ts - left.ts} that pairs (inclusive, exclusive bounds applied). */
        public long lowerBoundMs() { return lowerBoundMs; }

        /** An interval join's largest {@code right.ts - left.ts} that pairs (inclusive, exclusive bounds applied). */
        public long upperBoundMs() { return upperBoundMs; }

        /** A {@link ProcessJoinFunction} for an interval join, a {@link JoinFunction} for a window join. */
        public Object function() { return function; }

        /** Checkpoints the left input's buffered elements. */
        public StateSerializer<?> leftSerializer() { return leftSerializer; }

        /** Checkpoints the right input's buffered elements. */
        public StateSerializer<?> rightSerializer() { return rightSerializer; }

        /** What shapes the join's state, for a checkpoint fingerprint. */
        @Override
        public String toString() {
            return interval ? "interval[" + lowerBoundMs + "," + upperBoundMs + "]" : "window";
        }
    }
}
