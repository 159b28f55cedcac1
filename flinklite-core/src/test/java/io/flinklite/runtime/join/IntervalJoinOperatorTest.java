package io.flinklite.runtime.join;

import io.flinklite.runtime.join.JoinHarness.Late;
import io.flinklite.runtime.join.JoinHarness.Pair;
import io.flinklite.runtime.state.MemoryState;
import io.flinklite.runtime.state.StateFormatException;
import io.flinklite.testing.HarnessSnapshot;
import io.flinklite.testing.Watermark;
import org.junit.jupiter.api.Test;

import java.util.ArrayList;
import java.util.List;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

/**
 * The interval join at its exact boundaries, against the rules of Flink's {@code IntervalJoinOperator} (bounds
 * inclusive, late when {@code ts < W}, a side's elements kept until {@code W >= ts + max(bound, 0)}).
 */
class IntervalJoinOperatorTest {

    private static Pair pair(String key, String left, long l, String right, long r) {
        return new Pair(key, left, l, right, r, 0, 0, Math.max(l, r));
    }

    private static IntervalJoinOperator<?, ?, ?, ?> op(JoinHarness h) {
        return (IntervalJoinOperator<?, ?, ?, ?>) h.operator;
    }

    @Test
    void pairsAtBothInclusiveBoundsAndNotOneMillisecondOutside() throws Exception {
        // lower -2, upper 3: a left at 10 pairs with rights at 8..13.
        JoinHarness h = JoinHarness.interval(-2, 3);
        h.left(10, "k", "{\"l\":10}");
        h.right(7, "k", "{\"r\":7}").right(8, "k", "{\"r\":8}").right(13, "k", "{\"r\":13}").right(14, "k", "{\"r\":14}");
        assertThat(h.pairs()).containsExactly(
                pair("k", "{\"l\":10}", 10, "{\"r\":8}", 8),
                pair("k", "{\"l\":10}", 10, "{\"r\":13}", 13));
    }

    @Test
    void theBoundsHoldWhicheverSideArrivesFirst() throws Exception {
        JoinHarness h = JoinHarness.interval(-2, 3);
        h.right(7, "k", "{\"r\":7}").right(8, "k", "{\"r\":8}").right(13, "k", "{\"r\":13}").right(14, "k", "{\"r\":14}");
        h.left(10, "k", "{\"l\":10}");
        // One arriving element's pairs in the order of the other side's timestamps.
        assertThat(h.pairs()).containsExactly(
                pair("k", "{\"l\":10}", 10, "{\"r\":8}", 8),
                pair("k", "{\"l\":10}", 10, "{\"r\":13}", 13));
    }

    @Test
    void negativeBoundsPairOnlyEarlierRightElements() throws Exception {
        JoinHarness h = JoinHarness.interval(-5, -2);
        for (long r = 3; r <= 10; r++) {
            h.right(r, "k", "{\"r\":" + r + "}");
        }
        h.left(10, "k", "{\"l\":10}");
        assertThat(h.pairs()).extracting(Pair::rightTs).containsExactly(5L, 6L, 7L, 8L);
        assertThat(h.pairs()).extracting(Pair::timestamp).containsOnly(10L);
    }

    @Test
    void positiveBoundsPairOnlyLaterRightElements() throws Exception {
        JoinHarness h = JoinHarness.interval(1, 2);
        h.left(10, "k", "{}");
        for (long r = 9; r <= 13; r++) {
            h.right(r, "k", "{\"r\":" + r + "}");
        }
        assertThat(h.pairs()).extracting(Pair::rightTs).containsExactly(11L, 12L);
    }

    @Test
    void zeroBoundsPairEqualTimestampsOnly() throws Exception {
        JoinHarness h = JoinHarness.interval(0, 0);
        h.left(10, "k", "{\"l\":1}").left(10, "k", "{\"l\":2}").left(11, "k", "{\"l\":3}");
        h.right(9, "k", "{}").right(10, "k", "{\"r\":1}");
        assertThat(h.pairs()).containsExactly(
                pair("k", "{\"l\":1}", 10, "{\"r\":1}", 10),
                pair("k", "{\"l\":2}", 10, "{\"r\":1}", 10));
    }

