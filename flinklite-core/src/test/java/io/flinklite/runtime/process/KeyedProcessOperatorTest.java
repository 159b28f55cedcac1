package io.flinklite.runtime.process;

import io.flinklite.api.Collector;
import io.flinklite.api.KeyedProcessFunction;
import io.flinklite.api.ListState;
import io.flinklite.api.ListStateDescriptor;
import io.flinklite.api.MapState;
import io.flinklite.api.MapStateDescriptor;
import io.flinklite.api.OutputTag;
import io.flinklite.api.RuntimeContext;
import io.flinklite.api.StateSerializer;
import io.flinklite.api.ValueState;
import io.flinklite.api.ValueStateDescriptor;
import io.flinklite.runtime.operator.Output;
import io.flinklite.runtime.state.KeyGroups;
import io.flinklite.runtime.state.MemoryState;
import io.flinklite.runtime.state.StateFormatException;
import io.flinklite.testing.HarnessSnapshot;
import io.flinklite.testing.OneInputOperatorHarness;
import io.flinklite.testing.StreamRecord;
import io.flinklite.testing.Watermark;
import org.junit.jupiter.api.Test;

import java.util.ArrayList;
import java.util.List;
import java.util.function.Supplier;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

/**
 * The keyed process operator through the generic harness, against the rules of Flink's {@code KeyedProcessOperator}
 * and its timer service: per-key state, timers deduplicated per key and time, fired in timestamp order once the
 * watermark reaches them, output timestamps, side outputs, snapshot/restore with pending timers, and keys dropped
 * once they hold nothing.
 */
class KeyedProcessOperatorTest {
    private static final OutputTag<String> ODD = new OutputTag<>("odd");

    /**
     * A scriptable function over string commands: {@code "count"} counts per key and emits the count,
     * {@code "timer:T"} registers a timer at T, {@code "delete:T"} deletes it, {@code "list:X"} appends X to a list,
     * {@code "map:K=V"} puts into a map, {@code "clear"} clears everything, {@code "odd"} emits to the side output.
     * A timer emits {@code "fired <key>@<ts> wm=<watermark> count=<n> list=<..> map=<..>"}; a timer at T whose key's
     * list holds {@code "again"} registers another at T (due at once) the first time.
     */
    static final class Script extends KeyedProcessFunction<String, String> {
        ValueState<Long> count;
        ListState<String> list;
        MapState<String, Long> map;
        ValueState<Boolean> rearmed;

        @Override
        public void open(RuntimeContext context) {
            count = context.getState(new ValueStateDescriptor<>("count", StateSerializer.longs()));
            list = context.getListState(new ListStateDescriptor<>("list", StateSerializer.strings()));
            map = context.getMapState(new MapStateDescriptor<>("map", StateSerializer.strings(), StateSerializer.longs()));
            rearmed = context.getState(new ValueStateDescriptor<>("rearmed", StateSerializer.booleans()));
        }

        @Override
        public void processElement(String command, Context ctx, Collector<String> out) {
            String arg = command.contains(":") ? command.substring(command.indexOf(':') + 1) : "";
            switch (command.contains(":") ? command.substring(0, command.indexOf(':')) : command) {
                case "count" -> {
                    Long n = count.value();
                    count.update(n == null ? 1 : n + 1);
                    out.collect(ctx.getCurrentKey() + "=" + count.value());
                }
                case "timer" -> ctx.timerService().registerEventTimeTimer(Long.parseLong(arg));
                case "delete" -> ctx.timerService().deleteEventTimeTimer(Long.parseLong(arg));
                case "list" -> list.add(arg);
                case "map" -> map.put(arg.substring(0, arg.indexOf('=')), Long.parseLong(arg.substring(arg.indexOf('=') + 1)));
                case "clear" -> {
                    count.clear();
                    list.clear();
                    map.clear();
                    rearmed.clear();
                }
                case "odd" -> ctx.output(ODD, "odd " + ctx.getCurrentKey() + "@" + ctx.timestamp());
                default -> throw new IllegalArgumentException(command);
            }
        }

        @Override
        public void onTimer(long timestamp, OnTimerContext ctx, Collector<String> out) {
            out.collect("fired " + ctx.getCurrentKey() + "@" + timestamp + " wm=" + ctx.timerService().currentWatermark()
                    + " count=" + count.value() + " list=" + list.get() + " map=" + map.entries());
            if (list.get().contains("again") && rearmed.value() == null) {
                rearmed.update(true);
                ctx.timerService().registerEventTimeTimer(timestamp);
            }
        }
    }

