package io.flinklite.runtime.graph;

import io.flinklite.api.Event;
import io.flinklite.api.FilterFunction;
import io.flinklite.api.Job;
import io.flinklite.api.KeyedProcessFunction;
import io.flinklite.api.KeySelector;
import io.flinklite.api.MapFunction;
import io.flinklite.api.OutputTag;
import io.flinklite.api.Sink;
import io.flinklite.api.WindowResult;
import io.flinklite.api.Windowed;
import io.flinklite.job.JobSpec;
import io.flinklite.job.JoinSpec;
import io.flinklite.job.TimestampSpec;
import io.flinklite.runtime.join.IntervalJoinOperator;
import io.flinklite.runtime.join.JoinedPair;
import io.flinklite.runtime.join.JsonPayloadCodec;
import io.flinklite.runtime.join.WindowJoinOperator;
import io.flinklite.runtime.operator.OperatorTags;
import io.flinklite.runtime.operator.Output;
import io.flinklite.runtime.process.KeyedProcessOperator;
import io.flinklite.runtime.window.BuiltinAggregator;
import io.flinklite.runtime.window.UserAggregator;
import io.flinklite.runtime.window.WindowOperator;

import java.util.List;
import java.util.Objects;

/**
 * The two ways a job becomes a {@link JobGraph}: the CLI's built-in job ({@link JobSpec}) and a user job built with
 * {@link io.flinklite.api.Pipeline}. Both are a source, filters (and maps), a keyed edge into the window operator
 * ({@code "windows"}), its results to the result sinks and its late side output to the late sinks; a user's process
 * job has the keyed process operator ({@code "process"}) instead, its main output to the result sinks and each side
 * output to its sinks.
 *
 * <p>A graph from here is built for one task: the built-in job's operators share one per-type counter table.
 */
public final class JobGraphs {
    /** The id of the one source of these graphs. */
    public static final String SOURCE = "events";
    /** The id of the window operator, under which its state is snapshotted (the name checkpoints have always used). */
    public static final String WINDOWS = "windows";
    /** The id of a process job's keyed process operator, under which its state is snapshotted. */
    public static final String PROCESS = "process";

    private static final KeySelector<Event> EVENT_KEY = Event::key;

    private JobGraphs() {
    }

    /**
     * The built-in job of {@code spec}: keep the selected types, key by the key field, window, aggregate; results as
     * {@link WindowResult}s.
     *
     * @param idleTimeoutMs     when a silent partition stops holding the watermark back (0: never)
     * @param lateOutput        where events later than the allowed lateness go, as their original bytes; {@code null}
     *                          to only count them
     */
    public static JobGraph builtIn(JobSpec spec, long idleTimeoutMs, boolean wallClockWhenIdle,
                                   Sink<WindowResult> results, Sink<byte[]> lateOutput) {
        return builtIn(spec, 1, idleTimeoutMs, wallClockWhenIdle, results, lateOutput);
    }

    /**
     * The built-in job over {@code sources} inputs read as one stream (a union, e.g. several Kafka topics): each
     * input a source of its own ({@value #SOURCE}, then {@code events-2}, ...) with its own partition watermarks,
     * all into the one type filter, whose watermark is their minimum. One source is {@link #builtIn(JobSpec, long,
     * boolean, Sink, Sink)}, state layout included.
     */
    public static JobGraph builtIn(JobSpec spec, int sources, long idleTimeoutMs, boolean wallClockWhenIdle,
                                   Sink<WindowResult> results, Sink<byte[]> lateOutput) {
        Objects.requireNonNull(results, "results");
        if (sources < 1) {
            throw new IllegalArgumentException("a job needs at least one source, got " + sources);
        }
        SelectionCache selection = new SelectionCache(spec);
        EventFormat format = builtInFormat(spec, selection);
        JobGraph.Builder b = JobGraph.builder();
        for (int i = 0; i < sources; i++) {
            b.source(sourceId(i), format, spec.outOfOrdernessMs(), idleTimeoutMs, wallClockWhenIdle);
        }
        b.operator("types", out -> new TypeFilterOperator(selection, out), false)
                .operator(WINDOWS, out -> new WindowOperator(spec.window().assigner(), spec.allowedLatenessMs(),
                        new BuiltinAggregator(spec.aggregate().kind(), out), out))
                .operator("late-types", out -> new LateTypeCounter(selection), false)
                .sink("results", results, JobGraph.SinkKind.ELEMENTS)
                .edge("types", null, WINDOWS, 1, EVENT_KEY)
                .edge(WINDOWS, "results")
                .edge(WINDOWS, OperatorTags.LATE_DATA, "late-types", 1, null);
        for (int i = 0; i < sources; i++) {
            b.edge(sourceId(i), "types");
        }
        if (lateOutput != null) {
            b.sink("late", lateOutput, JobGraph.SinkKind.RECORDS)
                    .edge(WINDOWS, OperatorTags.LATE_DATA, "late", 1, null);
        }
        return b.fingerprint(spec.fingerprint()).build();
    }

