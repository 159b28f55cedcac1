package io.flinklite.runtime.join;

import io.flinklite.api.WindowAssigner;
import io.flinklite.runtime.join.JoinHarness.Late;
import io.flinklite.runtime.join.JoinHarness.Pair;
import org.junit.jupiter.api.Test;

import java.util.ArrayList;
import java.util.List;
import java.util.SplittableRandom;
import java.util.function.Supplier;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * Seeded random scripts (elements of both sides with late ones among them, watermarks per input) through the join
 * operators: (1) the interval join against a brute-force model of Flink's rules, lateness and cleanup included;
 * (2) both operators snapshotted and restored into fresh ones at random steps, which must not change one byte of the
 * output, its order included.
 */
class JoinRandomizedTest {
    private static final int SEEDS = 300;

    /** One step of a script: an element of a side, or a watermark of an input. */
    private record Step(boolean element, boolean left, long ts, String key, String json) {
    }

    private static List<Step> script(long seed) {
        SplittableRandom rnd = new SplittableRandom(seed);
        List<Step> steps = new ArrayList<>();
        long[] w = {-5, -5};
        int n = rnd.nextInt(10, 120);
        for (int i = 0; i < n; i++) {
            boolean left = rnd.nextBoolean();
            if (rnd.nextInt(4) == 0) {
                int input = left ? 0 : 1;
                w[input] += rnd.nextInt(0, 6);
                steps.add(new Step(false, left, w[input], null, null));
            } else {
                long base = Math.min(w[0], w[1]);
                long ts = base + rnd.nextInt(-3, 12); // some behind the watermark: late
                String key = "k" + rnd.nextInt(3);
                steps.add(new Step(true, left, ts, key, "{\"i\":" + i + "}"));
            }
        }
        return steps;
    }

    private static List<Object> run(Supplier<JoinHarness> factory, List<Step> steps, SplittableRandom restarts)
            throws Exception {
        JoinHarness h = factory.get();
        List<Object> out = new ArrayList<>();
        for (Step s : steps) {
            if (s.element()) {
                if (s.left()) {
                    h.left(s.ts(), s.key(), s.json());
                } else {
                    h.right(s.ts(), s.key(), s.json());
                }
            } else if (s.left()) {
                h.watermark1(s.ts());
            } else {
                h.watermark2(s.ts());
            }
            if (restarts != null && restarts.nextInt(5) == 0) {
                out.addAll(h.output());
                h.clearOutput();
                h = h.restoreInto(h.snapshot());
            }
        }
        h.watermark(Long.MAX_VALUE);
        out.addAll(h.output());
        return out;
    }

    @Test
    void theIntervalJoinMatchesABruteForceModelOfFlinksRules() throws Exception {
        for (long seed = 0; seed < SEEDS; seed++) {
            SplittableRandom rnd = new SplittableRandom(seed * 31 + 7);
            long a = rnd.nextInt(-6, 7);
            long b = rnd.nextInt(-6, 7);
            long lower = Math.min(a, b);
            long upper = Math.max(a, b);
            List<Step> steps = script(seed);
            List<Object> actual = run(() -> JoinHarness.interval(lower, upper), steps, null);
            List<Object> expected = model(lower, upper, steps);
            List<Object> actualPairsAndLate = new ArrayList<>();
            for (Object o : actual) {
                if (o instanceof Pair || o instanceof Late) {
                    actualPairsAndLate.add(o);
                }
            }
            assertThat(actualPairsAndLate).as("seed %d, bounds [%d, %d]", seed, lower, upper).isEqualTo(expected);
        }
    }

    /**
     * Flink's interval join by brute force: every element ever buffered is kept with the watermark advances it has
     * seen; an element at {@code t} is gone once an advance after it reached {@code t + max(bound, 0)}.
     */
    private static List<Object> model(long lower, long upper, List<Step> steps) {
        record Buffered(boolean left, long ts, String key, String json, int advancesAtInsert) {
        }
        List<Buffered> buffered = new ArrayList<>();
        List<Object> out = new ArrayList<>();
        long w1 = Long.MIN_VALUE;
        long w2 = Long.MIN_VALUE;
        long w = Long.MIN_VALUE;
        int advances = 0;
        List<Long> advanceValues = new ArrayList<>();
        for (Step s : steps) {
            if (!s.element()) {
                if (s.left()) {
                    w1 = Math.max(w1, s.ts());
                } else {
                    w2 = Math.max(w2, s.ts());
                }
                if (Math.min(w1, w2) > w) {
                    w = Math.min(w1, w2);
                    advances++;
                    advanceValues.add(w);
                }
                continue;
            }
            if (s.ts() < w) {
                out.add(new Late(s.left() ? "late-left" : "late-right", s.json(), s.ts()));
                continue;
            }
            List<Buffered> partners = new ArrayList<>();
            for (Buffered o : buffered) {
                long delay = o.left() ? Math.max(upper, 0) : Math.max(-lower, 0);
                // Gone when some advance after its insertion reached its cleanup time: the latest one is enough.
                boolean gone = advances > o.advancesAtInsert() && w >= o.ts() + delay;
                if (o.left() == s.left() || gone || !o.key().equals(s.key())) {
                    continue;
                }
                long l = s.left() ? s.ts() : o.ts();
                long r = s.left() ? o.ts() : s.ts();
                if (l + lower <= r && r <= l + upper) {
                    partners.add(o);
                }
            }
            // The operator's order: the other side's timestamps, then arrival.
            partners.sort((x, y) -> Long.compare(x.ts(), y.ts()));
            for (Buffered o : partners) {
                out.add(s.left()
                        ? new Pair(s.key(), s.json(), s.ts(), o.json(), o.ts(), 0, 0, Math.max(s.ts(), o.ts()))
                        : new Pair(s.key(), o.json(), o.ts(), s.json(), s.ts(), 0, 0, Math.max(s.ts(), o.ts())));
            }
            buffered.add(new Buffered(s.left(), s.ts(), s.key(), s.json(), advances));
        }
        return out;
    }

    @Test
    void snapshotsAtRandomStepsChangeNothing() throws Exception {
        List<Supplier<JoinHarness>> operators = List.of(
                () -> JoinHarness.interval(-4, 3),
                () -> JoinHarness.interval(2, 5),
                () -> JoinHarness.window(WindowAssigner.tumbling(5), 0),
                () -> JoinHarness.window(WindowAssigner.tumbling(5), 4),
                () -> JoinHarness.window(WindowAssigner.sliding(6, 2), 3),
                () -> JoinHarness.window(WindowAssigner.session(2), 0),
                () -> JoinHarness.window(WindowAssigner.session(3), 5));
        for (long seed = 0; seed < SEEDS; seed++) {
            List<Step> steps = script(seed);
            for (int op = 0; op < operators.size(); op++) {
                List<Object> uninterrupted = run(operators.get(op), steps, null);
                List<Object> restarted = run(operators.get(op), steps, new SplittableRandom(seed));
                assertThat(restarted).as("seed %d, operator %d", seed, op).isEqualTo(uninterrupted);
            }
        }
    }
}
