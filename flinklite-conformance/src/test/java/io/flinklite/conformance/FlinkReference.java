package io.flinklite.conformance;

import io.flinklite.api.WindowResult;
import io.flinklite.job.AggregateSpec;
import io.flinklite.job.JobSpec;
import io.flinklite.job.WindowSpec;
import java.time.Duration;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Queue;
import java.util.Set;
import java.util.UUID;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ConcurrentLinkedQueue;
import java.util.concurrent.TimeUnit;
import org.apache.flink.api.common.JobID;
import org.apache.flink.api.common.RuntimeExecutionMode;
import org.apache.flink.api.common.eventtime.Watermark;
import org.apache.flink.api.common.eventtime.WatermarkGenerator;
import org.apache.flink.api.common.eventtime.WatermarkOutput;
import org.apache.flink.api.common.eventtime.WatermarkStrategy;
import org.apache.flink.api.common.functions.AggregateFunction;
import org.apache.flink.api.common.functions.FilterFunction;
import org.apache.flink.api.common.functions.FlatMapFunction;
import org.apache.flink.api.common.typeinfo.Types;
import org.apache.flink.api.connector.sink2.Sink;
import org.apache.flink.api.connector.sink2.SinkWriter;
import org.apache.flink.api.connector.sink2.WriterInitContext;
import org.apache.flink.api.java.functions.KeySelector;
import org.apache.flink.api.java.tuple.Tuple5;
import org.apache.flink.configuration.Configuration;
import org.apache.flink.configuration.RestOptions;
import org.apache.flink.runtime.jobmaster.JobResult;
import org.apache.flink.runtime.minicluster.MiniCluster;
import org.apache.flink.runtime.minicluster.MiniClusterConfiguration;
import org.apache.flink.streaming.api.datastream.DataStream;
import org.apache.flink.streaming.api.datastream.SingleOutputStreamOperator;
import org.apache.flink.streaming.api.datastream.WindowedStream;
import org.apache.flink.streaming.api.environment.StreamExecutionEnvironment;
import org.apache.flink.streaming.api.functions.windowing.ProcessWindowFunction;
import org.apache.flink.streaming.api.graph.StreamGraph;
import org.apache.flink.streaming.api.windowing.assigners.EventTimeSessionWindows;
import org.apache.flink.streaming.api.windowing.assigners.SlidingEventTimeWindows;
import org.apache.flink.streaming.api.windowing.assigners.TumblingEventTimeWindows;
import org.apache.flink.streaming.api.windowing.assigners.WindowAssigner;
import org.apache.flink.streaming.api.windowing.windows.TimeWindow;
import org.apache.flink.util.Collector;
import org.apache.flink.util.OutputTag;

/**
 * Runs {@link ConformanceCase}s on Apache Flink 2.3 itself: the truth FlinkLite is compared with.
 *
 * <p>Each case becomes one independent pipeline, exactly the job a Flink user would write for the replay contract,
 * at parallelism 1:
 * <pre>
 * fromData(lines) -> flatMap(parse, drop invalid lines)
 *   -> assignTimestampsAndWatermarks(per-event bounded out-of-orderness: W = max - B - 1 after every event)
 *   -> filter(type) -> keyBy(key field) -> window(assigner).allowedLateness(L).sideOutputLateData(tag)
 *   -> aggregate(count/sum/min/max/avg, window start and end) -> collecting sink
 * </pre>
 *
 * <p>How the watermark flows, from Flink's sources: {@code TimestampsAndWatermarksOperator.processElement} first
 * forwards the element, then calls the generator's {@code onEvent}, whose {@code emitWatermark} forwards at once
 * (its {@code WatermarkEmitter} drops only non-increasing values); periodic emission is off
 * ({@code autoWatermarkInterval = 0}, and our generator's {@code onPeriodicEmit} emits nothing anyway). The parse,
 * watermark and filter operators are chained into the source task, and {@code keyBy} sends records and watermarks
 * down one channel in order, so the window operator sees event 1, W1, event 2, W2, ...: each element is judged
 * against the watermark of the events before it, which is the replay contract. The filter forwards watermarks, so
 * filtered events advance event time. The source's own strategy is {@code noWatermarks()}; at the end of its bounded
 * input it emits {@code MAX_WATERMARK}, which {@code TimestampsAndWatermarksOperator.processWatermark} forwards
 * (it swallows every other upstream watermark), firing every open window. {@code FlinkReferenceTest} checks
 * these claims on the running job rather than trusting this paragraph.
 *
 * <p>Many cases share one Flink job (one source and pipeline each, so their watermarks are independent): a job costs
 * about a second to schedule whatever its size, which is what limits the differential suite's running time. One
 * {@link MiniCluster} serves every job of the JVM.
 *
 * <p>Thread-safety: {@link #run} may be called from one thread at a time.
 */