    /** The id of a scaled-out job's shuffle writer (its state's name in a source task's snapshot). */
    public static final String SHUFFLE = "shuffle";

    /**
     * A source task of the built-in job scaled out (issue 12, {@code runtime.shuffle.ShuffledJob}): the one source
     * ({@value #SOURCE}, the task's partition, its watermark and idleness), the type filter, then keyed by the key
     * field into {@code writer} ({@value #SHUFFLE}), which writes the repartition stream. Window, lateness and results
     * are the keyed tasks'.
     */
    public static JobGraph shuffleSource(JobSpec spec, long idleTimeoutMs, boolean wallClockWhenIdle,
                                         io.flinklite.runtime.operator.OperatorFactory writer) {
        SelectionCache selection = new SelectionCache(spec);
        return JobGraph.builder()
                .source(SOURCE, builtInFormat(spec, selection), spec.outOfOrdernessMs(), idleTimeoutMs, wallClockWhenIdle)
                .operator("types", out -> new TypeFilterOperator(selection, out), false)
                .operator(SHUFFLE, writer)
                .edge(SOURCE, "types")
                .edge("types", null, SHUFFLE, 1, EVENT_KEY)
                .fingerprint("shuffleSource;" + spec.fingerprint())
                .build();
    }

    /** The built-in job's input format: only events that reach a value aggregate need a value. */
    private static EventFormat builtInFormat(JobSpec spec, SelectionCache selection) {
        boolean needsValue = spec.aggregate().hasValue();
        // Events that are filtered out need no value, whatever they carry.
        return new EventFormat(spec.keyField(), spec.aggregate().field(), spec.timestamps(),
                needsValue ? e -> selection.selects(e.key()) : e -> false);
    }

    /** The id of source {@code i} of the built-in job: {@value #SOURCE}, then {@code events-2}, ... */
    private static String sourceId(int i) {
        return i == 0 ? SOURCE : SOURCE + "-" + (i + 1);
    }

    /** The two sources of a join, in input order. */
    public static final String LEFT = "left";
    /** @see #LEFT */
    public static final String RIGHT = "right";
    /** The id of the join operator, under which its state is snapshotted. */
    public static final String JOIN = "join";

    /**
     * The built-in stream-stream join (issue 13): two sources, {@value #LEFT} and {@value #RIGHT}, decoded alike
     * (the spec's key field and timestamps), each through the type filter, keyed by the key into the interval or
     * window join; pairs (the two JSON objects as read, see {@link JoinedPair}) to {@code pairs}, late events of
     * either side, as their original bytes, to {@code lateOutput}. The join's watermark is the minimum of the two
     * sides'; each side keeps per-partition watermarks and idleness as the single-input job does. The spec's
     * allowed lateness applies to window joins only (Flink's interval join has none); its window and aggregate do
     * not apply.
     *
     * @param lateOutput null to only count late events
     */
    public static JobGraph join(JobSpec spec, JoinSpec join, long idleTimeoutMs, boolean wallClockWhenIdle,
                                Sink<JoinedPair<byte[], byte[]>> pairs, Sink<byte[]> lateOutput) {
        Objects.requireNonNull(pairs, "pairs");
        SelectionCache selection = new SelectionCache(spec);
        EventFormat format = new EventFormat(spec.keyField(), null, spec.timestamps(), e -> false);
        @SuppressWarnings("unchecked")
        OutputTag<Event> late = (OutputTag<Event>) (OutputTag<?>) OperatorTags.LATE_DATA;
        JobGraph.Builder b = JobGraph.builder()
                .source(LEFT, format, spec.outOfOrdernessMs(), idleTimeoutMs, wallClockWhenIdle)
                .source(RIGHT, format, spec.outOfOrdernessMs(), idleTimeoutMs, wallClockWhenIdle)
                .operator("types-left", out -> new TypeFilterOperator(selection, out), false)
                .operator("types-right", out -> new TypeFilterOperator(selection, out), false)
                .operator(JOIN, out -> {
                    @SuppressWarnings("unchecked")
                    Output<JoinedPair<byte[], byte[]>> pairOut = (Output<JoinedPair<byte[], byte[]>>) (Output<?>) out;
                    return join.isInterval()
                            ? new IntervalJoinOperator<>(join.lowerBoundMs(), join.upperBoundMs(),
                                    JsonPayloadCodec.INSTANCE, JsonPayloadCodec.INSTANCE, pairOut, late, late)
                            : new WindowJoinOperator<>(join.window().assigner(), spec.allowedLatenessMs(),
                                    JsonPayloadCodec.INSTANCE, JsonPayloadCodec.INSTANCE, pairOut, late, late);
                })
                .operator("late-types", out -> new LateTypeCounter(selection), false)
                .sink("pairs", pairs, JobGraph.SinkKind.ELEMENTS)
                .edge(LEFT, "types-left")
                .edge(RIGHT, "types-right")
                .edge("types-left", null, JOIN, 1, EVENT_KEY)
                .edge("types-right", null, JOIN, 2, EVENT_KEY)
                .edge(JOIN, "pairs")
                .edge(JOIN, OperatorTags.LATE_DATA, "late-types", 1, null);
        if (lateOutput != null) {
            b.sink("late", lateOutput, JobGraph.SinkKind.RECORDS).edge(JOIN, OperatorTags.LATE_DATA, "late", 1, null);
        }
        return b.fingerprint(joinFingerprint(spec, join)).build();
    }

