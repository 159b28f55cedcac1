package io.flinklite.testing;

import io.flinklite.api.Event;
import io.flinklite.api.OutputTag;
import io.flinklite.api.WindowAssigner;
import io.flinklite.runtime.join.IntervalJoinOperator;
import io.flinklite.runtime.join.JoinedPair;
import io.flinklite.runtime.join.JsonPayloadCodec;
import io.flinklite.runtime.join.WindowJoinOperator;
import io.flinklite.runtime.operator.Output;
import org.junit.jupiter.api.Test;

import java.nio.charset.StandardCharsets;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

/**
 * The join operators through the public {@link TwoInputOperatorHarness}, as a user of the harness would write it:
 * the interval join's exact bounds, a window-join session merged by the other side's element, late elements on their
 * tagged side outputs, the minimum of the input watermarks, an ended input, and a restart from a snapshot.
 */
class TwoInputOperatorHarnessTest {
    private static final OutputTag<Event> LATE_LEFT = new OutputTag<>("late-left");
    private static final OutputTag<Event> LATE_RIGHT = new OutputTag<>("late-right");

    private static TwoInputOperatorHarness<Event, Event, JoinedPair<byte[], byte[]>> interval(long lower, long upper) {
        return TwoInputOperatorHarness.of((Output<JoinedPair<byte[], byte[]>> out) -> new IntervalJoinOperator<>(
                        lower, upper, JsonPayloadCodec.INSTANCE, JsonPayloadCodec.INSTANCE, out, LATE_LEFT, LATE_RIGHT))
                .copyingOutput(JoinedPair::copy);
    }

    private static TwoInputOperatorHarness<Event, Event, JoinedPair<byte[], byte[]>> window(WindowAssigner assigner,
                                                                                           long allowedLateness) {
        return TwoInputOperatorHarness.of((Output<JoinedPair<byte[], byte[]>> out) -> new WindowJoinOperator<>(
                        assigner, allowedLateness, JsonPayloadCodec.INSTANCE, JsonPayloadCodec.INSTANCE, out,
                        LATE_LEFT, LATE_RIGHT))
                .copyingOutput(JoinedPair::copy);
    }

    /** A self-contained event whose payload is {@code {"n":name}}. */
    private static Event e(String name, long ts, String key) {
        byte[] json = ("{\"n\":\"" + name + "\"}").getBytes(StandardCharsets.UTF_8);
        Event event = new Event();
        event.set(0, false, ts, key, Double.NaN, false, json, 0, json.length);
        return event;
    }

    /** The names of a pair's two sides, {@code "l+r"}, and for window joins {@code "@[start,end)"}. */
    private static String show(JoinedPair<byte[], byte[]> p) {
        return name(p.left()) + "+" + name(p.right()) + (p.isWindowed()
                ? "@[" + p.windowStartMs() + "," + p.windowEndMs() + ")" : "");
    }

    private static String name(byte[] json) {
        String s = new String(json, StandardCharsets.UTF_8);
        return s.substring(6, s.length() - 2);
    }

    @Test
    void theIntervalJoinPairsAtExactlyLowerAndUpperAndNotOneMillisecondOutside() throws Exception {
        var h = interval(-3, 4); // a left at 100 pairs with rights at 97..104
        h.processElement1(e("l", 100, "k"), 100, "k");
        for (long r : new long[] {96, 97, 104, 105}) {
            h.processElement2(e("r" + r, r, "k"), r, "k");
        }
        assertThat(h.elements()).extracting(TwoInputOperatorHarnessTest::show).containsExactly("l+r97", "l+r104");
        assertThat(h.output()).extracting(o -> ((StreamRecord<?>) o).timestamp()).containsExactly(100L, 104L);
    }