    private static OneInputOperatorHarness<String, String> harness() {
        return harness(Script::new);
    }

    private static OneInputOperatorHarness<String, String> harness(Supplier<KeyedProcessFunction<String, String>> fn) {
        return OneInputOperatorHarness.of((Output<String> out) -> new KeyedProcessOperator<>(fn.get(), out));
    }

    private static KeyedProcessOperator<?, ?> op(OneInputOperatorHarness<String, String> h) {
        return (KeyedProcessOperator<?, ?>) h.operator();
    }

    /** The timeout pattern of the {@link KeyedProcessFunction} Javadoc: alert when a key is silent for 30 s. */
    static final class Silence extends KeyedProcessFunction<String, String> {
        private ValueState<Long> lastSeen;

        @Override
        public void open(RuntimeContext context) {
            lastSeen = context.getState(new ValueStateDescriptor<>("last-seen", StateSerializer.longs()));
        }

        @Override
        public void processElement(String value, Context ctx, Collector<String> out) {
            Long previous = lastSeen.value();
            if (previous != null) {
                ctx.timerService().deleteEventTimeTimer(previous + 30_000);
            }
            lastSeen.update(ctx.timestamp());
            ctx.timerService().registerEventTimeTimer(ctx.timestamp() + 30_000);
        }

        @Override
        public void onTimer(long timestamp, OnTimerContext ctx, Collector<String> out) {
            out.collect(ctx.getCurrentKey() + " silent since " + lastSeen.value());
            lastSeen.clear();
        }
    }

    @Test
    void theTimeoutPatternAlertsOnceAKeyIsSilentFor30sAndKeepsOneTimerPerKey() throws Exception {
        var h = harness(Silence::new);
        for (long t = 0; t <= 50_000; t += 10_000) {
            h.processElement("x", t, "busy");
        }
        h.processElement("x", 5_000, "quiet");
        assertThat(op(h).pendingTimers()).isEqualTo(2);
        h.processWatermark(34_999);
        assertThat(h.elements()).isEmpty();
        h.processWatermark(35_000);
        assertThat(h.output()).containsExactly(new Watermark(34_999),
                new StreamRecord<>("quiet silent since 5000", 35_000), new Watermark(35_000));
        h.processWatermark(80_000);
        assertThat(h.elements()).containsExactly("quiet silent since 5000", "busy silent since 50000");
        assertThat(op(h).keys()).isZero();
    }

    @Test
    void valueStateIsPerKeyAndOutputCarriesTheElementsTimestamp() throws Exception {
        var h = harness();
        h.processElement("count", 5, "a").processElement("count", 7, "b").processElement("count", 3, "a");
        assertThat(h.output()).containsExactly(new StreamRecord<>("a=1", 5), new StreamRecord<>("b=1", 7),
                new StreamRecord<>("a=2", 3));
        assertThat(op(h).keys()).isEqualTo(2);
    }

    @Test
    void aTimerFiresWhenTheWatermarkReachesItsTimestampAndNotBefore() throws Exception {
        var h = harness();
        h.processElement("timer:100", 1, "a");
        h.processWatermark(99);
        assertThat(h.output()).containsExactly(new Watermark(99));
        h.processWatermark(100);
        // Fired with the timer's timestamp, before the watermark is forwarded; onTimer sees the new watermark.
        assertThat(h.output()).containsExactly(new Watermark(99),
                new StreamRecord<>("fired a@100 wm=100 count=null list=[] map={}", 100), new Watermark(100));
        assertThat(op(h).firedTimers()).isEqualTo(1);
        assertThat(op(h).keys()).isZero();
    }

    @Test
    void timersAreDeduplicatedPerKeyAndTime() throws Exception {
        var h = harness();
        h.processElement("timer:50", 1, "a").processElement("timer:50", 2, "a").processElement("timer:50", 3, "b");
        assertThat(op(h).pendingTimers()).isEqualTo(2);
        h.processWatermark(60);
        assertThat(h.elements()).containsExactly("fired a@50 wm=60 count=null list=[] map={}",
                "fired b@50 wm=60 count=null list=[] map={}");
        assertThat(op(h).pendingTimers()).isZero();
    }

