package io.flinklite.runtime.watermark;

import org.junit.jupiter.api.Test;

import java.util.function.IntToLongFunction;

import static org.assertj.core.api.Assertions.assertThat;

/** Idleness when the source knows each partition's lag: a partition with records waiting is slow, not idle. */
class WatermarkTrackerLagTest {
    private final long[] lag = new long[2];
    private final IntToLongFunction lagOf = p -> lag[p];

    private WatermarkTracker twoPartitions() {
        WatermarkTracker t = new WatermarkTracker(0, 1_000, false);
        t.addPartition(0, 0);
        t.addPartition(1, 0);
        t.onEvent(0, 100);
        t.onEvent(1, 10);
        t.checkIdleness(0, lagOf);
        return t;
    }

    @Test
    void aSilentPartitionWithRecordsWaitingIsNotIdle() {
        WatermarkTracker t = twoPartitions();
        lag[1] = 5_000; // its next fetch is slow, but records are there
        t.onEvent(0, 5_000);
        assertThat(t.checkIdleness(10_000, lagOf)).isEqualTo(9);
        assertThat(t.isIdle(1)).isFalse();
        // Its records arrive and are on time, since the watermark waited for them.
        assertThat(t.onEvent(1, 20)).isEqualTo(19);
    }

    @Test
    void withoutLagTheSamePartitionGoesIdle() {
        WatermarkTracker t = twoPartitions();
        t.onEvent(0, 5_000);
        assertThat(t.checkIdleness(10_000, lagOf)).isEqualTo(4_999);
        assertThat(t.isIdle(1)).isTrue();
    }

    @Test
    void onceCaughtUpItNeedsAWholeTimeoutOfSilenceToGoIdle() {
        WatermarkTracker t = twoPartitions();
        lag[1] = 3;
        t.onEvent(0, 5_000);
        t.checkIdleness(10_000, lagOf);
        lag[1] = 0;
        t.onEvent(0, 6_000); // partition 0 stays active throughout
        assertThat(t.checkIdleness(10_999, lagOf)).isEqualTo(9);
        assertThat(t.isIdle(1)).isFalse();
        t.onEvent(0, 7_000);
        assertThat(t.checkIdleness(11_000, lagOf)).isEqualTo(6_999);
        assertThat(t.isIdle(1)).isTrue();
    }

    @Test
    void anIdlePartitionWithNewRecordsWaitingHoldsTheWatermarkAgain() {
        WatermarkTracker t = twoPartitions();
        t.onEvent(0, 5_000);
        t.checkIdleness(10_000, lagOf);
        assertThat(t.isIdle(1)).isTrue();
        lag[1] = 1;
        t.checkIdleness(10_100, lagOf);
        assertThat(t.isIdle(1)).isFalse();
        // The watermark never goes back, but it no longer runs ahead while partition 1's records are on their way.
        assertThat(t.onEvent(0, 9_000)).isEqualTo(4_999);
    }

    @Test
    void unknownLagChangesNothing() {
        WatermarkTracker t = twoPartitions();
        lag[1] = -1;
        t.onEvent(0, 5_000);
        assertThat(t.checkIdleness(10_000, lagOf)).isEqualTo(4_999);
        assertThat(t.isIdle(1)).isTrue();
    }
}