    @Test
    void aWindowJoinSessionOfOneSideIsMergedByAnElementOfTheOther() throws Exception {
        var h = window(WindowAssigner.session(10), 0);
        h.processElement1(e("a", 0, "k"), 0, "k").processElement1(e("b", 15, "k"), 15, "k");
        // Two left sessions [0,10) and [15,25); the right element at 8 gives [8,18), which bridges both.
        h.processElement2(e("x", 8, "k"), 8, "k");
        h.processWatermark(100);
        assertThat(h.elements()).extracting(TwoInputOperatorHarnessTest::show)
                .containsExactly("a+x@[0,25)", "b+x@[0,25)");
    }

    @Test
    void lateElementsGoToTheirSidesTaggedOutputs() throws Exception {
        var h = interval(0, 5).copyingSideOutput(LATE_LEFT, e -> e).copyingSideOutput(LATE_RIGHT, e -> e);
        h.processWatermark(50);
        h.processElement1(e("late-l", 49, "k"), 49, "k");
        h.processElement2(e("late-r", 10, "k"), 10, "k");
        h.processElement1(e("on-time", 50, "k"), 50, "k");
        assertThat(h.sideOutput(LATE_LEFT)).extracting(StreamRecord::timestamp).containsExactly(49L);
        assertThat(h.sideOutput(LATE_RIGHT)).extracting(StreamRecord::timestamp).containsExactly(10L);
        assertThat(h.emitted()).hasSize(3); // the watermark and the two late elements, in that order
        assertThat(h.emitted().get(0)).isEqualTo(new Watermark(50));
    }

    @Test
    void theOperatorSeesTheMinimumOfItsInputsAndAnEndedInputNoLongerHoldsItBack() throws Exception {
        var h = window(WindowAssigner.tumbling(10), 0);
        h.processElement1(e("l", 3, "k"), 3, "k").processElement2(e("r", 4, "k"), 4, "k");
        h.processWatermark1(30);
        assertThat(h.currentWatermark()).isEqualTo(Long.MIN_VALUE);
        h.processWatermark2(9);
        assertThat(h.currentWatermark()).isEqualTo(9);
        assertThat(h.output()).containsExactly(
                new StreamRecord<>(h.elements().get(0), 9), new Watermark(9));
        h.processWatermark2(5); // behind its input: ignored
        h.endInput2();
        assertThat(h.watermarks()).containsExactly(9L, 30L);
        h.endInput1();
        assertThat(h.watermarks()).containsExactly(9L, 30L, Long.MAX_VALUE);
        assertThatThrownBy(() -> h.processWatermark1(40)).isInstanceOf(IllegalStateException.class);
    }

    @Test
    void aRestartFromASnapshotKeepsBufferedElementsAndTheInputWatermarks() throws Exception {
        var h = interval(-5, 5);
        h.processElement1(e("l", 10, "k"), 10, "k");
        h.processWatermark1(8).processWatermark2(7);
        HarnessSnapshot s = h.snapshot();
        var restarted = h.restored(s);
        restarted.processWatermark1(20); // the right input still holds the operator at 7
        assertThat(restarted.watermarks()).isEmpty();
        restarted.processElement2(e("r", 14, "k"), 14, "k");
        assertThat(restarted.elements()).extracting(TwoInputOperatorHarnessTest::show).containsExactly("l+r");
        assertThatThrownBy(() -> restarted.restore(s)).isInstanceOf(IllegalStateException.class)
                .hasMessageContaining("fresh");
    }

    @Test
    void aSnapshotOfAOneInputHarnessDoesNotRestoreIntoATwoInputOne() throws Exception {
        var one = OneInputOperatorHarness.of((Output<String> out) -> new io.flinklite.runtime.operator.OneInputOperator<String>() {
            @Override
            public void processElement(String element, long timestampMs, String key) {
            }

            @Override
            public void processWatermark(long watermarkMs) {
            }
        });
        assertThatThrownBy(() -> interval(0, 1).restore(one.snapshot())).isInstanceOf(IllegalArgumentException.class)
                .hasMessageContaining("1 inputs");
    }
}