    @Test
    void keysNeverPairWithOtherKeys() throws Exception {
        JoinHarness h = JoinHarness.interval(-10, 10);
        h.left(10, "a", "{\"a\":1}").right(10, "b", "{\"b\":1}").right(11, "a", "{\"a\":2}");
        assertThat(h.pairs()).containsExactly(pair("a", "{\"a\":1}", 10, "{\"a\":2}", 11));
    }

    @Test
    void equalTimestampsPairInArrivalOrder() throws Exception {
        JoinHarness h = JoinHarness.interval(-5, 5);
        h.right(12, "k", "{\"r\":\"c\"}").right(10, "k", "{\"r\":\"a\"}").right(10, "k", "{\"r\":\"b\"}");
        h.left(10, "k", "{}");
        assertThat(h.pairs()).extracting(Pair::right).containsExactly("{\"r\":\"a\"}", "{\"r\":\"b\"}", "{\"r\":\"c\"}");
    }

    @Test
    void anElementBelowTheWatermarkIsLateButOneAtTheWatermarkIsNot() throws Exception {
        JoinHarness h = JoinHarness.interval(-5, 5);
        h.watermark(10);
        h.left(9, "k", "{\"late\":\"left\"}").right(9, "k", "{\"late\":\"right\"}");
        h.left(10, "k", "{\"l\":10}").right(10, "k", "{\"r\":10}");
        assertThat(h.late()).containsExactly(new Late("late-left", "{\"late\":\"left\"}", 9),
                new Late("late-right", "{\"late\":\"right\"}", 9));
        assertThat(h.pairs()).containsExactly(pair("k", "{\"l\":10}", 10, "{\"r\":10}", 10));
        assertThat(op(h).lateLeft()).isEqualTo(1);
        assertThat(op(h).lateRight()).isEqualTo(1);
    }

    @Test
    void theOperatorWatermarkIsTheMinimumOfItsInputs() throws Exception {
        JoinHarness h = JoinHarness.interval(0, 0);
        h.watermark1(100);
        assertThat(h.output()).isEmpty();
        h.watermark2(50);
        h.watermark2(60);
        h.watermark1(200);
        h.watermark2(300);
        assertThat(h.output()).containsExactly(new Watermark(50), new Watermark(60), new Watermark(200));
        h.left(199, "k", "{}");
        assertThat(h.late()).hasSize(1);
    }

    @Test
    void aLeftElementIsKeptUntilTheWatermarkReachesItsUpperBound() throws Exception {
        JoinHarness h = JoinHarness.interval(-2, 3);
        h.left(10, "k", "{\"l\":10}");
        h.watermark(12);
        h.right(13, "k", "{\"r\":13}");
        assertThat(h.pairs()).hasSize(1);
        h.watermark(13); // cleanup time 10 + 3 reached: the left element is gone
        assertThat(op(h).bufferedElements()).isEqualTo(1); // the right one, kept until 13 + 2
        // A right element at 13 is not late (13 >= W), but its left partner was cleaned: Flink loses this pair too.
        h.right(13, "k", "{\"r\":\"13b\"}");
        assertThat(h.pairs()).hasSize(1);
    }

    @Test
    void aRightElementIsKeptUntilTheWatermarkReachesItsTimeMinusTheLowerBound() throws Exception {
        JoinHarness h = JoinHarness.interval(-2, 3);
        h.right(10, "k", "{\"r\":10}");
        h.watermark(11);
        h.left(12, "k", "{\"l\":12}"); // 12 - 2 <= 10: pairs
        assertThat(h.pairs()).hasSize(1);
        h.watermark(12);
        assertThat(op(h).bufferedElements()).isEqualTo(1); // the right element went at 10 + 2; the left stays until 15
        h.watermark(15);
        assertThat(op(h).bufferedElements()).isZero();
        assertThat(op(h).keys()).isZero();
    }

    @Test
    void withBoundsAtOrBelowZeroAnElementAtTheWatermarkWaitsForTheNextAdvance() throws Exception {
        // Flink registers its cleanup timer at ts itself; a timer at the current watermark fires on the next advance.
        JoinHarness h = JoinHarness.interval(-3, -1);
        h.watermark(10);
        h.left(10, "k", "{}");
        assertThat(op(h).bufferedElements()).isEqualTo(1);
        h.watermark(11);
        assertThat(op(h).bufferedElements()).isZero();
    }

