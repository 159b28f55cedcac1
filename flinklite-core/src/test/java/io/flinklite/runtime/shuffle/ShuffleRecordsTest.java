package io.flinklite.runtime.shuffle;

import io.flinklite.api.Event;
import io.flinklite.api.WindowResult;
import io.flinklite.job.JobSpec;
import org.junit.jupiter.api.Test;

import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

class ShuffleRecordsTest {
    @Test
    void theEncodingsRoundTrip() {
        ShuffleRecords r = new ShuffleRecords();
        byte[] topic = "tópic".getBytes(StandardCharsets.UTF_8);
        r.encodeMarker(0x1234abcd, topic, 2, 5, -17L, true);
        byte[] m = Arrays.copyOf(r.array(), r.length());
        assertThat(ShuffleRecords.kind(m, 0, m.length)).isEqualTo(ShuffleRecords.MARKER);
        assertThat(ShuffleRecords.markerTopic(m, 0)).isEqualTo("tópic");
        assertThat(ShuffleRecords.markerPartition(m, 0)).isEqualTo(2);
        assertThat(ShuffleRecords.markerTotal(m, 0)).isEqualTo(5);
        assertThat(ShuffleRecords.markerWatermark(m, 0)).isEqualTo(-17L);
        assertThat(ShuffleRecords.markerIdle(m, 0)).isTrue();
        assertThat(ShuffleRecords.markerJob(m, 0)).isEqualTo(0x1234abcd);

        r.encodeRaw("in".hashCode(), 3, 9, 77, Event.of(42, 1_700_000_000_123L, "k", -2.5), 1_700_000_000_123L);
        byte[] raw = Arrays.copyOf(r.array(), r.length());
        assertThat(ShuffleRecords.kind(raw, 0, raw.length)).isEqualTo(ShuffleRecords.RAW);
        assertThat(ShuffleRecords.rawTimestamp(raw, 0)).isEqualTo(1_700_000_000_123L);
        assertThat(ShuffleRecords.rawValue(raw, 0)).isEqualTo(-2.5);
        assertThat(ShuffleRecords.rawHasValue(raw, 0)).isTrue();
        assertThat(ShuffleRecords.rawId(raw, 0)).isEqualTo(42);
        assertThat(ShuffleRecords.originSource(raw, 0)).isEqualTo(ShuffleRecords.source("in", 3));
        assertThat(ShuffleRecords.originLineage(raw, 0)).isEqualTo(9);
        assertThat(ShuffleRecords.originSequence(raw, 0)).isEqualTo(77);
        assertThat(ShuffleRecords.describe(raw, 0, raw.length)).contains("seq=9:77 ts=1700000000123");
    }

    @Test
    void badRecordsAreNamedAndTheKeyedStageCountsAndSkipsThem() throws Exception {
        assertThatThrownBy(() -> ShuffleRecords.kind(new byte[] {1, 1}, 0, 2)).hasMessageContaining("version 1");
        assertThatThrownBy(() -> ShuffleRecords.kind(new byte[] {ShuffleRecords.VERSION, 9}, 0, 2)).hasMessageContaining("kind 9");
        assertThatThrownBy(() -> ShuffleRecords.kind(new byte[] {ShuffleRecords.VERSION, 2, 0}, 0, 3)).hasMessageContaining("truncated");
        List<WindowResult> results = new ArrayList<>();
        KeyedStage<WindowResult> k = ShuffledJob.of(JobSpec.defaults()).keyedStage(1, results::add, null);
        byte[] key = "k".getBytes(StandardCharsets.UTF_8);
        k.process(key, 0, 1, new byte[] {ShuffleRecords.VERSION, 9, 0}, 0, 3);
        byte[] shortPartial = new byte[ShuffleRecords.PARTIAL_HEADER + 1];
        shortPartial[0] = ShuffleRecords.VERSION;
        shortPartial[1] = 2;
        k.process(key, 0, 1, shortPartial, 0, shortPartial.length); // partial of 1 byte, count needs 8
        k.process(null, 0, 0, new byte[] {ShuffleRecords.VERSION, 1}, 0, 2);
        assertThat(k.invalidRecords()).isEqualTo(3);
        assertThat(k.lastInvalid()).contains("2 bytes");
    }

    @Test
    void thePartitionIsKafkasDefaultPartitionersForTheKeyBytes() {
        // Expected values printed by kafka-clients 4.4.0: Utils.murmur2 and toPositive(murmur2) % 3, % 7.
        Object[][] cases = {{"", 275646681, 0, 2}, {"a", -1563381124, 1, 5}, {"ab", 316155434, 2, 0},
                {"abc", 479470107, 0, 4}, {"abcd", -1323649548, 2, 5}, {"important", 1575287736, 0, 1},
                {"critical", -348085735, 1, 5}, {"k17", -1539665167, 1, 4}, {"ünïcødé-κλειδί", 1675575438, 0, 5},
                {"a somewhat longer key of 33 bytes", -89819926, 1, 2}};
        for (Object[] c : cases) {
            byte[] b = ((String) c[0]).getBytes(StandardCharsets.UTF_8);
            assertThat(ShufflePartitioner.murmur2(b, b.length)).as((String) c[0]).isEqualTo(c[1]);
            assertThat(ShufflePartitioner.partition(b, b.length, 3)).isEqualTo(c[2]);
            assertThat(ShufflePartitioner.partition(b, b.length, 7)).isEqualTo(c[3]);
        }
    }
}