final class FlinkReference {

    /** Results and late lines collected by the sinks, by bucket name; the sinks run in the same JVM. */
    private static final Map<String, Queue<Object>> BUCKETS = new ConcurrentHashMap<>();

    private static MiniCluster cluster;

    private FlinkReference() {
    }

    /**
     * Runs every case in one Flink job and returns each case's outcome by case id.
     *
     * @throws Exception when the Flink job fails
     */
    static Map<String, Outcome> run(List<ConformanceCase> cases) throws Exception {
        if (cases.isEmpty()) {
            return Map.of();
        }
        String runId = UUID.randomUUID().toString();
        StreamExecutionEnvironment env = newEnvironment();
        for (ConformanceCase c : cases) {
            addPipeline(env, c, runId + "/" + c.id());
        }
        try {
            execute(env, "flinklite-conformance-reference (" + cases.size() + " cases)");
            Map<String, Outcome> outcomes = new LinkedHashMap<>();
            for (ConformanceCase c : cases) {
                String bucket = runId + "/" + c.id();
                outcomes.put(c.id(), new Outcome(toResults(drain(bucket + "/results"), c.spec().aggregate()),
                        toLines(drain(bucket + "/late"))));
            }
            return outcomes;
        } finally {
            BUCKETS.keySet().removeIf(k -> k.startsWith(runId));
        }
    }

    /** A streaming environment at parallelism 1 without periodic watermarks, for {@link #execute}. */
    static StreamExecutionEnvironment newEnvironment() {
        StreamExecutionEnvironment env = StreamExecutionEnvironment.getExecutionEnvironment(new Configuration());
        env.setParallelism(1);
        // Bounded sources must not switch the job to batch mode: batch mode emits no watermark before the end.
        env.setRuntimeMode(RuntimeExecutionMode.STREAMING);
        // No periodic watermarks: the generator emits on every event, so the reference is deterministic.
        env.getConfig().setAutoWatermarkInterval(0);
        return env;
    }

    /** Runs what was added to {@code env} on the shared cluster and waits for the end; throws the job's failure. */
    static void execute(StreamExecutionEnvironment env, String jobName) throws Exception {
        StreamGraph graph = env.getStreamGraph();
        graph.setJobName(jobName);
        graph.setJobId(new JobID());
        MiniCluster mini = cluster();
        JobID jobId = mini.submitJob(graph).get(2, TimeUnit.MINUTES).getJobID();
        JobResult result = mini.requestJobResult(jobId).get(10, TimeUnit.MINUTES);
        result.toJobExecutionResult(FlinkReference.class.getClassLoader());
    }

    /** Removes and returns what a {@link CollectingSink} on {@code bucket} received, in arrival order. */
    static List<Object> drain(String bucket) {
        Queue<Object> q = BUCKETS.remove(bucket);
        return q == null ? List.of() : new ArrayList<>(q);
    }

