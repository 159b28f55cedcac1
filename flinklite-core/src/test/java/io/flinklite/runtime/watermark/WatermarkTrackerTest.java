package io.flinklite.runtime.watermark;

import io.flinklite.runtime.state.MemoryState;
import io.flinklite.runtime.state.StateReader;
import io.flinklite.runtime.state.StateWriter;
import org.junit.jupiter.api.Test;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

class WatermarkTrackerTest {

    @Test
    void watermarkIsMaxTimestampMinusBoundMinusOne() {
        WatermarkTracker t = new WatermarkTracker(5_000, 0, false);
        t.addPartition(0, 0);
        assertThat(t.currentWatermark()).isEqualTo(Long.MIN_VALUE);
        assertThat(t.onEvent(0, 10_000)).isEqualTo(4_999);
        assertThat(t.onEvent(0, 7_000)).isEqualTo(4_999); // older events never move it back
        assertThat(t.onEvent(0, 12_000)).isEqualTo(6_999);
    }

    @Test
    void combinedIsTheMinimumOverPartitions() {
        WatermarkTracker t = new WatermarkTracker(0, 0, false);
        t.addPartition(0, 0);
        t.addPartition(3, 0);
        assertThat(t.onEvent(0, 100)).isEqualTo(Long.MIN_VALUE); // partition 3 has seen nothing
        assertThat(t.onEvent(3, 50)).isEqualTo(49);
        assertThat(t.onEvent(3, 500)).isEqualTo(99);
        assertThat(t.partitionWatermark(3)).isEqualTo(499);
    }

    @Test
    void anIdlePartitionStopsHoldingTheWatermarkBackUntilItsNextRecord() {
        WatermarkTracker t = new WatermarkTracker(0, 1_000, false);
        t.addPartition(0, 0);
        t.addPartition(1, 0);
        t.onEvent(0, 100);
        t.onEvent(1, 10);
        assertThat(t.currentWatermark()).isEqualTo(9);
        t.checkIdleness(500); // both delivered since the last check
        t.onEvent(0, 200);
        assertThat(t.checkIdleness(1_499)).isEqualTo(9); // partition 1 silent for 999 ms: not yet idle
        t.onEvent(0, 300);
        assertThat(t.checkIdleness(1_500)).isEqualTo(299); // silent for 1000 ms: idle
        assertThat(t.isIdle(1)).isTrue();
        // Back from idleness with an old timestamp: the watermark does not go backwards.
        assertThat(t.onEvent(1, 20)).isEqualTo(299);
        assertThat(t.isIdle(1)).isFalse();
        t.onEvent(0, 400);
        assertThat(t.currentWatermark()).isEqualTo(299);
        t.onEvent(1, 1_000);
        assertThat(t.currentWatermark()).isEqualTo(399);
    }

    @Test
    void allIdleKeepsTheWatermarkUnlessItFollowsTheWallClock() {
        WatermarkTracker stays = new WatermarkTracker(100, 1_000, false);
        stays.addPartition(0, 0);
        stays.onEvent(0, 5_000);
        assertThat(stays.checkIdleness(10_000)).isEqualTo(4_899);
        assertThat(stays.checkIdleness(20_000)).isEqualTo(4_899);

        WatermarkTracker follows = new WatermarkTracker(100, 1_000, true);
        follows.addPartition(0, 0);
        follows.onEvent(0, 5_000);
        follows.checkIdleness(10_000);
        assertThat(follows.checkIdleness(20_000)).isEqualTo(19_899);
        assertThatThrownBy(() -> new WatermarkTracker(0, 0, true)).isInstanceOf(IllegalArgumentException.class);
    }

    @Test
    void revokedPartitionsStopCountingAndResumeFromTheirMaximum() {
        WatermarkTracker t = new WatermarkTracker(0, 0, false);
        t.addPartition(0, 0);
        t.addPartition(1, 0);
        t.onEvent(0, 1_000);
        t.onEvent(1, 10);
        assertThat(t.currentWatermark()).isEqualTo(9);
        t.removePartition(1);
        assertThat(t.currentWatermark()).isEqualTo(999);
        t.addPartition(1, 0);
        assertThat(t.partitionWatermark(1)).isEqualTo(9);
        assertThat(t.currentWatermark()).isEqualTo(999); // never backwards
        t.addPartition(7, 0); // a brand-new partition holds the minimum back until it delivers
        t.onEvent(0, 2_000);
        t.onEvent(1, 2_000);
        assertThat(t.currentWatermark()).isEqualTo(999);
        t.onEvent(7, 1_500);
        assertThat(t.currentWatermark()).isEqualTo(1_499);
    }

    @Test
    void snapshotKeepsPartitionMaximaAndTheWatermark() {
        WatermarkTracker t = new WatermarkTracker(10, 0, false);
        t.addPartition(0, 0);
        t.addPartition(2, 0);
        t.onEvent(0, 100);
        t.onEvent(2, 300);
        MemoryState state = new MemoryState();
        StateWriter w = state.writer();
        w.beginObject(null);
        t.snapshotState(w);
        w.endObject();

        WatermarkTracker restored = new WatermarkTracker(10, 0, false);
        StateReader r = state.reader();
        r.beginObject(null);
        restored.restoreState(r);
        r.endObject();
        assertThat(restored.currentWatermark()).isEqualTo(89);
        restored.addPartition(2, 0);
        restored.addPartition(0, 0);
        assertThat(restored.partitionWatermark(2)).isEqualTo(289);
        assertThat(restored.onEvent(0, 150)).isEqualTo(139);
    }

    @Test
    void extremeTimestampsDoNotOverflow() {
        WatermarkTracker t = new WatermarkTracker(5_000, 0, false);
        t.addPartition(0, 0);
        assertThat(t.onEvent(0, Long.MIN_VALUE + 3)).isEqualTo(Long.MIN_VALUE);
        assertThat(t.onEvent(0, Long.MAX_VALUE)).isEqualTo(Long.MAX_VALUE - 5_001);
    }
}
