package io.flinklite.testing;

import io.flinklite.api.AccumulatorSerializer;
import io.flinklite.api.AggregateFunction;
import io.flinklite.api.Event;
import io.flinklite.api.WindowAssigner;
import io.flinklite.api.WindowResult;
import io.flinklite.api.Windowed;
import io.flinklite.job.AggregateSpec;
import org.junit.jupiter.api.Test;

import static io.flinklite.api.WindowResult.ofCount;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

/** Every window rule at its exact boundary, through the public harness. */
class WindowOperatorHarnessTest {

    private static WindowOperatorHarness<Event, WindowResult> count(WindowAssigner assigner, long lateness) {
        return WindowOperatorHarness.forBuiltIn(assigner, lateness, AggregateSpec.Kind.COUNT);
    }

    private static void element(WindowOperatorHarness<Event, WindowResult> h, String key, long ts) throws Exception {
        h.processElement(Event.of(0, ts, key), ts);
    }

    @Test
    void eventAtEndMinusOneBelongsToTheWindowAndWatermarkAtEndMinusOneFiresIt() throws Exception {
        var h = count(WindowAssigner.tumbling(10), 0);
        element(h, "a", 9);
        element(h, "a", 10);
        h.processWatermark(8);
        assertThat(h.results()).isEmpty();
        h.processWatermark(9);
        assertThat(h.output()).containsExactly(new Watermark(8), ofCount("a", 0, 10, 1), new Watermark(9));
    }

    @Test
    void watermarkAtEndMinusTwoDoesNotFire() throws Exception {
        var h = count(WindowAssigner.tumbling(10_000), 0);
        element(h, "a", 0);
        h.processWatermark(9_998);
        assertThat(h.results()).isEmpty();
        h.processWatermark(9_999);
        assertThat(h.results()).containsExactly(ofCount("a", 0, 10_000, 1));
    }

    @Test
    void slidingAssignmentMatchesFlinksExample() throws Exception {
        var h = count(WindowAssigner.sliding(10_000, 5_000), 0);
        element(h, "a", 12_345);
        h.processWatermark(Long.MAX_VALUE);
        assertThat(h.results()).containsExactlyInAnyOrder(ofCount("a", 5_000, 15_000, 1), ofCount("a", 10_000, 20_000, 1));
    }

    @Test
    void slidingWindowsShareEventsAcrossPanes() throws Exception {
        var h = count(WindowAssigner.sliding(10, 5), 0);
        for (long ts : new long[] {0, 4, 5, 9, 10, 14}) {
            element(h, "a", ts);
        }
        h.processWatermark(Long.MAX_VALUE);
        assertThat(h.results()).containsExactlyInAnyOrder(
                ofCount("a", -5, 5, 2), ofCount("a", 0, 10, 4), ofCount("a", 5, 15, 4), ofCount("a", 10, 20, 2));
        assertThat(h.openPanes()).isZero();
        assertThat(h.openWindows()).isZero();
    }

    @Test
    void slidingWindowWithSizeNotAMultipleOfSlideUsesGcdPanes() throws Exception {
        var h = count(WindowAssigner.sliding(10, 4), 0);
        element(h, "a", 7);
        element(h, "a", 9);
        element(h, "a", 10);
        h.processWatermark(Long.MAX_VALUE);
        // Starts on the grid of 4 with start > ts - 10: ts 7 -> 4, 0; ts 9 -> 8, 4, 0; ts 10 -> 8, 4, (0 excluded: 0 > 0 false)
        assertThat(h.results()).containsExactlyInAnyOrder(
                ofCount("a", 0, 10, 2), ofCount("a", 4, 14, 3), ofCount("a", 8, 18, 2));
    }

    @Test
    void offsetShiftsTheGrid() throws Exception {
        var h = count(WindowAssigner.tumbling(10, 3), 0);
        element(h, "a", 2);
        element(h, "a", 3);
        element(h, "a", 12);
        h.processWatermark(Long.MAX_VALUE);
        assertThat(h.results()).containsExactlyInAnyOrder(ofCount("a", -7, 3, 1), ofCount("a", 3, 13, 2));

        var s = count(WindowAssigner.sliding(10, 5, -2), 0);
        element(s, "a", 3);
        s.processWatermark(Long.MAX_VALUE);
        assertThat(s.results()).containsExactlyInAnyOrder(ofCount("a", -2, 8, 1),
                ofCount("a", 3, 13, 1));
    }

