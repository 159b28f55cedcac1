package io.flinklite.runtime.process;

import io.flinklite.api.Collector;
import io.flinklite.api.KeyedProcessFunction;
import io.flinklite.api.OutputTag;
import io.flinklite.runtime.operator.Output;
import org.junit.jupiter.api.Test;

import java.lang.management.ManagementFactory;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * The operator's own per-element path allocates nothing once its keys exist: with functions that use only timers
 * (no boxed state values of their own), processing twice as many elements allocates well under one more byte per
 * extra element. Counts bytes, not time, as {@code ReplayAllocationTest} does.
 */
class KeyedProcessOperatorAllocationTest {
    private static final String[] KEYS = {"k0", "k1", "k2", "k3", "k4", "k5", "k6", "k7"};

    /** The timeout pattern: each element replaces its key's timer (delete, then register 30 s later). */
    static final class Timeout extends KeyedProcessFunction<String, String> {
        @Override
        public void processElement(String value, Context ctx, Collector<String> out) {
            ctx.timerService().deleteEventTimeTimer(ctx.timestamp() - 1 + 30_000);
            ctx.timerService().registerEventTimeTimer(ctx.timestamp() + 30_000);
        }

        @Override
        public void onTimer(long timestamp, OnTimerContext ctx, Collector<String> out) {
            out.collect("silent");
        }
    }

    /** A timer per key and second, deduplicated, firing as the watermark passes. */
    static final class Tick extends KeyedProcessFunction<String, String> {
        @Override
        public void processElement(String value, Context ctx, Collector<String> out) {
            long t = ctx.timestamp();
            ctx.timerService().registerEventTimeTimer(t - t % 1_000 + 1_000);
        }

        @Override
        public void onTimer(long timestamp, OnTimerContext ctx, Collector<String> out) {
            out.collect("tick");
        }
    }

    private static final Output<String> DISCARD = new Output<>() {
        @Override
        public void emit(String element, long timestampMs) {
        }

        @Override
        public <X> void emitSide(OutputTag<X> tag, X element, long timestampMs) {
        }

        @Override
        public void emitWatermark(long watermarkMs) {
        }
    };

    private static long allocatedBytes(KeyedProcessFunction<String, String> fn, int elements) throws Exception {
        KeyedProcessOperator<String, String> op = new KeyedProcessOperator<>(fn, DISCARD);
        com.sun.management.ThreadMXBean threads = (com.sun.management.ThreadMXBean) ManagementFactory.getThreadMXBean();
        long before = threads.getCurrentThreadAllocatedBytes();
        for (int i = 0; i < elements; i++) {
            long ts = i / KEYS.length;
            op.processElement("e", ts, KEYS[i % KEYS.length]);
            if (i % 1_000 == 999) {
                op.processWatermark(ts - 5_000);
            }
        }
        op.processWatermark(Long.MAX_VALUE);
        return threads.getCurrentThreadAllocatedBytes() - before;
    }

    @Test
    void timersAloneAllocateLessThanAByteAnElement() throws Exception {
        for (KeyedProcessFunction<String, String> fn : java.util.List.of(new Timeout(), new Tick())) {
            allocatedBytes(fn, 400_000); // warm-up: class loading, compilation
            long extra = allocatedBytes(fn, 400_000) - allocatedBytes(fn, 200_000);
            assertThat(extra / 200_000.0).as(fn.getClass().getSimpleName()).isLessThan(1.0);
        }
    }
}
