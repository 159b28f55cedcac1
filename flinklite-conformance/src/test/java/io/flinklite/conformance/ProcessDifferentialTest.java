package io.flinklite.conformance;

import static org.junit.jupiter.api.Assertions.fail;

import io.flinklite.api.Event;
import io.flinklite.api.MapState;
import io.flinklite.api.MapStateDescriptor;
import io.flinklite.api.RuntimeContext;
import io.flinklite.api.StateSerializer;
import io.flinklite.api.ValueState;
import io.flinklite.api.ValueStateDescriptor;
import io.flinklite.runtime.operator.Output;
import io.flinklite.runtime.process.KeyedProcessOperator;
import io.flinklite.testing.HarnessSnapshot;
import io.flinklite.testing.OneInputOperatorHarness;
import io.flinklite.testing.SideOutputRecord;
import io.flinklite.testing.StreamRecord;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.SplittableRandom;
import java.util.TreeMap;
import java.util.UUID;
import java.util.stream.Stream;
import org.apache.flink.api.common.functions.OpenContext;
import org.apache.flink.api.common.typeinfo.Types;
import org.apache.flink.streaming.api.datastream.SingleOutputStreamOperator;
import org.apache.flink.streaming.api.environment.StreamExecutionEnvironment;
import org.apache.flink.util.Collector;
import org.apache.flink.util.OutputTag;
import org.junit.jupiter.api.DynamicTest;
import org.junit.jupiter.api.TestFactory;

/**
 * FlinkLite's {@link KeyedProcessOperator} against Apache Flink 2.3's own {@code KeyedProcessOperator} and timer
 * service, on randomized disordered streams: one process function written twice, once against each API, with value
 * and map state, a timeout timer replaced by every element (delete + register), a periodic timer that several
 * elements share (deduplicated), a timer registered while firing, and a side output. Every element and firing emits a
 * line with its timestamp, key, state and the watermark it saw, so each key's sequence of lines must be the same in
 * both, in order (Flink leaves the order of equal timers across keys open; within a key it is the timestamp order).
 * FlinkLite is also restarted from a snapshot at a random point of each case, which must change nothing.
 *
 * <p>Knobs: {@code conformance.process.seed} (first seed, random by default and printed),
 * {@code conformance.process.cases} (default {@value #DEFAULT_CASES}).
 */
class ProcessDifferentialTest {
    static final int DEFAULT_CASES = 200;
    static final int CASES_PER_FLINK_JOB = 100;

    /** One case: the events in arrival order and the function's and watermarks' parameters. */
    record Case(long seed, List<ReferenceEvent> events, long outOfOrdernessMs, long timeoutMs, long periodMs,
                int restartAt) {
        String id() {
            return "process-" + seed;
        }

        static Case generate(long seed) {
            SplittableRandom rnd = new SplittableRandom(seed);
            long[] bounds = {0, 500, 2_000, 5_000};
            long outOfOrderness = bounds[rnd.nextInt(bounds.length)];
            long timeout = 500 + rnd.nextInt(6) * 1_000L;
            long period = 1_000 + rnd.nextInt(4) * 1_000L;
            int keys = 1 + rnd.nextInt(4);
            int n = 1 + rnd.nextInt(150);
            List<ReferenceEvent> events = new ArrayList<>();
            long t = 1_700_000_000_000L;
            for (int i = 0; i < n; i++) {
                t += rnd.nextInt(4) == 0 ? rnd.nextInt(8_000) : rnd.nextInt(600);
                long ts = t - (rnd.nextInt(3) == 0 ? rnd.nextInt(7_000) : 0);
                String key = "k" + rnd.nextInt(keys);
                events.add(new ReferenceEvent(key, ts, 0, null));
            }
            return new Case(seed, events, outOfOrderness, timeout, period, rnd.nextInt(n + 1));
        }
    }

    /** The function's output lines of one run, by key, in order; side output lines under {@code "side:" + key}. */
    private final Map<Long, Map<String, List<String>>> flinkLines = new LinkedHashMap<>();

