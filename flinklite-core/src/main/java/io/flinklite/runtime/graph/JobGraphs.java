package io.flinklite.runtime.graph;

import io.flinklite.api.Event;
import io.flinklite.api.FilterFunction;
import io.flinklite.api.Job;
import io.flinklite.api.KeyedProcessFunction;
import io.flinklite.api.KeySelector;
import io.flinklite.api.MapFunction;
import io.flinklite.api.OutputTag;
import io.flinklite.api.Pipeline;
import io.flinklite.api.StateSerializer;
import io.flinklite.api.Sink;
import io.flinklite.api.WindowResult;
import io.flinklite.api.Windowed;
import io.flinklite.job.JobSpec;
import io.flinklite.job.JoinSpec;
import io.flinklite.job.TimestampSpec;
import io.flinklite.runtime.join.IntervalJoinOperator;
import io.flinklite.runtime.join.JoinedPair;
import io.flinklite.runtime.join.JsonPayloadCodec;
import io.flinklite.runtime.join.UserElementCodec;
import io.flinklite.runtime.join.UserJoinFunctionOperator;
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
 * {@link io.flinklite.api.Pipeline}. Both are a source (or several: a union, a join's two sides), filters (and
 * maps), a keyed edge into the window operator ({@code "windows"}), its results to the result sinks and its late side
 * output to the late sinks; a user's process job has the keyed process operator ({@code "process"}) instead, its
 * main output to the result sinks and each side output to its sinks; a join (built-in or user) has the two-input join
 * operator ({@code "join"}), a user join the join function after it.
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
        return shuffleSource(spec, null, idleTimeoutMs, wallClockWhenIdle, writer);
    }

    /**
     * The same for the built-in job with a user aggregate function reading {@code valueField} (every event needs it,
     * as in the {@code Pipeline} job of that function); {@code null}: the spec's aggregate decides.
     */
    public static JobGraph shuffleSource(JobSpec spec, String valueField, long idleTimeoutMs, boolean wallClockWhenIdle,
                                         io.flinklite.runtime.operator.OperatorFactory writer) {
        SelectionCache selection = new SelectionCache(spec);
        EventFormat format = valueField == null ? builtInFormat(spec, selection)
                : new EventFormat(spec.keyField(), valueField, spec.timestamps(), null);
        return JobGraph.builder()
                .source(SOURCE, format, spec.outOfOrdernessMs(), idleTimeoutMs, wallClockWhenIdle)
                .operator("types", out -> new TypeFilterOperator(selection, out), false)
                .operator(SHUFFLE, writer)
                .edge(SOURCE, "types")
                .edge("types", null, SHUFFLE, 1, EVENT_KEY)
                .fingerprint("shuffleSource;" + (valueField == null ? "" : "valueField=" + valueField + ";")
                        + spec.fingerprint())
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
     * The built-in join as a person reads it, e.g. {@code join=interval:-5s:250ms;outOfOrderness=5s;types=...;
     * keyField=message}: the join and only the spec's settings that apply to it (see {@link #join}), in the spec's
     * own notation. Not a fingerprint: that one keeps the whole spec, so that checkpoints taken so far still match.
     */
    public static String describeJoin(JobSpec spec, JoinSpec join) {
        StringBuilder out = new StringBuilder("join=").append(join);
        for (String part : spec.fingerprint().split(";")) {
            boolean unused = part.startsWith("window=") || part.startsWith("aggregate=")
                    || join.isInterval() && part.startsWith("allowedLateness=");
            if (!unused) {
                out.append(';').append(part);
            }
        }
        return out.toString();
    }

    /**
     * A user job: its own sources (each with its own settings, idleness included; a node named by the source, in the
     * order {@link Job#sources()} gives), unions and functions, then the window and aggregate of a window job, the
     * keyed process function of a process job, or the join operator ({@value #JOIN}) and the join function
     * ({@code "join-function"}) of a join job, and sinks. A job of one source has the node ids and state layout
     * it had before unions and joins; its fingerprint names its functions ({@link #identity}).
     *
     * @throws IllegalArgumentException when two sources share a name
     */
    public static <T, ACC, OUT> JobGraph of(Job<T, ACC, OUT> job) {
        List<Pipeline.EventSource> sources = job.sources();
        java.util.Set<String> names = new java.util.HashSet<>();
        for (Pipeline.EventSource s : sources) {
            if (!names.add(s.name())) {
                throw new IllegalArgumentException("two sources of the job are named '" + s.name()
                        + "': give each Pipeline.fromEvents its own name");
            }
        }
        boolean single = sources.size() == 1;
        JobGraph.Builder b = JobGraph.builder();
        List<String> tails = addStream(b, job.stream(), single, new int[] {0});
        String shape;
        if (job.isJoinJob()) {
            List<String> rightTails = addStream(b, job.join().right(), false, new int[] {0});
            addJoin(b, tails, rightTails, job);
            shape = "join=" + job.join() + (job.join().isInterval() ? ""
                    : ";window=" + job.assigner() + ";allowedLateness=" + job.allowedLatenessMs())
                    + ";function=" + identity(job.join().function());
        } else if (job.isProcessJob()) {
            addProcess(b, tails, job);
            shape = "process=" + identity(job.processFunction());
        } else {
            addWindow(b, tails, job);
            shape = "window=" + job.assigner() + ";allowedLateness=" + job.allowedLatenessMs()
                    + ";aggregate=" + identity(job.function());
        }
        StringBuilder fingerprint = new StringBuilder("userJob;").append(shape);
        appendFunctions(fingerprint, job.stream());
        if (job.isJoinJob()) {
            appendFunctions(fingerprint, job.join().right());
        }
        fingerprint.append(";keyBy=").append(identity(job.keySelector()));
        for (Pipeline.EventSource source : sources) {
            var strategy = source.watermarks();
            fingerprint.append(single ? "" : ";source=" + source.name())
                    .append(";keyField=").append(source.keyField()).append(";valueField=").append(source.valueField())
                    .append(";outOfOrderness=").append(strategy.outOfOrdernessMs())
                    .append(source.timestamps().equals(TimestampSpec.defaults()) ? "" : ";timestamps=" + source.timestamps());
        }
        return b.fingerprint(fingerprint.toString()).build();
    }

    /** The filters and maps of {@code stream} (and of the streams of its union), in order, by {@link #identity}. */
    private static void appendFunctions(StringBuilder fingerprint, Job.Stream stream) {
        if (stream.source() == null) {
            for (Job.Stream input : stream.unionOf()) {
                appendFunctions(fingerprint, input);
            }
        }
        for (Object fn : stream.transformations()) {
            fingerprint.append(fn instanceof FilterFunction ? ";filter=" : ";map=").append(identity(fn));
        }
    }

    /**
     * How a user function shapes a fingerprint, the same in every run of every build of the job: its class, with
     * its {@code toString()} when the class declares one (so a function configured by its fields, e.g. which types a
     * filter keeps or which class an adapter wraps, tells its configurations apart); a lambda or method reference is
     * only "lambda", its generated class name changing from run to run.
     */
    static String identity(Object function) {
        Class<?> c = function.getClass();
        if (c.isSynthetic() || c.isHidden()) {
            return "lambda";
        }
        try {
            if (c.getMethod("toString").getDeclaringClass() != Object.class) {
                return c.getName() + "(" + function + ")";
            }
        } catch (NoSuchMethodException cannotHappen) {
            // Every class has toString.
        }
        return c.getName();
    }

    /**
     * The nodes of {@code stream}: its source (a node named by it), or the nodes of each stream of its union, then a
     * node per transformation.
     *
     * @param plainIds the stream is the job's only one: its transformations are {@code filter-N}/{@code map-N} as
     *                 they have always been; otherwise prefixed with the first source's name
     * @param counter  numbers the transformations of a union's streams apart
     * @return the nodes whose main output is the stream (several for a union without transformations after it)
     */
    private static List<String> addStream(JobGraph.Builder b, Job.Stream stream, boolean plainIds, int[] counter) {
        List<String> tails = new java.util.ArrayList<>();
        if (stream.source() != null) {
            Pipeline.EventSource source = stream.source();
            var strategy = source.watermarks();
            b.source(source.name(), new EventFormat(source.keyField(), source.valueField(), source.timestamps(), null),
                    strategy.outOfOrdernessMs(), strategy.idleTimeoutMs(), strategy.wallClockWhenIdle());
            tails.add(source.name());
        } else {
            for (Job.Stream input : stream.unionOf()) {
                tails.addAll(addStream(b, input, false, counter));
            }
        }
        String prefix = plainIds ? "" : stream.sources().get(0).name() + (stream.source() == null ? "-union-" : "-");
        List<Object> functions = stream.transformations();
        for (int i = 0; i < functions.size(); i++) {
            Object fn = functions.get(i);
            String id;
            int n = plainIds ? i + 1 : ++counter[0];
            if (fn instanceof FilterFunction) {
                id = prefix + "filter-" + n;
                b.operator(id, out -> new FilterOperator((FilterFunction<?>) fn, out), false);
            } else if (fn instanceof MapFunction) {
                id = prefix + "map-" + n;
                b.operator(id, out -> new MapOperator((MapFunction<?, ?>) fn, out), false);
            } else {
                throw new IllegalArgumentException("unsupported transformation " + fn.getClass().getName());
            }
            for (String tail : tails) {
                b.edge(tail, id);
            }
            tails = List.of(id);
        }
        return tails;
    }

    /**
     * The join of a join job: each input keyed by its own selector into the interval or window join ({@value #JOIN},
     * elements kept with the job's serializers), its pairs through the join function ({@code "join-function"}) to
     * the output sinks, late elements of either input (their original bytes) to the late sinks.
     */
    @SuppressWarnings({"unchecked", "rawtypes"})
    private static <T, ACC, OUT> void addJoin(JobGraph.Builder b, List<String> left, List<String> right,
                                              Job<T, ACC, OUT> job) {
        Job.Join join = job.join();
        OutputTag<Object> late = (OutputTag<Object>) (OutputTag<?>) OperatorTags.LATE_DATA;
        b.operator(JOIN, out -> {
            Output<JoinedPair<Object, Object>> pairOut = (Output<JoinedPair<Object, Object>>) (Output<?>) out;
            UserElementCodec<Object> leftCodec = new UserElementCodec<>((StateSerializer<Object>) join.leftSerializer());
            UserElementCodec<Object> rightCodec = new UserElementCodec<>((StateSerializer<Object>) join.rightSerializer());
            return join.isInterval()
                    ? new IntervalJoinOperator<>(join.lowerBoundMs(), join.upperBoundMs(), leftCodec, rightCodec,
                            pairOut, late, late)
                    : new WindowJoinOperator<>(job.assigner(), job.allowedLatenessMs(), leftCodec, rightCodec,
                            pairOut, late, late);
        });
        for (String id : left) {
            b.edge(id, null, JOIN, 1, job.keySelector());
        }
        for (String id : right) {
            b.edge(id, null, JOIN, 2, join.rightKeySelector());
        }
        b.operator("join-function", out -> new UserJoinFunctionOperator(join.function(), (Output<Object>) (Output<?>) out),
                false);
        b.edge(JOIN, "join-function");
        List<Sink<OUT>> sinks = job.outputSinks();
        for (int i = 0; i < sinks.size(); i++) {
            String id = "results-" + (i + 1);
            b.sink(id, sinks.get(i), JobGraph.SinkKind.ELEMENTS).edge("join-function", id);
        }
        addLateSinks(b, JOIN, job.lateSinks());
    }

    /** Each late sink gets the original bytes of every element {@code operator} sends to its late-data output. */
    private static void addLateSinks(JobGraph.Builder b, String operator, List<Sink<byte[]>> lateSinks) {
        for (int i = 0; i < lateSinks.size(); i++) {
            String id = "late-" + (i + 1);
            b.sink(id, lateSinks.get(i), JobGraph.SinkKind.RECORDS).edge(operator, OperatorTags.LATE_DATA, id, 1, null);
        }
    }

    /** The window operator of a window job, its result sinks and its late sinks. */
    private static <T, ACC, OUT> void addWindow(JobGraph.Builder b, List<String> tails, Job<T, ACC, OUT> job) {
        b.operator(WINDOWS, out -> new WindowOperator(job.assigner(), job.allowedLatenessMs(),
                new UserAggregator<T, ACC, OUT>(job.function(), job.serializer(), out), out));
        for (String previous : tails) {
            b.edge(previous, null, WINDOWS, 1, job.keySelector());
        }
        List<Sink<Windowed<OUT>>> sinks = job.sinks();
        for (int i = 0; i < sinks.size(); i++) {
            String id = "results-" + (i + 1);
            b.sink(id, sinks.get(i), JobGraph.SinkKind.ELEMENTS).edge(WINDOWS, id);
        }
        addLateSinks(b, WINDOWS, job.lateSinks());
    }

    /**
     * The keyed process operator of a process job ({@code "process"}, its state's name in checkpoints), its main
     * output to the output sinks and each side output to its sinks.
     */
    @SuppressWarnings("unchecked")
    private static <T, ACC, OUT> void addProcess(JobGraph.Builder b, List<String> tails, Job<T, ACC, OUT> job) {
        KeyedProcessFunction<Object, OUT> function = (KeyedProcessFunction<Object, OUT>) job.processFunction();
        b.operator(PROCESS, out -> new KeyedProcessOperator<>(function, (Output<OUT>) (Output<?>) out));
        for (String previous : tails) {
            b.edge(previous, null, PROCESS, 1, job.keySelector());
        }
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
