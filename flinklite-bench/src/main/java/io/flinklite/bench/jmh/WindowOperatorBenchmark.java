package io.flinklite.bench.jmh;

import io.flinklite.api.Event;
import io.flinklite.api.OutputTag;
import io.flinklite.api.WindowAssigner;
import io.flinklite.job.AggregateSpec;
import io.flinklite.runtime.operator.Output;
import io.flinklite.runtime.window.BuiltinAggregator;
import io.flinklite.runtime.window.WindowOperator;
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
 * The window operator alone on the seed job's shape: per element, {@code processElement} then
 * {@code advanceWatermark(max - 5 s - 1)}, firing windows as the watermark passes them, into a sink that only
 * counts. Event time keeps growing across invocations (one event per ms, disorder up to 5 s), so the state stays at
 * its steady size. Scores are elements per second on one thread.
 */
@State(Scope.Thread)
@BenchmarkMode(Mode.Throughput)
@OutputTimeUnit(TimeUnit.SECONDS)
@Warmup(iterations = 3, time = 2)
@Measurement(iterations = 5, time = 2)
@Fork(1)
public class WindowOperatorBenchmark {
    private static final int BATCH = 65_536;
    private static final long BOUND = 5_000;

    /** {@code sliding} is the seed job's 10 s / 5 s; {@code tumbling} 10 s; {@code session} 5 s gap. */
    @Param({"sliding", "tumbling", "session"})
    public String window;

    @Param({"2", "1000"})
    public int keys;

    private WindowOperator operator;
    private final Event event = new Event();
    private long[] disorder;
    private String[] keyOf;
    private long clock = 1_700_000_000_000L;
    private long max = Long.MIN_VALUE;
    private long results;

    @Setup
    public void build() {
        WindowAssigner assigner = window.equals("sliding") ? WindowAssigner.sliding(10_000, 5_000)
                : window.equals("tumbling") ? WindowAssigner.tumbling(10_000) : WindowAssigner.session(5_000);
        Output<Object> counting = new Output<>() {
            @Override
            public void emit(Object result, long timestampMs) {
                results++;
            }

            @Override
            public <X> void emitSide(OutputTag<X> tag, X element, long timestampMs) {
            }

            @Override
            public void emitWatermark(long watermarkMs) {
            }
        };
        operator = new WindowOperator(assigner, 0, new BuiltinAggregator(AggregateSpec.Kind.COUNT, counting), counting);
        SplittableRandom rnd = new SplittableRandom(7);
        disorder = new long[BATCH];
        keyOf = new String[BATCH];
        String[] names = new String[keys];
        for (int k = 0; k < keys; k++) {
            names[k] = "key-" + k;
        }
        for (int i = 0; i < BATCH; i++) {
            disorder[i] = rnd.nextLong(0, BOUND + 1);
            keyOf[i] = names[rnd.nextInt(keys)];
        }
    }

    @Benchmark
    @OperationsPerInvocation(BATCH)
    public long addAndAdvance() throws Exception {
        for (int i = 0; i < BATCH; i++) {
            long ts = clock++ - disorder[i];
            operator.processElement(event, ts, keyOf[i]);
            if (ts > max) {
                max = ts;
                operator.advanceWatermark(max - BOUND - 1);
            }
        }
        return results;
    }
}
