package io.flinklite.runtime.watermark;

import org.junit.jupiter.api.Test;

import static org.assertj.core.api.Assertions.assertThat;

/** Idleness decided by a late check must give the watermark a continuous check would have given. */
class WatermarkTrackerIdleOrderTest {

    @Test
    void aPartitionThatNeverDeliveredGoesIdleBeforeTheOnesThatJustWentQuietEvenInOneLateCheck() {
        WatermarkTracker t = new WatermarkTracker(0, 1_000, false);
        t.addPartition(0, 0);
        t.addPartition(1, 0);
        t.addPartition(2, 0); // never delivers
        t.onEvent(0, 5_000);
        t.onEvent(1, 7_000);
        assertThat(t.checkIdleness(500)).isEqualTo(Long.MIN_VALUE); // partition 2 still holds it back
        // The next check comes 3 s late: all three reached the timeout. Partition 2 (silent since 0) went idle at
        // 1,000, while 0 and 1 (active at 500) were still active, so the watermark reached min(4,999, 6,999).
        assertThat(t.checkIdleness(3_500)).isEqualTo(6_999);
        assertThat(t.isIdle(0)).isTrue();
        assertThat(t.isIdle(1)).isTrue();
        assertThat(t.isIdle(2)).isTrue();
    }

    @Test
    void theWatermarkFollowsTheWallClockOnlyOnceARecordWasSeen() {
        WatermarkTracker t = new WatermarkTracker(5_000, 1_000, true);
        t.addPartition(0, 0);
        // At startup, before the first fetch, the partition looks idle: the backlog must not become late.
        assertThat(t.checkIdleness(100_000)).isEqualTo(Long.MIN_VALUE);
        assertThat(t.onEvent(0, 40_000)).isEqualTo(34_999);
        assertThat(t.checkIdleness(101_000)).isEqualTo(34_999);
        assertThat(t.checkIdleness(102_000)).isEqualTo(96_999); // traffic stopped: now - 5 s - 1
    }
}