    /** What shapes a built-in join's state: the join and the settings of the spec that apply to it. */
    public static String joinFingerprint(JobSpec spec, JoinSpec join) {
        return "join=" + join + ";" + spec.fingerprint();
    }

    /**
     * A user job: its own source settings (idleness included), functions, then the window and aggregate of a window
     * job or the keyed process function of a process job, and sinks.
     */
    public static <T, ACC, OUT> JobGraph of(Job<T, ACC, OUT> job) {
        var source = job.source();
        var strategy = source.watermarks();
        JobGraph.Builder b = JobGraph.builder()
                .source(SOURCE, new EventFormat(source.keyField(), source.valueField(), source.timestamps(), null),
                        strategy.outOfOrdernessMs(), strategy.idleTimeoutMs(), strategy.wallClockWhenIdle());
        String previous = SOURCE;
        List<Object> functions = job.transformations();
        for (int i = 0; i < functions.size(); i++) {
            Object fn = functions.get(i);
            String id;
            if (fn instanceof FilterFunction) {
                id = "filter-" + (i + 1);
                b.operator(id, out -> new FilterOperator((FilterFunction<?>) fn, out), false);
            } else if (fn instanceof MapFunction) {
                id = "map-" + (i + 1);
                b.operator(id, out -> new MapOperator((MapFunction<?, ?>) fn, out), false);
            } else {
                throw new IllegalArgumentException("unsupported transformation " + fn.getClass().getName());
            }
            b.edge(previous, id);
            previous = id;
        }
        String shape;
        if (job.isProcessJob()) {
            addProcess(b, previous, job);
            shape = "process=" + job.processFunction().getClass().getName();
        } else {
            addWindow(b, previous, job);
            shape = "window=" + job.assigner() + ";allowedLateness=" + job.allowedLatenessMs();
        }
        String fingerprint = "userJob;" + shape + ";keyField=" + source.keyField() + ";valueField=" + source.valueField()
                + ";outOfOrderness=" + strategy.outOfOrdernessMs()
                + (source.timestamps().equals(TimestampSpec.defaults()) ? "" : ";timestamps=" + source.timestamps());
        return b.fingerprint(fingerprint).build();
    }

    /** The window operator of a window job, its result sinks and its late sinks. */
    private static <T, ACC, OUT> void addWindow(JobGraph.Builder b, String previous, Job<T, ACC, OUT> job) {
        b.operator(WINDOWS, out -> new WindowOperator(job.assigner(), job.allowedLatenessMs(),
                new UserAggregator<T, ACC, OUT>(job.function(), job.serializer(), out), out));
        b.edge(previous, null, WINDOWS, 1, job.keySelector());
        List<Sink<Windowed<OUT>>> sinks = job.sinks();
        for (int i = 0; i < sinks.size(); i++) {
            String id = "results-" + (i + 1);
            b.sink(id, sinks.get(i), JobGraph.SinkKind.ELEMENTS).edge(WINDOWS, id);
        }
        List<Sink<byte[]>> lateSinks = job.lateSinks();
        for (int i = 0; i < lateSinks.size(); i++) {
            String id = "late-" + (i + 1);
            b.sink(id, lateSinks.get(i), JobGraph.SinkKind.RECORDS).edge(WINDOWS, OperatorTags.LATE_DATA, id, 1, null);
        }
    }

    /**
     * The keyed process operator of a process job ({@code "process"}, its state's name in checkpoints), its main
     * output to the output sinks and each side output to its sinks.
     */
    @SuppressWarnings("unchecked")
    private static <T, ACC, OUT> void addProcess(JobGraph.Builder b, String previous, Job<T, ACC, OUT> job) {
        KeyedProcessFunction<Object, OUT> function = (KeyedProcessFunction<Object, OUT>) job.processFunction();
        b.operator(PROCESS, out -> new KeyedProcessOperator<>(function, (Output<OUT>) (Output<?>) out));
        b.edge(previous, null, PROCESS, 1, job.keySelector());
        List<Sink<OUT>> sinks = job.outputSinks();
        for (int i = 0; i < sinks.size(); i++) {
            String id = "results-" + (i + 1);
            b.sink(id, sinks.get(i), JobGraph.SinkKind.ELEMENTS).edge(PROCESS, id);
        }
        List<Job.SideOutput<?>> sides = job.sideOutputs();
        for (int i = 0; i < sides.size(); i++) {
            String id = "side-" + (i + 1) + "-" + sides.get(i).tag().id();
            b.sink(id, sides.get(i).sink(), JobGraph.SinkKind.ELEMENTS).edge(PROCESS, sides.get(i).tag(), id, 1, null);
        }
    }
}
