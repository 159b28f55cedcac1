package io.flinklite.bench;

import java.io.IOException;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Queue;
import java.util.concurrent.ConcurrentLinkedQueue;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import org.apache.flink.api.common.JobID;
import org.apache.flink.api.common.RuntimeExecutionMode;
import org.apache.flink.api.common.eventtime.WatermarkStrategy;
import org.apache.flink.api.common.functions.AggregateFunction;
import org.apache.flink.api.common.functions.FilterFunction;
import org.apache.flink.api.common.functions.MapFunction;
import org.apache.flink.api.common.typeinfo.PrimitiveArrayTypeInfo;
import org.apache.flink.api.common.typeinfo.Types;
import org.apache.flink.api.connector.sink2.Sink;
import org.apache.flink.api.connector.sink2.SinkWriter;
import org.apache.flink.api.connector.sink2.WriterInitContext;
import org.apache.flink.api.java.functions.KeySelector;
import org.apache.flink.configuration.Configuration;
import org.apache.flink.configuration.RestOptions;
import org.apache.flink.connector.datagen.source.DataGeneratorSource;
import org.apache.flink.connector.datagen.source.GeneratorFunction;
import org.apache.flink.runtime.minicluster.MiniCluster;
import org.apache.flink.runtime.minicluster.MiniClusterConfiguration;
import org.apache.flink.streaming.api.datastream.DataStream;
import org.apache.flink.streaming.api.environment.StreamExecutionEnvironment;
import org.apache.flink.streaming.api.functions.windowing.ProcessWindowFunction;
import org.apache.flink.streaming.api.graph.StreamGraph;
import org.apache.flink.streaming.api.windowing.assigners.SlidingEventTimeWindows;
import org.apache.flink.streaming.api.windowing.windows.TimeWindow;
import org.apache.flink.util.Collector;

/**
 * The seed job on Apache Flink 2.3.0, written the way a Flink user would: a bounded source over the pre-serialized
 * events, a Jackson streaming parse into a POJO, {@code forBoundedOutOfOrderness(5 s)} watermarks (Flink's default
 * 200 ms periodic emission), filter important|critical, keyBy message, sliding 10 s / 5 s event-time windows, an
 * incremental count with the window attached, and a sink that keeps the 2 k results for the equality check.
 * Flink's defaults otherwise (object reuse off, heap state, operator chaining on).
 *
 * <p>The source reads a JVM-wide array by index ({@link DataGeneratorSource}), so nothing is copied into the job
 * graph and the events are the very byte arrays FlinkLite reads. One {@link MiniCluster} with two slots serves every
 * run; a run is measured from submission to the job's end.
 */
final class FlinkSeedJob implements AutoCloseable {
    /** The events of the current run; read by the source's generator function inside this JVM. */
    private static volatile byte[][] events;
    private static final Queue<String> RESULTS = new ConcurrentLinkedQueue<>();

    private final MiniCluster cluster;

    FlinkSeedJob() throws Exception {
        Configuration conf = new Configuration();
        conf.set(RestOptions.BIND_PORT, "0");
        cluster = new MiniCluster(new MiniClusterConfiguration.Builder()
                .setConfiguration(conf).setNumTaskManagers(1).setNumSlotsPerTaskManager(2).build());
        cluster.start();
    }