    @TestFactory
    Stream<DynamicTest> flinkLiteProcessFunctionsMatchFlinkOnRandomizedStreams() {
        long first = Long.getLong("conformance.process.seed", (System.nanoTime() & 0xFFFF_FFFFL) * 1_000);
        int cases = Integer.getInteger("conformance.process.cases", DEFAULT_CASES);
        System.out.println("Process differential tests: " + cases + " cases from seed " + first
                + " (repeat with -Dconformance.process.seed=" + first + " -Dconformance.process.cases=" + cases + ")");
        List<List<Long>> batches = new ArrayList<>();
        for (int i = 0; i < cases; i += CASES_PER_FLINK_JOB) {
            List<Long> batch = new ArrayList<>();
            for (int j = i; j < Math.min(cases, i + CASES_PER_FLINK_JOB); j++) {
                batch.add(first + j);
            }
            batches.add(batch);
        }
        return batches.stream().flatMap(batch -> batch.stream().map(seed -> DynamicTest.dynamicTest(
                "seed " + seed, () -> check(seed, batch))));
    }

    private void check(long seed, List<Long> batch) throws Exception {
        if (!flinkLines.containsKey(seed)) {
            flinkLines.clear();
            List<Case> cases = new ArrayList<>();
            for (long s : batch) {
                cases.add(Case.generate(s));
            }
            flinkLines.putAll(runFlink(cases));
        }
        Case c = Case.generate(seed);
        Map<String, List<String>> flink = flinkLines.get(seed);
        Map<String, List<String>> mine = runFlinkLite(c);
        if (!mine.equals(flink)) {
            StringBuilder b = new StringBuilder("seed " + seed + " (out-of-orderness " + c.outOfOrdernessMs()
                    + " ms, timeout " + c.timeoutMs() + " ms, period " + c.periodMs() + " ms, restart at "
                    + c.restartAt() + ") differs from Flink (Flink is right):\n");
            for (String key : new java.util.TreeSet<>(union(flink.keySet(), mine.keySet()))) {
                List<String> f = flink.getOrDefault(key, List.of());
                List<String> m = mine.getOrDefault(key, List.of());
                if (!f.equals(m)) {
                    b.append("  ").append(key).append("\n    flink:     ").append(f).append("\n    flinklite: ")
                            .append(m).append('\n');
                }
            }
            fail(b.toString());
        }
    }

    private static java.util.Set<String> union(java.util.Set<String> a, java.util.Set<String> b) {
        java.util.Set<String> u = new java.util.HashSet<>(a);
        u.addAll(b);
        return u;
    }

    /** Groups lines {@code "<kind>|<key>|..."} by key (side output lines by {@code "side:" + key}), in order. */
    private static void add(Map<String, List<String>> byKey, String line, boolean side) {
        String key = line.split("\\|")[1];
        byKey.computeIfAbsent(side ? "side:" + key : key, k -> new ArrayList<>()).add(line);
    }

    // ---- the function's logic, shared by both implementations ----

    /** What an element does to the state and which lines it emits; the state is given as plain values. */
    static String elementLine(String key, long ts, long count, long watermark) {
        return "e|" + key + "|" + ts + "|" + count + "|" + wm(watermark);
    }

    static String timerLine(String key, String kind, long ts, Long count, Long ticks, long watermark) {
        return "t|" + key + "|" + ts + "|" + kind + "|" + count + "|" + ticks + "|" + wm(watermark);
    }

    static String sideLine(String key, long ts, long count) {
        return "s|" + key + "|" + ts + "|" + count;
    }

    private static String wm(long watermark) {
        return watermark == Long.MAX_VALUE ? "end" : watermark == Long.MIN_VALUE ? "start" : Long.toString(watermark);
    }

    static long tickOf(long ts, long period) {
        return ts - Math.floorMod(ts, period) + period;
    }

    // ---- Flink ----