    private static void addPipeline(StreamExecutionEnvironment env, ConformanceCase c, String bucket) {
        JobSpec spec = c.spec();
        OutputTag<ReferenceEvent> lateTag = new OutputTag<>("late", Types.POJO(ReferenceEvent.class));
        DataStream<ReferenceEvent> events = env.fromData(c.lines(), Types.STRING)
                .name("case " + c.id())
                .flatMap(new Parse(spec.keyField(), spec.aggregate().field()))
                .returns(Types.POJO(ReferenceEvent.class))
                .assignTimestampsAndWatermarks(perEventWatermarks(spec.outOfOrdernessMs()))
                .filter(new TypeFilter(spec.types()));
        WindowedStream<ReferenceEvent, String, TimeWindow> windowed = events
                .keyBy(new KeyOf(), Types.STRING)
                .window(assigner(spec.window()))
                .allowedLateness(Duration.ofMillis(spec.allowedLatenessMs()))
                .sideOutputLateData(lateTag);
        SingleOutputStreamOperator<Tuple5<String, Long, Long, Long, Double>> results =
                windowed.aggregate(new Accumulate(), new WithWindow(spec.aggregate().kind()));
        results.sinkTo(new CollectingSink<>(bucket + "/results")).name("results " + c.id());
        results.getSideOutput(lateTag).sinkTo(new CollectingSink<>(bucket + "/late")).name("late " + c.id());
    }

    static WatermarkStrategy<ReferenceEvent> perEventWatermarks(long outOfOrdernessMs) {
        return WatermarkStrategy.<ReferenceEvent>forGenerator(ctx -> new PerEventWatermarks(outOfOrdernessMs))
                .withTimestampAssigner((event, previous) -> event.timestamp);
    }

    static WindowAssigner<Object, TimeWindow> assigner(WindowSpec w) {
        switch (w.kind()) {
            case TUMBLING:
                return TumblingEventTimeWindows.of(Duration.ofMillis(w.sizeMs()), Duration.ofMillis(w.offsetMs()));
            case SLIDING:
                return SlidingEventTimeWindows.of(Duration.ofMillis(w.sizeMs()), Duration.ofMillis(w.slideMs()),
                        Duration.ofMillis(w.offsetMs()));
            case SESSION:
                return EventTimeSessionWindows.withGap(Duration.ofMillis(w.gapMs()));
            default:
                throw new IllegalArgumentException("unknown window kind " + w.kind());
        }
    }

    private static synchronized MiniCluster cluster() throws Exception {
        if (cluster == null) {
            Configuration conf = new Configuration();
            conf.set(RestOptions.BIND_PORT, "0");
            MiniCluster mini = new MiniCluster(new MiniClusterConfiguration.Builder()
                    .setConfiguration(conf)
                    .setNumTaskManagers(1)
                    .setNumSlotsPerTaskManager(1)
                    .build());
            mini.start();
            Runtime.getRuntime().addShutdownHook(new Thread(() -> {
                try {
                    mini.close();
                } catch (Exception e) {
                    // The JVM is exiting; nothing is left to clean up for.
                }
            }, "flink-reference-cluster-shutdown"));
            cluster = mini;
        }
        return cluster;
    }

    @SuppressWarnings("unchecked")
    private static List<WindowResult> toResults(List<Object> tuples, AggregateSpec aggregate) {
        List<WindowResult> out = new ArrayList<>(tuples.size());
        for (Object o : tuples) {
            Tuple5<String, Long, Long, Long, Double> t = (Tuple5<String, Long, Long, Long, Double>) o;
            out.add(aggregate.hasValue() ? WindowResult.ofValue(t.f0, t.f1, t.f2, t.f3, t.f4)
                    : WindowResult.ofCount(t.f0, t.f1, t.f2, t.f3));
        }
        return out;
    }

    private static List<String> toLines(List<Object> events) {
        List<String> out = new ArrayList<>(events.size());
        for (Object o : events) {
            out.add(((ReferenceEvent) o).line);
        }
        return out;
    }

    /** Bounded out-of-orderness that emits W = max - B - 1 on every event and nothing periodically. */
    static final class PerEventWatermarks implements WatermarkGenerator<ReferenceEvent> {
        private final long bound;
        // Starts where W = Long.MIN_VALUE, without overflowing, as Flink's BoundedOutOfOrdernessWatermarks does.
        private long maxTimestamp;

        PerEventWatermarks(long bound) {
            this.bound = bound;
            this.maxTimestamp = Long.MIN_VALUE + bound + 1;
        }

        @Override
        public void onEvent(ReferenceEvent event, long eventTimestamp, WatermarkOutput output) {
            maxTimestamp = Math.max(maxTimestamp, eventTimestamp);
            output.emitWatermark(new Watermark(maxTimestamp - bound - 1));
        }

        @Override
        public void onPeriodicEmit(WatermarkOutput output) {
            // Watermarks go out on every event; nothing is pending.
        }
    }

