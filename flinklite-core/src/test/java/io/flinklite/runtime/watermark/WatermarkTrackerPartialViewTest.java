package io.flinklite.runtime.watermark;

import io.flinklite.runtime.state.MemoryState;
import io.flinklite.runtime.state.StateReader;
import io.flinklite.runtime.state.StateWriter;
import org.junit.jupiter.api.Test;

import java.util.function.IntToLongFunction;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * Event time never advances on a partial view: source partitions that this task has not been assigned, or that a
 * restored checkpoint holds, hold the watermark back while records wait in them (issue 10).
 */
class WatermarkTrackerPartialViewTest {
    private final long[] lag = {0, 0, 0};
    private final IntToLongFunction lagOf = p -> lag[p];

    @Test
    void unassignedPartitionsOfTheTopicHoldTheWatermarkBackUntilRead() {
        WatermarkTracker t = new WatermarkTracker(0, 1_000, false);
        t.declarePartitionCount(3, 0);
        t.addPartition(0, 0); // a dead member still holds 1 and 2
        lag[1] = 500;
        lag[2] = 700;
        for (long ts = 0; ts <= 3_600_000; ts += 1_000) {
            t.onEvent(0, ts);
            t.checkIdleness(ts / 10, lagOf);
        }
        assertThat(t.currentWatermark()).as("partition 0 alone moves nothing").isEqualTo(Long.MIN_VALUE);
        assertThat(t.checkIdleness(10_000_000, lagOf)).as("records wait in 1 and 2: never idle").isEqualTo(Long.MIN_VALUE);
        assertThat(t.isIdle(1)).isFalse();

        t.addPartition(1, 10_000_000);
        t.addPartition(2, 10_000_000);
        t.onEvent(1, 10);
        assertThat(t.currentWatermark()).isEqualTo(Long.MIN_VALUE);
        t.onEvent(2, 20);
        assertThat(t.currentWatermark()).isEqualTo(9);
    }

    @Test
    void unknownLagOfAnUnassignedPartitionHoldsItBack() {
        WatermarkTracker t = new WatermarkTracker(0, 1_000, false);
        t.declarePartitionCount(2, 0);
        t.addPartition(0, 0);
        t.onEvent(0, 5_000);
        assertThat(t.checkIdleness(60_000, p -> -1)).isEqualTo(Long.MIN_VALUE);
        assertThat(t.isIdle(1)).isFalse();
    }

    @Test
    void anUnassignedPartitionWithNothingToReadGoesIdleAfterTheTimeout() {
        WatermarkTracker t = new WatermarkTracker(0, 1_000, false);
        t.declarePartitionCount(2, 0);
        t.addPartition(0, 0);
        lag[1] = 3;
        t.onEvent(0, 5_000);
        assertThat(t.checkIdleness(500, lagOf)).isEqualTo(Long.MIN_VALUE);
        lag[1] = 0; // its owner read it to the end and committed
        t.onEvent(0, 5_001);
        assertThat(t.checkIdleness(1_400, lagOf)).as("silent for 900 ms since records last waited").isEqualTo(Long.MIN_VALUE);
        t.onEvent(0, 5_002);
        assertThat(t.checkIdleness(1_500, lagOf)).isEqualTo(5_001);
        assertThat(t.isIdle(1)).isTrue();
        lag[1] = 1; // a new record arrived in it
        assertThat(t.checkIdleness(1_600, lagOf)).isEqualTo(5_001);
        assertThat(t.isIdle(1)).isFalse();
        assertThat(t.onEvent(0, 9_000)).isEqualTo(5_001);
    }

    @Test
    void aRevokedPartitionKeepsHoldingAtItsMaximumWhileRecordsWait() {
        WatermarkTracker t = new WatermarkTracker(0, 1_000, false);
        t.declarePartitionCount(2, 0);
        t.addPartition(0, 0);
        t.addPartition(1, 0);
        t.onEvent(0, 1_000);
        t.onEvent(1, 100);
        assertThat(t.currentWatermark()).isEqualTo(99);
        t.removePartition(1, 10);
        lag[1] = 42;
        t.onEvent(0, 50_000);
        assertThat(t.checkIdleness(100_000, lagOf)).isEqualTo(99);
        assertThat(t.partitionWatermark(1)).isEqualTo(99);
        lag[1] = 0;
        t.onEvent(0, 50_001);
        assertThat(t.checkIdleness(100_999, lagOf)).isEqualTo(99);
        t.onEvent(0, 50_002);
        assertThat(t.checkIdleness(101_000, lagOf)).as("nothing to read for a whole timeout").isEqualTo(50_001);
    }

