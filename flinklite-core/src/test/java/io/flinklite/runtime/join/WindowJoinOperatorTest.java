package io.flinklite.runtime.join;

import io.flinklite.api.WindowAssigner;
import io.flinklite.runtime.join.JoinHarness.Late;
import io.flinklite.runtime.join.JoinHarness.Pair;
import io.flinklite.runtime.state.StateFormatException;
import io.flinklite.testing.HarnessSnapshot;
import org.junit.jupiter.api.Test;

import java.util.ArrayList;
import java.util.List;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

/**
 * The window join at its boundaries, against the rules of Flink's window join (a coGroup on a window operator with
 * the event-time trigger): firing at {@code W >= end - 1}, late firings within the allowed lateness with the full
 * contents, sessions merged by elements of either side, cleanup at {@code end - 1 + lateness}.
 */
class WindowJoinOperatorTest {

    private static Pair pair(String key, String left, long l, String right, long r, long start, long end) {
        return new Pair(key, left, l, right, r, start, end, end - 1);
    }

    private static WindowJoinOperator<?, ?, ?, ?> op(JoinHarness h) {
        return (WindowJoinOperator<?, ?, ?, ?>) h.operator;
    }

    @Test
    void aTumblingWindowFiresItsCrossProductWhenTheWatermarkReachesItsMaxTimestamp() throws Exception {
        JoinHarness h = JoinHarness.window(WindowAssigner.tumbling(10), 0);
        h.left(1, "k", "{\"l\":1}").left(9, "k", "{\"l\":9}").right(0, "k", "{\"r\":0}").right(10, "k", "{\"r\":10}");
        h.watermark(8);
        assertThat(h.pairs()).isEmpty();
        h.watermark(9);
        assertThat(h.pairs()).containsExactly(
                pair("k", "{\"l\":1}", 1, "{\"r\":0}", 0, 0, 10),
                pair("k", "{\"l\":9}", 9, "{\"r\":0}", 0, 0, 10));
        h.watermark(19);
        assertThat(h.pairs()).hasSize(2); // [10, 20) holds a right element only: no pair
        assertThat(op(h).bufferedElements()).isZero();
    }

    @Test
    void slidingWindowsPairAnElementInEachOfItsWindows() throws Exception {
        JoinHarness h = JoinHarness.window(WindowAssigner.sliding(10, 5), 0);
        h.left(7, "k", "{\"l\":7}").right(4, "k", "{\"r\":4}").right(12, "k", "{\"r\":12}");
        h.watermark(Long.MAX_VALUE);
        assertThat(h.pairs()).containsExactly(
                pair("k", "{\"l\":7}", 7, "{\"r\":4}", 4, 0, 10),
                pair("k", "{\"l\":7}", 7, "{\"r\":12}", 12, 5, 15));
        assertThat(op(h).bufferedElements()).isZero();
    }

    @Test
    void sessionsOfOneSideAreMergedByAnElementOfTheOtherSide() throws Exception {
        JoinHarness h = JoinHarness.window(WindowAssigner.session(5), 0);
        h.left(0, "k", "{\"l\":0}").left(8, "k", "{\"l\":8}"); // [0, 5) and [8, 13): two sessions, no pairs yet
        h.right(4, "k", "{\"r\":4}"); // [4, 9) touches both: one session [0, 13)
        h.watermark(11);
        assertThat(h.pairs()).isEmpty();
        h.watermark(12);
        assertThat(h.pairs()).containsExactly(
                pair("k", "{\"l\":0}", 0, "{\"r\":4}", 4, 0, 13),
                pair("k", "{\"l\":8}", 8, "{\"r\":4}", 4, 0, 13));
    }

    @Test
    void sessionsExactlyOneGapApartMergeAndOneMillisecondMoreDoNot() throws Exception {
        JoinHarness h = JoinHarness.window(WindowAssigner.session(5), 0);
        h.left(0, "a", "{}").right(5, "a", "{}"); // [0,5) and [5,10) touch: one session
        h.left(0, "b", "{}").right(6, "b", "{}"); // [0,5) and [6,11): apart
        h.watermark(Long.MAX_VALUE);
        assertThat(h.pairs()).containsExactly(pair("a", "{}", 0, "{}", 5, 0, 10));
    }

    @Test
    void aLateElementWithinTheAllowedLatenessFiresTheWindowAgainWithEveryPair() throws Exception {
        JoinHarness h = JoinHarness.window(WindowAssigner.tumbling(10), 5);
        h.left(1, "k", "{\"l\":1}").right(2, "k", "{\"r\":2}");
        h.watermark(9);
        assertThat(h.pairs()).containsExactly(pair("k", "{\"l\":1}", 1, "{\"r\":2}", 2, 0, 10));
        h.clearOutput();
        h.right(3, "k", "{\"r\":3}"); // W = 9 < cleanup 14: the window fires again at once, with both pairs
        assertThat(h.pairs()).containsExactly(
                pair("k", "{\"l\":1}", 1, "{\"r\":2}", 2, 0, 10),
                pair("k", "{\"l\":1}", 1, "{\"r\":3}", 3, 0, 10));
        h.clearOutput();
        h.watermark(13);
        h.left(4, "k", "{\"l\":4}"); // still within the lateness: 2 x 2 pairs now
        assertThat(h.pairs()).hasSize(4);
        h.clearOutput();
        h.watermark(14); // cleanup: the window is gone
        assertThat(op(h).bufferedElements()).isZero();
        assertThat(op(h).openWindows()).isZero();
        h.left(5, "k", "{\"l\":5}"); // 5 + 5 <= 14: late for good
        assertThat(h.pairs()).isEmpty();
        assertThat(h.late()).containsExactly(new Late("late-left", "{\"l\":5}", 5));
        assertThat(op(h).lateLeft()).isEqualTo(1);
    }