    @Test
    void dueTimersFireInTimestampOrderThenKeyOrder() throws Exception {
        var h = harness();
        h.processElement("timer:30", 1, "b").processElement("timer:10", 1, "c").processElement("timer:30", 1, "a");
        h.processElement("timer:20", 1, "b").processElement("timer:10", 1, "a").processElement("timer:40", 1, "a");
        h.processWatermark(35);
        assertThat(h.output()).extracting(o -> o instanceof StreamRecord<?> r ? r.value().toString().split(" ")[1] : o)
                .containsExactly("a@10", "c@10", "b@20", "a@30", "b@30", new Watermark(35));
        assertThat(op(h).pendingTimers()).isEqualTo(1);
    }

    @Test
    void aDeletedTimerDoesNotFireAndDeletingAnAbsentOneChangesNothing() throws Exception {
        var h = harness();
        h.processElement("timer:10", 1, "a").processElement("timer:20", 1, "a").processElement("timer:15", 1, "b");
        h.processElement("delete:10", 2, "a").processElement("delete:99", 2, "a").processElement("delete:15", 2, "c");
        assertThat(op(h).pendingTimers()).isEqualTo(2);
        h.processWatermark(100);
        assertThat(h.elements()).extracting(s -> s.split(" ")[1]).containsExactly("b@15", "a@20");
    }

    @Test
    void deletingAKeysOnlyTimerDropsTheKey() throws Exception {
        var h = harness();
        h.processElement("timer:10", 1, "a").processElement("delete:10", 2, "a");
        assertThat(op(h).keys()).isZero();
        assertThat(op(h).pendingTimers()).isZero();
    }

    @Test
    void aTimerAtOrBelowTheWatermarkFiresAtTheNextAdvance() throws Exception {
        var h = harness();
        h.processWatermark(50);
        h.processElement("timer:40", 60, "a").processElement("timer:50", 60, "b");
        assertThat(h.elements()).isEmpty();
        h.processWatermark(51);
        assertThat(h.elements()).extracting(s -> s.split(" ")[1]).containsExactly("a@40", "b@50");
    }

    @Test
    void aTimerRegisteredWhileFiringAtOrBelowTheWatermarkFiresInTheSameAdvance() throws Exception {
        var h = harness();
        h.processElement("list:again", 1, "a").processElement("timer:10", 1, "a");
        h.processWatermark(20);
        assertThat(h.output()).containsExactly(
                new StreamRecord<>("fired a@10 wm=20 count=null list=[again] map={}", 10),
                new StreamRecord<>("fired a@10 wm=20 count=null list=[again] map={}", 10),
                new Watermark(20));
    }

    @Test
    void everyElementIsProcessedWhateverItsTimestamp() throws Exception {
        var h = harness();
        h.processWatermark(1_000);
        h.processElement("count", 5, "a");
        assertThat(h.elements()).containsExactly("a=1");
    }

    @Test
    void sideOutputGetsTheElementsTimestamp() throws Exception {
        var h = harness();
        h.processElement("odd", 42, "k").processElement("count", 43, "k");
        assertThat(h.sideOutput(ODD)).containsExactly(new StreamRecord<>("odd k@42", 42));
        assertThat(h.elements()).containsExactly("k=1");
    }

    @Test
    void listAndMapStateAreReadBackInOrderPerKey() throws Exception {
        var h = harness();
        h.processElement("list:x", 1, "a").processElement("list:y", 2, "a").processElement("list:z", 3, "b");
        h.processElement("map:q=2", 1, "a").processElement("map:p=1", 1, "a").processElement("map:q=3", 1, "a");
        h.processElement("timer:10", 1, "a").processElement("timer:10", 1, "b");
        h.processWatermark(10);
        assertThat(h.elements()).containsExactly("fired a@10 wm=10 count=null list=[x, y] map={q=3, p=1}",
                "fired b@10 wm=10 count=null list=[z] map={}");
    }

    @Test
    void aKeyThatClearsEverythingHoldsNoState() throws Exception {
        var h = harness();
        h.processElement("count", 1, "a").processElement("list:x", 1, "a").processElement("map:k=1", 1, "a");
        h.processElement("count", 1, "b");
        assertThat(op(h).keys()).isEqualTo(2);
        h.processElement("clear", 2, "a");
        assertThat(op(h).keys()).isEqualTo(1);
        assertThat(h.snapshot().toJson()).doesNotContain("\"a\"").contains("\"b\"");
        h.processElement("clear", 2, "b");
        assertThat(op(h).keys()).isZero();
    }