    @Test
    void withoutADeclaredCountARevokedPartitionStopsCounting() {
        WatermarkTracker t = new WatermarkTracker(0, 0, false);
        t.addPartition(0, 0);
        t.addPartition(1, 0);
        t.onEvent(0, 1_000);
        t.onEvent(1, 10);
        t.removePartition(1, 0); // a file that ended
        assertThat(t.currentWatermark()).isEqualTo(999);
    }

    @Test
    void aRestoredPartitionHoldsTheWatermarkBackUntilItIsAssignedAndRead() {
        WatermarkTracker before = new WatermarkTracker(0, 1_000, false);
        before.declarePartitionCount(3, 0);
        for (int p = 0; p < 3; p++) {
            before.addPartition(p, 0);
            before.onEvent(p, 1_000 + p);
        }
        // The restarted job gets only partition 0 for now, and knows nothing of the topic's count yet.
        WatermarkTracker after = restored(before, new WatermarkTracker(0, 1_000, false));
        assertThat(after.currentWatermark()).isEqualTo(999);
        after.addPartition(0, 0);
        lag[1] = 10;
        lag[2] = 10;
        after.onEvent(0, 3_600_000);
        assertThat(after.checkIdleness(600_000, lagOf)).isEqualTo(1_000);
        assertThat(after.countedPartitions()).containsExactly(0, 1, 2);
        after.addPartition(1, 600_000);
        after.addPartition(2, 600_000);
        after.onEvent(1, 2_000);
        after.onEvent(2, 3_000);
        assertThat(after.currentWatermark()).isEqualTo(1_999);
    }

    @Test
    void aRestoredPartitionWithNothingToReadGoesIdleAWholeTimeoutAfterTheFirstCheck() {
        WatermarkTracker before = new WatermarkTracker(0, 1_000, false);
        before.addPartition(1, 0);
        before.onEvent(1, 100);
        WatermarkTracker after = restored(before, new WatermarkTracker(0, 1_000, false));
        after.addPartition(0, 50_000);
        after.onEvent(0, 9_000);
        assertThat(after.checkIdleness(50_000, lagOf)).isEqualTo(99);
        after.onEvent(0, 9_001);
        assertThat(after.checkIdleness(50_999, lagOf)).isEqualTo(99);
        after.onEvent(0, 9_002);
        assertThat(after.checkIdleness(51_000, lagOf)).isEqualTo(9_001);
    }

    @Test
    void anOwnersReportHoldsTheWatermarkThereInsteadOfAtNothingSeen() {
        WatermarkTracker t = new WatermarkTracker(100, 1_000, false);
        t.declarePartitionCount(2, 0);
        t.addPartition(0, 0);
        lag[1] = 1_000; // another live member reads it, always a little behind its end
        t.onEvent(0, 10_000);
        assertThat(t.checkIdleness(10, lagOf)).isEqualTo(Long.MIN_VALUE);
        t.reportWatermark(1, 7_000);
        assertThat(t.checkIdleness(20, lagOf)).isEqualTo(7_000);
        assertThat(t.partitionWatermark(1)).isEqualTo(7_000);
        t.reportWatermark(1, 6_000); // an older report changes nothing
        t.reportWatermark(1, 20_000);
        assertThat(t.checkIdleness(30, lagOf)).as("the own partition is now the minimum").isEqualTo(9_899);
        t.reportWatermark(0, 50_000); // an assigned partition's records tell, not reports
        assertThat(t.partitionWatermark(0)).isEqualTo(9_899);
    }

    /** {@code fresh} after restoring a snapshot of {@code before}. */
    private static WatermarkTracker restored(WatermarkTracker before, WatermarkTracker fresh) {
        MemoryState state = new MemoryState();
        StateWriter w = state.writer();
        w.beginObject(null);
        before.snapshotState(w);
        w.endObject();
        StateReader r = state.reader();
        r.beginObject(null);
        fresh.restoreState(r);
        r.endObject();
        return fresh;
    }
}