    private static Map<Long, Map<String, List<String>>> runFlink(List<Case> cases) throws Exception {
        String runId = UUID.randomUUID().toString();
        StreamExecutionEnvironment env = FlinkReference.newEnvironment();
        OutputTag<String> side = new OutputTag<>("side", Types.STRING);
        for (Case c : cases) {
            SingleOutputStreamOperator<String> out = env.fromData(c.events(), Types.POJO(ReferenceEvent.class))
                    .name("case " + c.id())
                    .assignTimestampsAndWatermarks(FlinkReference.perEventWatermarks(c.outOfOrdernessMs()))
                    .keyBy(new FlinkReference.KeyOf(), Types.STRING)
                    .process(new FlinkProbe(c.timeoutMs(), c.periodMs(), side), Types.STRING);
            out.sinkTo(new FlinkReference.CollectingSink<>(runId + "/" + c.id())).name("out " + c.id());
            out.getSideOutput(side).sinkTo(new FlinkReference.CollectingSink<>(runId + "/" + c.id() + "/side"))
                    .name("side " + c.id());
        }
        FlinkReference.execute(env, "flinklite-conformance-process (" + cases.size() + " cases)");
        Map<Long, Map<String, List<String>>> out = new LinkedHashMap<>();
        for (Case c : cases) {
            Map<String, List<String>> byKey = new TreeMap<>();
            for (Object o : FlinkReference.drain(runId + "/" + c.id())) {
                add(byKey, (String) o, false);
            }
            for (Object o : FlinkReference.drain(runId + "/" + c.id() + "/side")) {
                add(byKey, (String) o, true);
            }
            out.put(c.seed(), byKey);
        }
        return out;
    }

    /** The function against Flink's API. */
    static final class FlinkProbe
            extends org.apache.flink.streaming.api.functions.KeyedProcessFunction<String, ReferenceEvent, String> {
        private final long timeout;
        private final long period;
        private final OutputTag<String> side;
        private transient org.apache.flink.api.common.state.ValueState<Long> count;
        private transient org.apache.flink.api.common.state.ValueState<Long> last;
        private transient org.apache.flink.api.common.state.MapState<Long, Long> ticks;

        FlinkProbe(long timeout, long period, OutputTag<String> side) {
            this.timeout = timeout;
            this.period = period;
            this.side = side;
        }

        @Override
        public void open(OpenContext context) {
            count = getRuntimeContext().getState(
                    new org.apache.flink.api.common.state.ValueStateDescriptor<>("count", Types.LONG));
            last = getRuntimeContext().getState(
                    new org.apache.flink.api.common.state.ValueStateDescriptor<>("last", Types.LONG));
            ticks = getRuntimeContext().getMapState(
                    new org.apache.flink.api.common.state.MapStateDescriptor<>("ticks", Types.LONG, Types.LONG));
        }

        @Override
        public void processElement(ReferenceEvent e, Context ctx, Collector<String> out) throws Exception {
            long ts = ctx.timestamp();
            Long c = count.value();
            long n = c == null ? 1 : c + 1;
            count.update(n);
            Long previous = last.value();
            if (previous != null) {
                ctx.timerService().deleteEventTimeTimer(previous + timeout);
            }
            last.update(ts);
            ctx.timerService().registerEventTimeTimer(ts + timeout);
            long tick = tickOf(ts, period);
            Long t = ticks.get(tick);
            ticks.put(tick, t == null ? 1 : t + 1);
            ctx.timerService().registerEventTimeTimer(tick);
            out.collect(elementLine(ctx.getCurrentKey(), ts, n, ctx.timerService().currentWatermark()));
            if (n % 3 == 0) {
                ctx.output(side, sideLine(ctx.getCurrentKey(), ts, n));
            }
        }

        @Override
        public void onTimer(long timestamp, OnTimerContext ctx, Collector<String> out) throws Exception {
            long wm = ctx.timerService().currentWatermark();
            Long previous = last.value();
            Long n = ticks.get(timestamp);
            if (previous != null && timestamp == previous + timeout) {
                out.collect(timerLine(ctx.getCurrentKey(), "timeout", timestamp, count.value(), n, wm));
                if (count.value() > 2) {
                    ctx.timerService().registerEventTimeTimer(timestamp + 1); // an echo, due at once when W > t
                }
                count.clear();
                last.clear();
            } else {
                out.collect(timerLine(ctx.getCurrentKey(), n == null ? "echo" : "tick", timestamp, count.value(), n,
                        wm));
            }
            ticks.remove(timestamp);
        }
    }