    @Test
    void aKeyWithStateButNoTimerLeftKeepsItsState() throws Exception {
        var h = harness();
        h.processElement("count", 1, "a").processElement("timer:5", 1, "a");
        h.processWatermark(5);
        assertThat(op(h).keys()).isEqualTo(1);
        h.processElement("count", 6, "a");
        assertThat(h.elements()).endsWith("a=2");
    }

    /** One script, restarted from a snapshot after step {@code restartAfter} (-1: never). */
    private static List<Object> script(int restartAfter) throws Exception {
        var h = harness();
        List<Object> out = new ArrayList<>();
        String[] keys = {"a", "b", "c"};
        for (int step = 0; step < 5; step++) {
            long base = step * 10L;
            for (String k : keys) {
                h.processElement("count", base + 1, k);
                h.processElement("timer:" + (base + 15), base + 2, k); // pending across the restart
                h.processElement("list:" + step, base + 3, k);
                h.processElement("map:" + k + "=" + step, base + 3, k);
            }
            h.processElement("delete:" + (base + 15), base + 4, "b");
            h.processElement("timer:" + (base + 15), base + 4, "c"); // a duplicate
            h.processElement("odd", base + 5, "a");
            h.processWatermark(base + 5);
            out.addAll(h.emitted());
            h.clearOutput();
            if (step == restartAfter) {
                HarnessSnapshot s = h.snapshot();
                h = h.restored(s);
                assertThat(h.snapshot().toJson()).isEqualTo(s.toJson());
            }
        }
        h.endInput();
        out.addAll(h.emitted());
        return out;
    }

    @Test
    void aSnapshotMidStreamWithPendingTimersRestoresIntoAFreshOperatorWithTheSameOutcome() throws Exception {
        List<Object> uninterrupted = script(-1);
        assertThat(uninterrupted).hasSizeGreaterThan(30);
        for (int restart = 0; restart < 5; restart++) {
            assertThat(script(restart)).as("restart after step %d", restart).isEqualTo(uninterrupted);
        }
    }

    @Test
    void theSnapshotIsByKeyGroupWithTimersAndStateAsTheSerializersWriteThem() throws Exception {
        var h = harness();
        h.processElement("count", 1, "k").processElement("timer:7", 1, "k").processElement("list:x", 1, "k");
        h.processWatermark(3);
        String json = h.snapshot().toJson();
        assertThat(json).contains("\"watermark\": 3", "\"keyGroup\": " + KeyGroups.of("k"),
                "\"key\": \"k\"", "\"timers\": [\n", "\"value\": \"1\"", "\"list\": [");
    }

    @Test
    void aRestoreTakesKeyGroupsFromSeveralSnapshots() throws Exception {
        var one = harness();
        one.processElement("count", 1, "a").processElement("timer:9", 1, "a");
        var two = harness();
        two.processElement("count", 1, "b").processElement("count", 1, "b");
        var merged = harness();
        for (var from : List.of(one, two)) {
            MemoryState state = new MemoryState();
            var w = state.writer();
            w.beginObject(null);
            from.operator().snapshotState(w);
            w.endObject();
            var r = state.reader();
            r.beginObject(null);
            merged.operator().restoreState(r);
            r.endObject();
        }
        merged.processElement("count", 2, "a").processElement("count", 2, "b").processWatermark(9);
        assertThat(merged.elements()).containsExactly("a=2", "b=3", "fired a@9 wm=9 count=2 list=[] map={}");
    }

    @Test
    void aKeyInTheWrongKeyGroupIsRefused() throws Exception {
        var h = harness();
        h.processElement("count", 1, "k");
        String json = h.snapshot().toJson();
        int group = KeyGroups.of("k");
        MemoryState state = new MemoryState();
        var w = state.writer();
        w.beginObject(null);
        w.writeLong("watermark", Long.MIN_VALUE);
        w.beginArray("states");
        w.endArray();
        w.beginArray("keyGroups");
        w.beginObject(null);
        w.writeLong("keyGroup", (group + 1) % KeyGroups.COUNT);
        w.beginArray("keys");
        w.beginObject(null);
        w.writeString("key", "k");
        w.endObject();
        w.endArray();
        w.endObject();
        w.endArray();
        w.endObject();
        var r = state.reader();
        r.beginObject(null);
        assertThatThrownBy(() -> harness().operator().restoreState(r)).isInstanceOf(StateFormatException.class)
                .hasMessageContaining("key group " + group);
        assertThat(json).contains("\"keyGroup\": " + group);
    }

