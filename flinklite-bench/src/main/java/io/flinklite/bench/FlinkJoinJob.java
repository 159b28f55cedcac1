package io.flinklite.bench;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import java.util.concurrent.atomic.AtomicLong;
import org.apache.flink.api.common.JobID;
import org.apache.flink.api.common.RuntimeExecutionMode;
import org.apache.flink.api.common.eventtime.WatermarkStrategy;
import org.apache.flink.api.common.functions.MapFunction;
import org.apache.flink.api.common.typeinfo.PrimitiveArrayTypeInfo;
import org.apache.flink.api.common.typeinfo.Types;
import org.apache.flink.api.connector.sink2.Sink;
import org.apache.flink.api.connector.sink2.SinkWriter;
import org.apache.flink.api.connector.sink2.WriterInitContext;
import org.apache.flink.api.java.functions.KeySelector;
import org.apache.flink.api.java.tuple.Tuple2;
import org.apache.flink.configuration.Configuration;
import org.apache.flink.configuration.RestOptions;
import org.apache.flink.connector.datagen.source.DataGeneratorSource;
import org.apache.flink.connector.datagen.source.GeneratorFunction;
import org.apache.flink.runtime.minicluster.MiniCluster;
import org.apache.flink.runtime.minicluster.MiniClusterConfiguration;
import org.apache.flink.streaming.api.datastream.KeyedStream;
import org.apache.flink.streaming.api.environment.StreamExecutionEnvironment;
import org.apache.flink.streaming.api.functions.co.ProcessJoinFunction;
import org.apache.flink.streaming.api.graph.StreamGraph;
import org.apache.flink.util.Collector;

/**
 * {@link JoinBench}'s interval join on Apache Flink 2.3.0, written the way a Flink user would: two bounded sources
 * reading the shared arrays by index (nothing copied into the job graph), a Jackson streaming parse
 * ({@link SeedFields}) into a POJO that keeps the JSON line, {@code forBoundedOutOfOrderness(1 s)} watermarks (Flink's
 * default 200 ms periodic emission), {@code keyBy(message)} on both sides, {@code intervalJoin(..).between(-500 ms,
 * 500 ms)}, a {@code ProcessJoinFunction} that emits the pair's JSON line with its checksum part, and a sink that
 * counts. Parallelism 1, Flink's defaults otherwise (object reuse off, heap state, chaining on).
 */
final class FlinkJoinJob implements AutoCloseable {
    private static volatile byte[][] left;
    private static volatile byte[][] right;
    private static final AtomicLong PAIRS = new AtomicLong();
    private static final AtomicLong CHECKSUM = new AtomicLong();

    private final MiniCluster cluster;

    FlinkJoinJob() throws Exception {
        Configuration conf = new Configuration();
        conf.set(RestOptions.BIND_PORT, "0");
        cluster = new MiniCluster(new MiniClusterConfiguration.Builder()
                .setConfiguration(conf).setNumTaskManagers(1).setNumSlotsPerTaskManager(1).build());
        cluster.start();
    }

    JoinBench.PairSum run(byte[][] orders, byte[][] payments) throws Exception {
        left = orders;
        right = payments;
        PAIRS.set(0);
        CHECKSUM.set(0);
        StreamExecutionEnvironment env = StreamExecutionEnvironment.getExecutionEnvironment(new Configuration());
        env.setParallelism(1);
        env.setRuntimeMode(RuntimeExecutionMode.STREAMING);
        WatermarkStrategy<JoinEvent> watermarks = WatermarkStrategy
                .<JoinEvent>forBoundedOutOfOrderness(Duration.ofMillis(JoinBench.OUT_OF_ORDERNESS_MS))
                .withTimestampAssigner((e, previous) -> e.timestamp);
        KeyedStream<JoinEvent, String> l = env.fromSource(new DataGeneratorSource<>(new LeftAt(), orders.length,
                        PrimitiveArrayTypeInfo.BYTE_PRIMITIVE_ARRAY_TYPE_INFO), WatermarkStrategy.noWatermarks(), "orders")
                .map(new Parse()).returns(Types.POJO(JoinEvent.class))
                .assignTimestampsAndWatermarks(watermarks)
                .keyBy(new Key(), Types.STRING);
        KeyedStream<JoinEvent, String> r = env.fromSource(new DataGeneratorSource<>(new RightAt(), payments.length,
                        PrimitiveArrayTypeInfo.BYTE_PRIMITIVE_ARRAY_TYPE_INFO), WatermarkStrategy.noWatermarks(), "payments")
                .map(new Parse()).returns(Types.POJO(JoinEvent.class))
                .assignTimestampsAndWatermarks(watermarks)
                .keyBy(new Key(), Types.STRING);
        l.intervalJoin(r)
                .between(Duration.ofMillis(JoinBench.LOWER_MS), Duration.ofMillis(JoinBench.UPPER_MS))
                .process(new PairLine(), Types.TUPLE(Types.STRING, Types.LONG))
                .sinkTo(new Count());
        StreamGraph graph = env.getStreamGraph();
        graph.setJobName("interval join, parallelism 1");
        graph.setJobId(new JobID());
        JobID id = cluster.submitJob(graph).get(1, TimeUnit.MINUTES).getJobID();
        cluster.requestJobResult(id).get(30, TimeUnit.MINUTES).toJobExecutionResult(FlinkJoinJob.class.getClassLoader());
        left = null;
        right = null;
        return new JoinBench.PairSum(PAIRS.get(), CHECKSUM.get());
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

    /** The parsed event with its line; a Flink POJO. */
    public static class JoinEvent {
        public String message;
        public long timestamp;
        public String json;

        public JoinEvent() {
        }
    }

    static final class LeftAt implements GeneratorFunction<Long, byte[]> {
        @Override
        public byte[] map(Long index) {
            return left[(int) (long) index];
        }
    }

    static final class RightAt implements GeneratorFunction<Long, byte[]> {
        @Override
        public byte[] map(Long index) {
            return right[(int) (long) index];
        }
    }

    static final class Parse implements MapFunction<byte[], JoinEvent> {
        private transient SeedFields fields;

        @Override
        public JoinEvent map(byte[] bytes) throws Exception {
            if (fields == null) {
                fields = new SeedFields();
            }
            fields.read(bytes);
            JoinEvent e = new JoinEvent();
            e.timestamp = fields.timestamp;
            e.message = fields.message;
            e.json = new String(bytes, StandardCharsets.UTF_8);
            return e;
        }
    }

    static final class Key implements KeySelector<JoinEvent, String> {
        @Override
        public String getKey(JoinEvent e) {
            return e.message;
        }
    }

    static final class PairLine extends ProcessJoinFunction<JoinEvent, JoinEvent, Tuple2<String, Long>> {
        @Override
        public void processElement(JoinEvent l, JoinEvent r, Context ctx, Collector<Tuple2<String, Long>> out) {
            String line = "{\"key\":\"" + l.message + "\",\"left\":" + l.json + ",\"right\":" + r.json + "}";
            out.collect(Tuple2.of(line, JoinBench.mix(l.message, l.timestamp, r.timestamp)));
        }
    }

    static final class Count implements Sink<Tuple2<String, Long>> {
        @Override
        public SinkWriter<Tuple2<String, Long>> createWriter(WriterInitContext context) {
            return new SinkWriter<>() {
                @Override
                public void write(Tuple2<String, Long> pair, Context ctx) {
                    PAIRS.incrementAndGet();
                    CHECKSUM.addAndGet(pair.f1);
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