    @Test
    void negativeTimestampsFallIntoTheWindowBelow() throws Exception {
        var h = count(WindowAssigner.tumbling(10), 0);
        element(h, "a", -1);
        element(h, "a", -10);
        element(h, "a", -11);
        element(h, "a", 0);
        h.processWatermark(Long.MAX_VALUE);
        assertThat(h.results()).containsExactlyInAnyOrder(
                ofCount("a", -10, 0, 2), ofCount("a", -20, -10, 1), ofCount("a", 0, 10, 1));
        assertThat(WindowAssigner.windowStart(-1, 0, 10)).isEqualTo(-10);
        assertThat(WindowAssigner.windowStart(-15, 3, 10)).isEqualTo(-17);
    }

    @Test
    void keysHaveSeparateWindows() throws Exception {
        var h = count(WindowAssigner.tumbling(10), 0);
        element(h, "a", 1);
        element(h, "b", 2);
        element(h, "a", 3);
        h.processWatermark(9);
        assertThat(h.results()).containsExactlyInAnyOrder(ofCount("a", 0, 10, 2), ofCount("b", 0, 10, 1));
    }

    @Test
    void withoutLatenessAnElementBehindTheWatermarkGoesToTheSideOutput() throws Exception {
        var h = count(WindowAssigner.tumbling(10), 0);
        element(h, "a", 5);
        h.processWatermark(9);
        Event late = Event.of(7, 9, "a");
        h.processElement(late, 9);
        assertThat(h.lateOutput()).containsExactly(late);
        assertThat(h.results()).containsExactly(ofCount("a", 0, 10, 1));
    }

    @Test
    void elementAheadOfTheWatermarkIsNotLateEvenIfItsWindowFiredForAnotherKey() throws Exception {
        var h = count(WindowAssigner.tumbling(10), 0);
        element(h, "a", 5);
        h.processWatermark(8);
        element(h, "b", 9);
        h.processWatermark(9);
        assertThat(h.results()).containsExactlyInAnyOrder(ofCount("a", 0, 10, 1), ofCount("b", 0, 10, 1));
        assertThat(h.lateOutput()).isEmpty();
    }

    @Test
    void lateElementWithinLatenessRefiresWithFullContentsOncePerElement() throws Exception {
        var h = count(WindowAssigner.tumbling(10), 5);
        element(h, "a", 1);
        element(h, "a", 2);
        h.processWatermark(9);
        assertThat(h.results()).containsExactly(ofCount("a", 0, 10, 2));
        h.clearOutput();
        element(h, "a", 3);
        element(h, "a", 9);
        assertThat(h.results()).containsExactly(ofCount("a", 0, 10, 3), ofCount("a", 0, 10, 4));
        assertThat(h.lateOutput()).isEmpty();
    }

    @Test
    void latenessEdgeIsEndMinusOnePlusLateness() throws Exception {
        var h = count(WindowAssigner.tumbling(10), 5);
        element(h, "a", 1);
        h.processWatermark(13); // end - 1 + L - 1: the window still accepts
        element(h, "a", 2);
        assertThat(h.results()).containsExactly(ofCount("a", 0, 10, 1), ofCount("a", 0, 10, 2));
        assertThat(h.openWindows()).isEqualTo(1);
        h.processWatermark(14); // end - 1 + L: state is cleaned
        assertThat(h.openWindows()).isZero();
        assertThat(h.openPanes()).isZero();
        h.clearOutput();
        element(h, "a", 3);
        assertThat(h.results()).isEmpty();
        assertThat(h.lateOutput()).hasSize(1);
    }

    @Test
    void firstElementOfAWindowPastItsEndButWithinLatenessFiresAtOnce() throws Exception {
        var h = count(WindowAssigner.tumbling(10), 5);
        element(h, "b", 20);
        h.processWatermark(12);
        element(h, "a", 4);
        assertThat(h.results()).containsExactly(ofCount("a", 0, 10, 1));
        h.processWatermark(14);
        assertThat(h.results()).containsExactly(ofCount("a", 0, 10, 1)); // the cleanup timer does not fire again
    }

    @Test
    void slidingLateElementSkipsOnlyTheWindowsThatAreGone() throws Exception {
        var h = count(WindowAssigner.sliding(10, 5), 0);
        element(h, "a", 7);
        h.processWatermark(10); // fires [0,10), [-5,5) has nothing
        h.clearOutput();
        element(h, "a", 8); // [0,10) is gone, [5,15) is open
        h.processWatermark(Long.MAX_VALUE);
        assertThat(h.results()).containsExactly(ofCount("a", 5, 15, 2));
        assertThat(h.lateOutput()).isEmpty();
    }