    // ---- FlinkLite ----

    /** The same function against FlinkLite's API. */
    static final class LiteProbe extends io.flinklite.api.KeyedProcessFunction<Event, String> {
        private final long timeout;
        private final long period;
        private ValueState<Long> count;
        private ValueState<Long> last;
        private MapState<Long, Long> ticks;

        LiteProbe(long timeout, long period) {
            this.timeout = timeout;
            this.period = period;
        }

        @Override
        public void open(RuntimeContext context) {
            count = context.getState(new ValueStateDescriptor<>("count", StateSerializer.longs()));
            last = context.getState(new ValueStateDescriptor<>("last", StateSerializer.longs()));
            ticks = context.getMapState(new MapStateDescriptor<>("ticks", StateSerializer.longs(),
                    StateSerializer.longs()));
        }

        @Override
        public void processElement(Event e, Context ctx, io.flinklite.api.Collector<String> out) {
            long ts = ctx.timestamp();
            Long c = count.value();
            long n = c == null ? 1 : c + 1;
            count.update(n);
            Long previous = last.value();
            if (previous != null) {
                ctx.timerService().deleteEventTimeTimer(previous + timeout);
            }
            last.update(ts);
            ctx.timerService().registerEventTimeTimer(ts + timeout);
            long tick = tickOf(ts, period);
            Long t = ticks.get(tick);
            ticks.put(tick, t == null ? 1 : t + 1);
            ctx.timerService().registerEventTimeTimer(tick);
            out.collect(elementLine(ctx.getCurrentKey(), ts, n, ctx.timerService().currentWatermark()));
            if (n % 3 == 0) {
                ctx.output(SIDE, sideLine(ctx.getCurrentKey(), ts, n));
            }
        }

        @Override
        public void onTimer(long timestamp, OnTimerContext ctx, io.flinklite.api.Collector<String> out) {
            long wm = ctx.timerService().currentWatermark();
            Long previous = last.value();
            Long n = ticks.get(timestamp);
            if (previous != null && timestamp == previous + timeout) {
                out.collect(timerLine(ctx.getCurrentKey(), "timeout", timestamp, count.value(), n, wm));
                if (count.value() > 2) {
                    ctx.timerService().registerEventTimeTimer(timestamp + 1);
                }
                count.clear();
                last.clear();
            } else {
                out.collect(timerLine(ctx.getCurrentKey(), n == null ? "echo" : "tick", timestamp, count.value(), n,
                        wm));
            }
            ticks.remove(timestamp);
        }
    }

    static final io.flinklite.api.OutputTag<String> SIDE = new io.flinklite.api.OutputTag<>("side");

    /**
     * The case through FlinkLite's operator in the generic harness, with Flink's watermark flow: each element, then
     * {@code W = max - B - 1}; the end of the input. Snapshotted and restored into a fresh operator at
     * {@code restartAt}.
     */
    static Map<String, List<String>> runFlinkLite(Case c) throws Exception {
        var h = OneInputOperatorHarness.of((Output<String> out) ->
                new KeyedProcessOperator<>(new LiteProbe(c.timeoutMs(), c.periodMs()), out));
        List<Object> emitted = new ArrayList<>();
        long max = Long.MIN_VALUE + c.outOfOrdernessMs() + 1;
        int i = 0;
        for (ReferenceEvent e : c.events()) {
            if (i++ == c.restartAt()) {
                emitted.addAll(h.emitted());
                HarnessSnapshot s = h.snapshot();
                h = h.restored(s);
            }
            h.processElement(Event.of(i, e.timestamp, e.key), e.timestamp, e.key);
            max = Math.max(max, e.timestamp);
            h.processWatermark(max - c.outOfOrdernessMs() - 1);
        }
        h.endInput();
        emitted.addAll(h.emitted());
        Map<String, List<String>> byKey = new TreeMap<>();
        for (Object o : emitted) {
            if (o instanceof StreamRecord<?> r) {
                add(byKey, (String) r.value(), false);
            } else if (o instanceof SideOutputRecord<?> s) {
                add(byKey, (String) s.value(), true);
            }
        }
        return byKey;
    }
}
