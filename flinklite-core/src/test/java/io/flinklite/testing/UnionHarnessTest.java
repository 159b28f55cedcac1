package io.flinklite.testing;

import io.flinklite.api.Event;
import io.flinklite.api.WindowAssigner;
import io.flinklite.api.WindowResult;
import io.flinklite.job.AggregateSpec;
import io.flinklite.runtime.operator.OperatorTags;
import io.flinklite.runtime.window.BuiltinAggregator;
import io.flinklite.runtime.window.WindowOperator;
import org.junit.jupiter.api.Test;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

/** Two edges (two topics) into one window operator: its watermark is the minimum of theirs. */
class UnionHarnessTest {

    private static OneInputOperatorHarness<Object, WindowResult> union() {
        return OneInputOperatorHarness.unionOf(2, out -> new WindowOperator(WindowAssigner.tumbling(10), 0,
                new BuiltinAggregator(AggregateSpec.Kind.COUNT, out), out));
    }

    @Test
    void theSlowerEdgeHoldsTheWindowOpenAndItsLateEventIsOnTime() throws Exception {
        OneInputOperatorHarness<Object, WindowResult> h = union()
                .processElement(Event.of(1, 1, "a"), 1, "a")
                .processWatermark(0, 50);
        // Edge 1 has no watermark yet: nothing fires, and its event at 2 still joins the window [0, 10).
        assertThat(h.currentWatermark()).isEqualTo(Long.MIN_VALUE);
        assertThat(h.elements()).isEmpty();
        h.processElement(Event.of(2, 2, "a"), 2, "a").processWatermark(1, 9);
        assertThat(h.currentWatermark()).isEqualTo(9);
        assertThat(h.elements()).containsExactly(WindowResult.ofCount("a", 0, 10, 2));
        assertThat(h.sideOutput(OperatorTags.LATE_DATA)).isEmpty();
        // Now 9 is the union's watermark: an event at 5 is late, whichever edge it came by.
        h.processElement(Event.of(3, 5, "a"), 5, "a");
        assertThat(h.sideOutput(OperatorTags.LATE_DATA)).hasSize(1);
    }

    @Test
    void theUnionEndsWhenEveryEdgeHasAndItsWatermarksSurviveARestore() throws Exception {
        OneInputOperatorHarness<Object, WindowResult> h = union()
                .processElement(Event.of(1, 12, "a"), 12, "a")
                .processWatermark(0, 30)
                .endInput(1);
        assertThat(h.currentWatermark()).isEqualTo(30);
        assertThat(h.elements()).containsExactly(WindowResult.ofCount("a", 10, 20, 1));
        OneInputOperatorHarness<Object, WindowResult> restored = h.restored(h.snapshot());
        assertThat(restored.currentWatermark()).isEqualTo(30);
        restored.processElement(Event.of(2, 35, "b"), 35, "b").endInput(0);
        assertThat(restored.currentWatermark()).isEqualTo(Long.MAX_VALUE);
        assertThat(restored.elements()).containsExactly(WindowResult.ofCount("b", 30, 40, 1));
        assertThatThrownBy(() -> restored.processWatermark(2, 1)).isInstanceOf(IndexOutOfBoundsException.class);
        assertThatThrownBy(() -> OneInputOperatorHarness.unionOf(0, out -> null)).hasMessageContaining("at least one edge");
    }
}