    /**
     * Runs the seed job over {@code input} at {@code parallelism} and waits for it to finish.
     *
     * @param fromData feed the job with {@code env.fromData(list)} (Flink serializes every event into the job graph
     *     and deserializes it in the source) instead of the index source over the shared array
     *
     * @return the results as canonical lines {@code key,windowStart,windowEnd,count}, unordered
     */
    List<String> run(byte[][] input, int parallelism, boolean fromData) throws Exception {
        events = input;
        RESULTS.clear();
        StreamExecutionEnvironment env = StreamExecutionEnvironment.getExecutionEnvironment(new Configuration());
        env.setParallelism(parallelism);
        env.setRuntimeMode(RuntimeExecutionMode.STREAMING);
        DataStream<byte[]> source = fromData
                ? env.fromData(Arrays.asList(input), PrimitiveArrayTypeInfo.BYTE_PRIMITIVE_ARRAY_TYPE_INFO)
                : env.fromSource(new DataGeneratorSource<>(new EventAt(), input.length,
                        PrimitiveArrayTypeInfo.BYTE_PRIMITIVE_ARRAY_TYPE_INFO), WatermarkStrategy.noWatermarks(), "pre-serialized events");
        source.map(new Parse()).returns(Types.POJO(SeedEvent.class))
                .assignTimestampsAndWatermarks(WatermarkStrategy.<SeedEvent>forBoundedOutOfOrderness(Duration.ofSeconds(5))
                        .withTimestampAssigner((e, previous) -> e.timestamp))
                .filter(new KeepImportantAndCritical())
                .keyBy(new MessageKey(), Types.STRING)
                .window(SlidingEventTimeWindows.of(Duration.ofSeconds(10), Duration.ofSeconds(5)))
                .aggregate(new Count(), new WithWindow())
                .sinkTo(new KeepResults());
        StreamGraph graph = env.getStreamGraph();
        graph.setJobName("seed job, parallelism " + parallelism);
        graph.setJobId(new JobID());
        JobID id = cluster.submitJob(graph).get(1, TimeUnit.MINUTES).getJobID();
        cluster.requestJobResult(id).get(30, TimeUnit.MINUTES).toJobExecutionResult(FlinkSeedJob.class.getClassLoader());
        events = null;
        return new ArrayList<>(RESULTS);
    }

    @Override
    public void close() throws IOException {
        try {
            cluster.closeAsync().get(1, TimeUnit.MINUTES);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IOException("interrupted while stopping Flink's MiniCluster", e);
        } catch (ExecutionException | TimeoutException e) {
            throw new IOException("stopping Flink's MiniCluster failed", e);
        }
    }

    /** The parsed event; a Flink POJO. */
    public static class SeedEvent {
        public String message;
        public long timestamp;

        public SeedEvent() {
        }
    }

    static final class EventAt implements GeneratorFunction<Long, byte[]> {
        @Override
        public byte[] map(Long index) {
            return events[(int) (long) index];
        }
    }

    /** Jackson's streaming parser, reading only the two fields the job needs ({@link SeedFields}). */
    static final class Parse implements MapFunction<byte[], SeedEvent> {
        private transient SeedFields fields;

        @Override
        public SeedEvent map(byte[] bytes) throws Exception {
            if (fields == null) {
                fields = new SeedFields();
            }
            fields.read(bytes);
            SeedEvent e = new SeedEvent();
            e.timestamp = fields.timestamp;
            e.message = fields.message;
            return e;
        }
    }

    static final class KeepImportantAndCritical implements FilterFunction<SeedEvent> {
        @Override
        public boolean filter(SeedEvent e) {
            return "important".equals(e.message) || "critical".equals(e.message);
        }
    }

    static final class MessageKey implements KeySelector<SeedEvent, String> {
        @Override
        public String getKey(SeedEvent e) {
            return e.message;
        }
    }

    static final class Count implements AggregateFunction<SeedEvent, Long, Long> {
        @Override
        public Long createAccumulator() {
            return 0L;
        }

        @Override
        public Long add(SeedEvent e, Long acc) {
            return acc + 1;
        }

        @Override
        public Long getResult(Long acc) {
            return acc;
        }

        @Override
        public Long merge(Long a, Long b) {
            return a + b;
        }
    }

    static final class WithWindow extends ProcessWindowFunction<Long, String, String, TimeWindow> {
        @Override
        public void process(String key, Context ctx, Iterable<Long> counts, Collector<String> out) {
            out.collect(key + "," + ctx.window().getStart() + "," + ctx.window().getEnd() + "," + counts.iterator().next());
        }
    }

    static final class KeepResults implements Sink<String> {
        @Override
        public SinkWriter<String> createWriter(WriterInitContext context) {
            return new SinkWriter<>() {
                @Override
                public void write(String result, Context ctx) {
                    RESULTS.add(result);
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