    @Test
    void aSnapshotHoldingAStateTheFunctionDoesNotDeclareIsRefused() throws Exception {
        var h = harness();
        h.processElement("count", 1, "k");
        HarnessSnapshot s = h.snapshot();
        var other = harness(() -> new KeyedProcessFunction<String, String>() {
            @Override
            public void open(RuntimeContext context) {
                context.getState(new ValueStateDescriptor<>("total", StateSerializer.longs()));
            }

            @Override
            public void processElement(String value, Context ctx, Collector<String> out) {
            }
        });
        assertThatThrownBy(() -> other.restore(s)).isInstanceOf(StateFormatException.class)
                .hasMessageContaining("'count'").hasMessageContaining("'total'");
    }

    @Test
    void aValueTheSerializerCannotReadFailsTheRestoreNamingTheState() throws Exception {
        var h = harness(() -> new KeyedProcessFunction<String, String>() {
            ValueState<String> v;

            @Override
            public void open(RuntimeContext context) {
                v = context.getState(new ValueStateDescriptor<>("count", StateSerializer.strings()));
            }

            @Override
            public void processElement(String value, Context ctx, Collector<String> out) {
                v.update("not a number");
            }
        });
        h.processElement("x", 1, "k");
        assertThatThrownBy(() -> harness().restore(h.snapshot())).isInstanceOf(StateFormatException.class)
                .hasMessageContaining("value state 'count'").hasMessageContaining("not a number");
    }

    @Test
    void stateIsDeclaredInOpenOnlyAndOneNameIsOneKind() {
        assertThatThrownBy(() -> harness(() -> new KeyedProcessFunction<String, String>() {
            @Override
            public void open(RuntimeContext context) {
                context.getState(new ValueStateDescriptor<>("s", StateSerializer.longs()));
                context.getListState(new ListStateDescriptor<>("s", StateSerializer.longs()));
            }

            @Override
            public void processElement(String value, Context ctx, Collector<String> out) {
            }
        })).isInstanceOf(IllegalArgumentException.class).hasMessageContaining("'s'");

        RuntimeContext[] kept = new RuntimeContext[1];
        var h = harness(() -> new KeyedProcessFunction<String, String>() {
            @Override
            public void open(RuntimeContext context) {
                kept[0] = context;
            }

            @Override
            public void processElement(String value, Context ctx, Collector<String> out) {
                kept[0].getState(new ValueStateDescriptor<>("late", StateSerializer.longs()));
            }
        });
        assertThatThrownBy(() -> h.processElement("x", 1, "k")).isInstanceOf(IllegalStateException.class)
                .hasMessageContaining("open()");
    }

    @Test
    void stateOutsideACallIsRefused() throws Exception {
        Script[] fn = new Script[1];
        var h = harness(() -> fn[0] = new Script());
        h.processElement("count", 1, "k");
        assertThatThrownBy(() -> fn[0].count.value()).isInstanceOf(IllegalStateException.class)
                .hasMessageContaining("processElement or onTimer");
    }

    @Test
    void anElementWithoutAKeyIsRefused() {
        assertThatThrownBy(() -> harness().processElement("count", 1)).isInstanceOf(IllegalArgumentException.class)
                .hasMessageContaining("keyBy");
    }

    @Test
    void aFailingOutputFailsTheCallWithItsOwnException() {
        var failing = new java.io.IOException("sink refused");
        var op = new KeyedProcessOperator<>(new Script(), new Output<String>() {
            @Override
            public void emit(String element, long timestampMs) throws Exception {
                throw failing;
            }

            @Override
            public <X> void emitSide(OutputTag<X> tag, X element, long timestampMs) {
            }

            @Override
            public void emitWatermark(long watermarkMs) {
            }
        });
        assertThatThrownBy(() -> op.processElement("count", 1, "k")).isSameAs(failing);
        assertThat(op.keys()).isEqualTo(1);
    }
}