    @Test
    void sessionEventsExactlyGapApartMerge() throws Exception {
        var h = count(WindowAssigner.session(10), 0);
        element(h, "a", 0);
        element(h, "a", 10);
        element(h, "a", 31); // 21 after the previous: its own session
        h.processWatermark(Long.MAX_VALUE);
        assertThat(h.results()).containsExactlyInAnyOrder(ofCount("a", 0, 20, 2), ofCount("a", 31, 41, 1));
    }

    @Test
    void sessionEventsGapPlusOneApartStaySeparate() throws Exception {
        var h = count(WindowAssigner.session(10), 0);
        element(h, "a", 0);
        element(h, "a", 11);
        h.processWatermark(Long.MAX_VALUE);
        assertThat(h.results()).containsExactlyInAnyOrder(ofCount("a", 0, 10, 1), ofCount("a", 11, 21, 1));
    }

    @Test
    void sessionFiresAtItsEndMinusOneAndAnEventInsideDoesNotExtendIt() throws Exception {
        var h = count(WindowAssigner.session(10), 0);
        element(h, "a", 0);
        element(h, "a", 5);
        element(h, "a", 2); // inside [0, 15): no merge
        h.processWatermark(13);
        assertThat(h.results()).isEmpty();
        h.processWatermark(14);
        assertThat(h.results()).containsExactly(ofCount("a", 0, 15, 3));
        assertThat(h.openPanes()).isZero();
    }

    @Test
    void lateEventBridgesTwoFiredSessionsWithinLateness() throws Exception {
        var h = count(WindowAssigner.session(10), 100);
        element(h, "a", 0);  // [0, 10)
        element(h, "a", 25); // [25, 35)
        h.processWatermark(40);
        assertThat(h.results()).containsExactlyInAnyOrder(ofCount("a", 0, 10, 1), ofCount("a", 25, 35, 1));
        h.clearOutput();
        element(h, "a", 12); // [12, 22) touches neither: [0,10) ends at 10 < 12, [25..) starts at 25 > 22
        assertThat(h.results()).containsExactly(ofCount("a", 12, 22, 1));
        h.clearOutput();
        element(h, "a", 10); // [10, 20) touches [0,10) and [12,22): merges them
        assertThat(h.results()).containsExactly(ofCount("a", 0, 22, 3));
        h.clearOutput();
        element(h, "a", 20); // [20, 30) bridges [0,22) and [25,35)
        assertThat(h.results()).containsExactly(ofCount("a", 0, 35, 5));
        assertThat(h.openWindows()).isEqualTo(1);
        h.processWatermark(134); // cleanup at 34 + 100
        assertThat(h.openWindows()).isZero();
        assertThat(h.results()).containsExactly(ofCount("a", 0, 35, 5));
    }

    @Test
    void lateSessionEventMergingIntoAnOpenSessionIsNotLate() throws Exception {
        var h = count(WindowAssigner.session(10), 0);
        element(h, "a", 100); // [100, 110)
        h.processWatermark(101);
        element(h, "a", 95); // behind the watermark, but [95, 105) merges with the open session
        assertThat(h.lateOutput()).isEmpty();
        h.processWatermark(109);
        assertThat(h.results()).containsExactly(ofCount("a", 95, 110, 2));
    }

    @Test
    void lateSessionEventOnItsOwnGoesToTheSideOutput() throws Exception {
        var h = count(WindowAssigner.session(10), 0);
        element(h, "a", 100);
        h.processWatermark(120);
        element(h, "a", 50); // [50, 60): late, touches nothing
        assertThat(h.lateOutput()).hasSize(1);
        assertThat(h.openWindows()).isZero();
    }

    @Test
    void valueAggregatesCombinePanes() throws Exception {
        for (var kind : AggregateSpec.Kind.values()) {
            var h = WindowOperatorHarness.forBuiltIn(WindowAssigner.sliding(10, 5), 0, kind);
            h.processElement(Event.of(1, 1, "a", 2.0), 1);
            h.processElement(Event.of(2, 6, "a", 5.0), 6);
            h.processElement(Event.of(3, 7, "a", -1.0), 7);
            h.processWatermark(9);
            WindowResult r = h.results().get(h.results().size() - 1);
            assertThat(r.windowStart()).isZero();
            assertThat(r.count()).isEqualTo(3);
            double expected = kind == AggregateSpec.Kind.SUM ? 6.0 : kind == AggregateSpec.Kind.MIN ? -1.0
                    : kind == AggregateSpec.Kind.MAX ? 5.0 : kind == AggregateSpec.Kind.AVG ? 2.0 : Double.NaN;
            if (kind == AggregateSpec.Kind.COUNT) {
                assertThat(r.hasValue()).isFalse();
            } else {
                assertThat(r.value()).as(kind.name()).isEqualTo(expected);
            }
        }
    }