    @Test
    void theFinalWatermarkClearsEveryKey() throws Exception {
        JoinHarness h = JoinHarness.interval(-1000, 1000);
        for (int i = 0; i < 100; i++) {
            h.left(i, "k" + (i % 7), "{\"i\":" + i + "}").right(i + 5, "k" + (i % 5), "{\"i\":" + i + "}");
        }
        assertThat(op(h).bufferedElements()).isEqualTo(200);
        assertThat(op(h).bufferedBytes()).isGreaterThan(200L * (16 + 8 + 8));
        h.watermark(Long.MAX_VALUE);
        assertThat(op(h).bufferedElements()).isZero();
        assertThat(op(h).bufferedBytes()).isZero();
        assertThat(op(h).keys()).isZero();
    }

    @Test
    void aSnapshotInTheMiddleRestoresIntoAFreshOperatorWithTheSameOutcome() throws Exception {
        List<Object> uninterrupted = script(null);
        List<Object> restarted = script(0);
        assertThat(restarted).isEqualTo(uninterrupted);
        assertThat(script(1)).isEqualTo(uninterrupted);
    }

    /** A fixed script; with {@code restartAfter} the harness is snapshotted and replaced after that step. */
    private static List<Object> script(Integer restartAfter) throws Exception {
        JoinHarness h = JoinHarness.interval(-3, 2);
        List<Object> out = new ArrayList<>();
        for (int step = 0; step < 3; step++) {
            long base = step * 10L;
            h.left(base + 1, "a", "{\"l\":" + (base + 1) + ",\"s\":\"\\u00e9 é\"}");
            h.right(base + 2, "a", "{\"r\":" + (base + 2) + "}");
            h.right(base, "b", "{\"r\":" + base + "}");
            h.left(base + 3, "b", "{\"l\":" + (base + 3) + "}");
            h.watermark(base + 2);
            out.addAll(h.output());
            h.clearOutput();
            if (restartAfter != null && restartAfter == step) {
                HarnessSnapshot snapshot = h.snapshot();
                h = h.restoreInto(snapshot);
            }
        }
        h.watermark(Long.MAX_VALUE);
        out.addAll(h.output());
        return out;
    }

    @Test
    void snapshotsRoundTripElementsThatAreNotUtf8() throws Exception {
        JoinHarness h = JoinHarness.interval(0, 10);
        h.left(1, "k", "{\"a\":1}");
        HarnessSnapshot snapshot = h.snapshot();
        assertThat(snapshot.toJson()).contains("\"json\": \"{\\\"a\\\":1}\"").contains("\"keyGroup\"");
        JoinHarness restored = h.restoreInto(snapshot);
        restored.right(5, "k", "{}");
        assertThat(restored.pairs()).containsExactly(pair("k", "{\"a\":1}", 1, "{}", 5));

        byte[] notUtf8 = {'{', '"', (byte) 0xff, '"', ':', '1', '}'};
        MemoryState s = new MemoryState();
        var w = s.writer();
        w.beginObject(null);
        JsonPayloadCodec.INSTANCE.write(notUtf8, w);
        w.endObject();
        assertThat(s.toJson()).contains("base64:");
        var r = s.reader();
        r.beginObject(null);
        assertThat(JsonPayloadCodec.INSTANCE.read(r)).isEqualTo(notUtf8);
    }

    @Test
    void aSnapshotOfOtherBoundsIsRefused() throws Exception {
        JoinHarness h = JoinHarness.interval(-1, 1);
        h.left(1, "k", "{}");
        HarnessSnapshot snapshot = h.snapshot();
        assertThatThrownBy(() -> JoinHarness.interval(-1, 2).restoreInto(snapshot))
                .isInstanceOf(StateFormatException.class).hasMessageContaining("bounds");
    }

    @Test
    void boundsMustBeOrdered() {
        assertThatThrownBy(() -> JoinHarness.interval(2, 1)).isInstanceOf(IllegalArgumentException.class)
                .hasMessageContaining("lower bound");
    }
}
