package io.flinklite.testing;

import io.flinklite.api.Event;
import io.flinklite.api.WindowAssigner;
import io.flinklite.api.WindowResult;
import io.flinklite.job.AggregateSpec;
import org.junit.jupiter.api.Test;

import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Random;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * Randomized checks of the window operator on disordered streams, for every window kind, with and without allowed
 * lateness: (1) it fires exactly what a naive model of Flink's algorithm fires, and sends the same elements to the
 * late side output; (2) snapshotting and restoring into a fresh operator at arbitrary points changes nothing.
 * Seeds are fixed so a failure names a reproducible case.
 */
class WindowOperatorRandomizedTest {

    private static final String[] KEYS = {"a", "b", "c"};

    record Step(boolean watermark, String key, long ts, long id) {
    }

    private static WindowAssigner randomAssigner(Random r) {
        switch (r.nextInt(3)) {
            case 0: {
                long size = 1 + r.nextInt(20);
                return WindowAssigner.tumbling(size, r.nextBoolean() ? 0 : r.nextLong() % size);
            }
            case 1: {
                long slide = 1 + r.nextInt(10);
                long size = 1 + r.nextInt(30);
                return WindowAssigner.sliding(size, slide, r.nextBoolean() ? 0 : r.nextLong() % slide);
            }
            default:
                return WindowAssigner.session(1 + r.nextInt(10));
        }
    }

    /** Events with timestamps around a base (negative sometimes) and bounded disorder; watermark after each, like replay. */
    private static List<Step> randomStream(Random r, long outOfOrderness) {
        List<Step> steps = new ArrayList<>();
        long base = r.nextBoolean() ? -50 : 1_000;
        long clock = base;
        long max = Long.MIN_VALUE;
        int n = 20 + r.nextInt(200);
        for (int i = 1; i <= n; i++) {
            clock += r.nextInt(4);
            long ts = clock - r.nextInt(15); // disorder up to 14, sometimes beyond the bound: late data
            steps.add(new Step(false, KEYS[r.nextInt(KEYS.length)], ts, i));
            max = Math.max(max, ts);
            steps.add(new Step(true, null, max - outOfOrderness - 1, 0));
        }
        steps.add(new Step(true, null, Long.MAX_VALUE, 0));
        return steps;
    }

    private static String describe(WindowResult r) {
        return r.key() + "[" + r.windowStart() + "," + r.windowEnd() + ") count=" + r.count() + " sum=" + (long) r.value();
    }

    private static String describe(FlinkReferenceModel.Firing f) {
        return f.key() + "[" + f.start() + "," + f.end() + ") count=" + f.count() + " sum=" + f.sum();
    }

    private static Map<String, Integer> multiset(List<String> items) {
        Map<String, Integer> m = new HashMap<>();
        for (String s : items) {
            m.merge(s, 1, Integer::sum);
        }
        return m;
    }

    private static WindowOperatorHarness<Event, WindowResult> harness(WindowAssigner a, long lateness) {
        return WindowOperatorHarness.forBuiltIn(a, lateness, AggregateSpec.Kind.SUM);
    }

    private static void feed(WindowOperatorHarness<Event, WindowResult> h, Step s) throws Exception {
        if (s.watermark()) {
            h.processWatermark(s.ts());
        } else {
            h.processElement(Event.of(s.id(), s.ts(), s.key(), s.id()), s.ts());
        }
    }

    @Test
    void firesExactlyWhatFlinksAlgorithmFires() throws Exception {
        for (long seed = 1; seed <= 600; seed++) {
            Random r = new Random(seed);
            WindowAssigner assigner = randomAssigner(r);
            long lateness = r.nextBoolean() ? 0 : r.nextInt(12);
            List<Step> steps = randomStream(r, r.nextInt(6));

            FlinkReferenceModel model = new FlinkReferenceModel(assigner, lateness);
            var h = harness(assigner, lateness);
            for (Step s : steps) {
                feed(h, s);
                if (s.watermark()) {
                    model.advanceWatermark(s.ts());
                } else {
                    model.processElement(s.key(), s.ts(), s.id());
                }
            }
            List<String> mine = new ArrayList<>();
            h.results().forEach(x -> mine.add(describe(x)));
            List<String> flink = new ArrayList<>();
            model.firings.forEach(f -> flink.add(describe(f)));
            String what = "seed " + seed + ", " + assigner + ", lateness " + lateness;
            assertThat(multiset(mine)).as(what).isEqualTo(multiset(flink));
            List<Long> lateIds = new ArrayList<>();
            h.lateOutput().forEach(e -> lateIds.add(e.id()));
            assertThat(lateIds).as(what).containsExactlyInAnyOrderElementsOf(model.late);
            assertThat(h.openPanes()).as(what + ": state left after the final watermark").isZero();
            assertThat(h.openWindows()).as(what).isZero();
        }
    }

    @Test
    void snapshotAndRestoreMidStreamGiveTheSameOutputAsAnUninterruptedRun() throws Exception {
        for (long seed = 1; seed <= 300; seed++) {
            Random r = new Random(seed * 7919);
            WindowAssigner assigner = randomAssigner(r);
            long lateness = r.nextBoolean() ? 0 : r.nextInt(12);
            List<Step> steps = randomStream(r, r.nextInt(6));

            var uninterrupted = harness(assigner, lateness);
            for (Step s : steps) {
                feed(uninterrupted, s);
            }

            List<String> output = new ArrayList<>();
            List<Long> late = new ArrayList<>();
            var h = harness(assigner, lateness);
            for (Step s : steps) {
                if (r.nextInt(8) == 0) {
                    HarnessSnapshot snap = h.snapshot();
                    h.results().forEach(x -> output.add(describe(x)));
                    h.lateOutput().forEach(e -> late.add(e.id()));
                    h = harness(assigner, lateness);
                    h.restore(snap);
                }
                feed(h, s);
            }
            h.results().forEach(x -> output.add(describe(x)));
            h.lateOutput().forEach(e -> late.add(e.id()));

            List<String> expected = new ArrayList<>();
            uninterrupted.results().forEach(x -> expected.add(describe(x)));
            List<Long> expectedLate = new ArrayList<>();
            uninterrupted.lateOutput().forEach(e -> expectedLate.add(e.id()));
            String what = "seed " + seed + ", " + assigner + ", lateness " + lateness;
            assertThat(multiset(output)).as(what).isEqualTo(multiset(expected));
            assertThat(late).as(what).containsExactlyInAnyOrderElementsOf(expectedLate);
        }
    }
}
