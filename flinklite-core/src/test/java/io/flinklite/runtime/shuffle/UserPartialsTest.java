package io.flinklite.runtime.shuffle;

import io.flinklite.api.AccumulatorSerializer;
import io.flinklite.api.AggregateFunction;
import io.flinklite.api.Event;
import io.flinklite.api.WindowAssigner;
import io.flinklite.runtime.operator.Output;
import io.flinklite.runtime.state.ByteArrayWriter;
import io.flinklite.runtime.window.UserAggregator;
import io.flinklite.runtime.window.WindowOperator;
import io.flinklite.testing.OneInputOperatorHarness;
import org.junit.jupiter.api.Test;

import java.util.HashMap;
import java.util.Map;
import java.util.Random;

import static org.assertj.core.api.Assertions.assertThat;

/** A user AggregateFunction's accumulators shipped as partials and merged with its merge(): the same results. */
class UserPartialsTest {
    /** Count and sum of squares of the value: (count, sumSq) as text "c;s". */
    static final class SquareSum implements AggregateFunction<Event, long[], String> {
        @Override public long[] createAccumulator() { return new long[2]; }
        @Override public long[] add(Event e, long[] acc) { acc[0]++; acc[1] += (long) (e.value() * e.value()); return acc; }
        @Override public String getResult(long[] acc) { return acc[0] + "/" + acc[1]; }
        @Override public long[] merge(long[] a, long[] b) { a[0] += b[0]; a[1] += b[1]; return a; }
    }

    static final class Text implements AccumulatorSerializer<long[]> {
        @Override public String toText(long[] acc) { return acc[0] + ";" + acc[1]; }
        @Override public long[] fromText(String text) {
            String[] p = text.split(";");
            return new long[] {Long.parseLong(p[0]), Long.parseLong(p[1])};
        }
    }

    private static OneInputOperatorHarness<Object, Object> windows(WindowAssigner assigner) {
        return OneInputOperatorHarness.of((Output<Object> out) -> new WindowOperator(assigner, 0,
                new UserAggregator<>(new SquareSum(), new Text(), out), out));
    }

    @Test
    void panesMergedFromPartialsFireAsElementsWould() throws Exception {
        WindowAssigner assigner = WindowAssigner.sliding(3_000, 1_000, 0);
        var direct = windows(assigner);
        var merged = windows(assigner);
        UserAggregator<Event, long[], String> store = new UserAggregator<>(new SquareSum(), new Text(),
                new Output<io.flinklite.api.Windowed<String>>() {
                    @Override public void emit(io.flinklite.api.Windowed<String> e, long ts) { }
                    @Override public <X> void emitSide(io.flinklite.api.OutputTag<X> t, X e, long ts) { }
                    @Override public void emitWatermark(long w) { }
                });
        Map<String, Integer> slots = new HashMap<>();
        Random r = new Random(3);
        for (int pane = 0; pane < 20; pane++) {
            slots.clear();
            for (int i = 0; i < 50; i++) {
                long ts = pane * 1_000L + r.nextInt(1_000);
                String key = "k" + r.nextInt(5);
                Event e = Event.of(i, ts, key, r.nextInt(10));
                direct.processElement(e, ts, key);
                int slot = slots.computeIfAbsent(key, k -> store.newSlot());
                store.add(slot, e);
            }
            ByteArrayWriter partial = new ByteArrayWriter(16);
            for (Map.Entry<String, Integer> s : slots.entrySet()) {
                store.writePartial(s.getValue(), partial.reset());
                ((WindowOperator) merged.operator()).mergePartial(s.getKey(), pane * 1_000L, partial.array(), 0,
                        partial.length());
                store.free(s.getValue());
            }
            direct.processWatermark(pane * 1_000L + 999);
            merged.processWatermark(pane * 1_000L + 999);
        }
        direct.endInput();
        merged.endInput();
        // Firings at one time come in timer registration order, which partials change; the multiset is the contract.
        assertThat(merged.elements()).isNotEmpty().containsExactlyInAnyOrderElementsOf(direct.elements());
    }
}