    /** Parses each line, dropping invalid ones before they reach the watermark generator. */
    static final class Parse implements FlatMapFunction<String, ReferenceEvent> {
        private final String keyField;
        private final String valueField;

        Parse(String keyField, String valueField) {
            this.keyField = keyField;
            this.valueField = valueField;
        }

        @Override
        public void flatMap(String line, Collector<ReferenceEvent> out) {
            ReferenceEvent e = ReferenceParser.parse(line, keyField, valueField);
            if (e != null) {
                out.collect(e);
            }
        }
    }

    /** Keeps the selected types; after the watermark assigner, so dropped events still advanced event time. */
    static final class TypeFilter implements FilterFunction<ReferenceEvent> {
        private final Set<String> types;

        /** @param types the selected key values, or {@code null} for all */
        TypeFilter(Set<String> types) {
            this.types = types == null ? null : Set.copyOf(types);
        }

        @Override
        public boolean filter(ReferenceEvent e) {
            return types == null || types.contains(e.key);
        }
    }

    static final class KeyOf implements KeySelector<ReferenceEvent, String> {
        @Override
        public String getKey(ReferenceEvent e) {
            return e.key;
        }
    }

    /** count, sum, min and max at once; the window function picks what the spec asks for. A Flink POJO. */
    public static class Accumulator {
        public long count;
        public double sum;
        public double min = Double.POSITIVE_INFINITY;
        public double max = Double.NEGATIVE_INFINITY;

        public Accumulator() {
        }
    }

    /** The aggregate, in arrival order; {@link #merge} serves merging session windows. */
    static final class Accumulate implements AggregateFunction<ReferenceEvent, Accumulator, Accumulator> {
        @Override
        public Accumulator createAccumulator() {
            return new Accumulator();
        }

        @Override
        public Accumulator add(ReferenceEvent e, Accumulator acc) {
            acc.count++;
            acc.sum += e.value;
            acc.min = Math.min(acc.min, e.value);
            acc.max = Math.max(acc.max, e.value);
            return acc;
        }

        @Override
        public Accumulator getResult(Accumulator acc) {
            return acc;
        }

        @Override
        public Accumulator merge(Accumulator a, Accumulator b) {
            Accumulator m = new Accumulator();
            m.count = a.count + b.count;
            m.sum = a.sum + b.sum;
            m.min = Math.min(a.min, b.min);
            m.max = Math.max(a.max, b.max);
            return m;
        }
    }

    /** Attaches key and window to the aggregate: (key, windowStart, windowEnd, count, value). */
    static final class WithWindow
            extends ProcessWindowFunction<Accumulator, Tuple5<String, Long, Long, Long, Double>, String, TimeWindow> {
        private final AggregateSpec.Kind kind;

        WithWindow(AggregateSpec.Kind kind) {
            this.kind = kind;
        }

        @Override
        public void process(String key, Context ctx, Iterable<Accumulator> accs,
                            Collector<Tuple5<String, Long, Long, Long, Double>> out) {
            Accumulator acc = accs.iterator().next();
            double value;
            switch (kind) {
                case SUM: value = acc.sum; break;
                case MIN: value = acc.min; break;
                case MAX: value = acc.max; break;
                case AVG: value = acc.sum / acc.count; break;
                default: value = Double.NaN; break;
            }
            TimeWindow w = ctx.window();
            out.collect(Tuple5.of(key, w.getStart(), w.getEnd(), acc.count, value));
        }
    }

    /** Appends what it receives to a JVM-wide bucket; Flink runs the sink in this JVM. */
    static final class CollectingSink<T> implements Sink<T> {
        private final String bucket;

        CollectingSink(String bucket) {
            this.bucket = bucket;
        }

        @Override
        public SinkWriter<T> createWriter(WriterInitContext context) {
            Queue<Object> q = BUCKETS.computeIfAbsent(bucket, b -> new ConcurrentLinkedQueue<>());
            return new SinkWriter<>() {
                @Override
                public void write(T element, Context ctx) {
                    q.add(element);
                }

                @Override
                public void flush(boolean endOfInput) {
                }

                @Override
                public void close() {
                }
            };
        }
    }

}