    @Test
    void withoutAllowedLatenessAnElementForAFiredWindowIsLate() throws Exception {
        JoinHarness h = JoinHarness.window(WindowAssigner.tumbling(10), 0);
        h.left(1, "k", "{}").right(2, "k", "{}");
        h.watermark(9);
        h.right(9, "k", "{\"late\":true}");
        h.right(10, "k", "{\"next\":true}");
        assertThat(h.late()).containsExactly(new Late("late-right", "{\"late\":true}", 9));
        assertThat(op(h).lateRight()).isEqualTo(1);
    }

    @Test
    void aLateElementWithinTheLatenessBridgesFiredSessions() throws Exception {
        JoinHarness h = JoinHarness.window(WindowAssigner.session(3), 20);
        h.left(0, "k", "{\"l\":0}").right(1, "k", "{\"r\":1}"); // [0, 4)
        h.left(10, "k", "{\"l\":10}").right(11, "k", "{\"r\":11}"); // [10, 14)
        h.watermark(14); // both fired, both kept until 3 + 20 and 13 + 20
        assertThat(h.pairs()).hasSize(2);
        h.clearOutput();
        h.right(5, "k", "{\"r\":5}"); // [5, 8) touches neither
        assertThat(h.pairs()).containsExactly(); // a new session of rights only fires but pairs nothing
        h.left(7, "k", "{\"l\":7}"); // [7, 10) touches [5, 8) and [10, 14): one session [5, 14), fired at once
        assertThat(h.pairs()).extracting(p -> p.left() + p.right()).containsExactly(
                "{\"l\":7}{\"r\":5}", "{\"l\":7}{\"r\":11}", "{\"l\":10}{\"r\":5}", "{\"l\":10}{\"r\":11}");
        assertThat(h.pairs()).extracting(Pair::windowStart).containsOnly(5L);
    }

    @Test
    void firingsOfOneAdvanceComeOutByWindowEndThenStartThenKey() throws Exception {
        JoinHarness h = JoinHarness.window(WindowAssigner.session(10), 0);
        for (String key : new String[] {"m", "c", "x", "a"}) {
            h.left(0, key, "{}").right(5, key, "{}");
        }
        h.left(2, "b", "{}").right(2, "b", "{}"); // [2, 12): ends before the others' [0, 15)
        h.watermark(Long.MAX_VALUE);
        assertThat(h.pairs()).extracting(Pair::key).containsExactly("b", "a", "c", "m", "x");
    }

    @Test
    void aSnapshotInTheMiddleRestoresIntoAFreshOperatorWithTheSameOutcome() throws Exception {
        for (WindowAssigner assigner : List.of(WindowAssigner.tumbling(10), WindowAssigner.sliding(10, 5),
                WindowAssigner.session(4))) {
            List<Object> uninterrupted = script(assigner, -1);
            for (int restart = 0; restart < 4; restart++) {
                assertThat(script(assigner, restart)).as("%s, restart after step %d", assigner, restart)
                        .isEqualTo(uninterrupted);
            }
        }
    }

    private static List<Object> script(WindowAssigner assigner, int restartAfter) throws Exception {
        JoinHarness h = JoinHarness.window(assigner, 6);
        List<Object> out = new ArrayList<>();
        for (int step = 0; step < 4; step++) {
            long base = step * 7L;
            h.left(base + 1, "a", "{\"l\":" + (base + 1) + "}");
            h.right(base + 3, "a", "{\"r\":" + (base + 3) + "}");
            h.right(base, "b", "{\"r\":" + base + "}");
            h.left(base + 5, "b", "{\"l\":" + (base + 5) + "}");
            h.watermark(base + 4);
            h.left(base - 2, "a", "{\"late\":" + base + "}"); // behind the watermark: a late firing or late
            out.addAll(h.output());
            h.clearOutput();
            if (step == restartAfter) {
                h = h.restoreInto(h.snapshot());
            }
        }
        h.watermark(Long.MAX_VALUE);
        out.addAll(h.output());
        assertThat(op(h).bufferedElements()).isZero();
        return out;
    }

    @Test
    void aSnapshotOfAnotherWindowIsRefused() throws Exception {
        JoinHarness h = JoinHarness.window(WindowAssigner.tumbling(10), 0);
        h.left(1, "k", "{}");
        HarnessSnapshot snapshot = h.snapshot();
        assertThatThrownBy(() -> JoinHarness.window(WindowAssigner.tumbling(20), 0).restoreInto(snapshot))
                .isInstanceOf(StateFormatException.class).hasMessageContaining("tumbling(10ms)");
    }
}
