package io.flinklite.bench.jmh;

import io.flinklite.api.Collector;
import io.flinklite.api.KeyedProcessFunction;
import io.flinklite.api.OutputTag;
import io.flinklite.api.RuntimeContext;
import io.flinklite.api.StateSerializer;
import io.flinklite.api.ValueState;
import io.flinklite.api.ValueStateDescriptor;
import io.flinklite.runtime.operator.Output;
import io.flinklite.runtime.process.KeyedProcessOperator;
import java.util.SplittableRandom;
import java.util.concurrent.TimeUnit;
import org.openjdk.jmh.annotations.Benchmark;
import org.openjdk.jmh.annotations.BenchmarkMode;
import org.openjdk.jmh.annotations.Fork;
import org.openjdk.jmh.annotations.Measurement;
import org.openjdk.jmh.annotations.Mode;
import org.openjdk.jmh.annotations.OperationsPerInvocation;
import org.openjdk.jmh.annotations.OutputTimeUnit;
import org.openjdk.jmh.annotations.Param;
import org.openjdk.jmh.annotations.Scope;
import org.openjdk.jmh.annotations.Setup;
import org.openjdk.jmh.annotations.State;
import org.openjdk.jmh.annotations.Warmup;

/**
 * The keyed process operator alone on the timeout pattern of the README ("alert when a key sees no event for
 * 30 s"): per element, read the key's last timestamp from {@code ValueState}, delete its timer, update the state and
 * register a new timer; then {@code processWatermark(max - 5 s - 1)}, firing the timeouts of keys gone quiet. One
 * event per ms, disorder up to 5 s; with {@code keys = 1000}, one key in ten falls silent for a while in each batch,
 * so timers fire and keys are dropped and created again. Scores are elements per second on one thread.
 */
@State(Scope.Thread)
@BenchmarkMode(Mode.Throughput)
@OutputTimeUnit(TimeUnit.SECONDS)
@Warmup(iterations = 3, time = 2)
@Measurement(iterations = 5, time = 2)
@Fork(1)
public class KeyedProcessBenchmark {
    private static final int BATCH = 65_536;
    private static final long BOUND = 5_000;

    @Param({"2", "1000"})
    public int keys;

    /** The README's {@code Silence} function. */
    static final class Silence extends KeyedProcessFunction<Object, String> {
        private ValueState<Long> lastSeen;

        @Override
        public void open(RuntimeContext context) {
            lastSeen = context.getState(new ValueStateDescriptor<>("last-seen", StateSerializer.longs()));
        }

        @Override
        public void processElement(Object value, Context ctx, Collector<String> out) {
            Long previous = lastSeen.value();
            if (previous != null) {
                ctx.timerService().deleteEventTimeTimer(previous + 30_000);
            }
            lastSeen.update(ctx.timestamp());
            ctx.timerService().registerEventTimeTimer(ctx.timestamp() + 30_000);
        }

        @Override
        public void onTimer(long timestamp, OnTimerContext ctx, Collector<String> out) {
            out.collect("silent");
            lastSeen.clear();
        }
    }

    private KeyedProcessOperator<Object, String> operator;
    private long[] disorder;
    private String[] keyOf;
    private long clock = 1_700_000_000_000L;
    private long max = Long.MIN_VALUE;
    private long alerts;

    @Setup
    public void build() {
        operator = new KeyedProcessOperator<>(new Silence(), new Output<>() {
            @Override
            public void emit(String element, long timestampMs) {
                alerts++;
            }

            @Override
            public <X> void emitSide(OutputTag<X> tag, X element, long timestampMs) {
            }

            @Override
            public void emitWatermark(long watermarkMs) {
            }
        });
        SplittableRandom rnd = new SplittableRandom(7);
        disorder = new long[BATCH];
        keyOf = new String[BATCH];
        String[] names = new String[keys];
        for (int k = 0; k < keys; k++) {
            names[k] = "key-" + k;
        }
        int quiet = Math.max(1, keys / 10);
        for (int i = 0; i < BATCH; i++) {
            disorder[i] = rnd.nextLong(0, BOUND + 1);
            int k = rnd.nextInt(keys);
            // The first tenth of the keys speak only in the first half of a batch: their timers fire in the second.
            keyOf[i] = names[k < quiet && i > BATCH / 2 && keys > quiet ? quiet + rnd.nextInt(keys - quiet) : k];
        }
    }

    @Benchmark
    @OperationsPerInvocation(BATCH)
    public long timeoutPattern() throws Exception {
        for (int i = 0; i < BATCH; i++) {
            long ts = clock++ - disorder[i];
            operator.processElement(keyOf[i], ts, keyOf[i]);
            if (ts > max) {
                max = ts;
                operator.processWatermark(max - BOUND - 1);
            }
        }
        return alerts;
    }
}