    /** Sum of lengths of the keys' ids, as text: exercises a user accumulator, merge and the serializer. */
    static final class SumIds implements AggregateFunction<Event, long[], Long> {
        @Override public long[] createAccumulator() { return new long[1]; }
        @Override public long[] add(Event value, long[] acc) { acc[0] += value.id(); return acc; }
        @Override public Long getResult(long[] acc) { return acc[0]; }
        @Override public long[] merge(long[] a, long[] b) { a[0] += b[0]; return a; }
    }

    static final class SumIdsSerializer implements AccumulatorSerializer<long[]> {
        @Override public String toText(long[] acc) { return Long.toString(acc[0]); }
        @Override public long[] fromText(String text) { return new long[] {Long.parseLong(text)}; }
    }

    @Test
    void userAggregateMergesSessionsAndPanes() throws Exception {
        var sessions = WindowOperatorHarness.forAggregate(WindowAssigner.session(10), 0, Event::key, new SumIds(),
                new SumIdsSerializer());
        sessions.processElement(Event.of(1, 0, "a"), 0);
        sessions.processElement(Event.of(2, 30, "a"), 30);
        sessions.processElement(Event.of(4, 15, "a"), 15); // bridges? [15,25) touches neither [0,10) nor [30,40)
        sessions.processElement(Event.of(8, 10, "a"), 10); // [10,20) joins [0,10) and [15,25)
        sessions.processWatermark(Long.MAX_VALUE);
        assertThat(sessions.results()).containsExactlyInAnyOrder(new Windowed<>("a", 0, 25, 13L), new Windowed<>("a", 30, 40, 2L));

        var sliding = WindowOperatorHarness.forAggregate(WindowAssigner.sliding(10, 5), 0, Event::key, new SumIds(),
                new SumIdsSerializer());
        sliding.processElement(Event.of(1, 1, "a"), 1);
        sliding.processElement(Event.of(2, 6, "a"), 6);
        sliding.processWatermark(Long.MAX_VALUE);
        assertThat(sliding.results()).containsExactlyInAnyOrder(new Windowed<>("a", -5, 5, 1L),
                new Windowed<>("a", 0, 10, 3L), new Windowed<>("a", 5, 15, 2L));
    }

    @Test
    void snapshotRestoresIntoAFreshHarnessAndContinues() throws Exception {
        var h = count(WindowAssigner.sliding(10, 5), 3);
        element(h, "a", 1);
        element(h, "b", 6);
        h.processWatermark(9);
        HarnessSnapshot snap = h.snapshot();
        assertThat(snap.toJson()).contains("\"keyGroups\"").contains("\"panes\"").contains("\"timers\"");

        var restored = count(WindowAssigner.sliding(10, 5), 3);
        restored.restore(snap);
        assertThat(restored.currentWatermark()).isEqualTo(9);
        element(restored, "a", 2); // late within lateness: re-fires [0,10) with 2
        restored.processWatermark(Long.MAX_VALUE);
        // [0,10) of b fired before the snapshot; [-5,5) of a was cleaned at 4 + 3.
        assertThat(restored.results()).containsExactlyInAnyOrder(ofCount("a", 0, 10, 2), ofCount("b", 5, 15, 1));
    }

    @Test
    void restoreRefusesStateOfAnotherWindow() throws Exception {
        var h = count(WindowAssigner.tumbling(10), 0);
        element(h, "a", 1);
        HarnessSnapshot snap = h.snapshot();
        var other = count(WindowAssigner.tumbling(20), 0);
        assertThatThrownBy(() -> other.restore(snap)).hasMessageContaining("tumbling(10ms)");
    }

    @Test
    void restoreIntoAUsedHarnessIsRefused() throws Exception {
        var h = count(WindowAssigner.tumbling(10), 0);
        element(h, "a", 1);
        assertThatThrownBy(() -> h.restore(h.snapshot())).isInstanceOf(IllegalStateException.class);
    }
}
