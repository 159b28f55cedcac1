package io.flinklite.runtime.task;

import io.flinklite.api.Event;
import io.flinklite.job.TimestampSpec;
import io.flinklite.runtime.state.MemoryState;
import io.flinklite.source.InvalidReason;
import io.flinklite.source.PartitionListener;
import io.flinklite.source.RecordBatch;
import io.flinklite.source.SourceReader;
import org.junit.jupiter.api.Test;

import java.nio.charset.StandardCharsets;
import java.util.HashMap;
import java.util.Map;

import static org.assertj.core.api.Assertions.assertThat;

/** One node per source index: each source's own decoder, watermarks and positions, and their union. */
class SourceNodeTest {

    /** Two sources: source 0 of two partitions (one owned elsewhere), source 1 of one; lags and reports settable. */
    private static final class TwoSources implements SourceReader {
        final long[][] lag = {{0, -1}, {0}};
        final long[][] reported = {{Long.MIN_VALUE, Long.MIN_VALUE}, {Long.MIN_VALUE}};
        final Map<Integer, Map<Integer, Long>> restored = new HashMap<>();

        @Override
        public boolean poll(RecordBatch batch, PartitionListener listener, long timeoutMs) {
            return true;
        }

        @Override
        public int sourceCount() { return 2; }

        @Override
        public int partitionCount(int source) { return source == 0 ? 2 : 1; }

        @Override
        public long lag(int source, int partition) { return lag[source][partition]; }

        @Override
        public long reportedWatermark(int source, int partition) { return reported[source][partition]; }

        @Override
        public String topicOf(int source, int partition) { return source == 0 ? "orders" : "payments"; }

        @Override
        public void restorePositions(int source, Map<Integer, Long> nextOffsets) {
            restored.put(source, nextOffsets);
        }

        @Override
        public void close() {
        }
    }

    private static SourceNode node(SourceReader reader, int index, String keyField) {
        return new SourceNode(reader, index, keyField, null, TimestampSpec.defaults(), 1 << 20, 1_000, 10_000, false);
    }

    private static byte[] json(String s) {
        return s.getBytes(StandardCharsets.UTF_8);
    }

    @Test
    void eachSourceDecodesWithItsOwnKeyFieldAndKeepsItsOwnWatermarkAndTheUnionIsTheMinimum() {
        TwoSources reader = new TwoSources();
        SourceNode orders = node(reader, 0, "orderId");
        SourceNode payments = node(reader, 1, "order");
        orders.beforePoll(0);
        payments.beforePoll(0);
        orders.assigned(0, 0);
        payments.assigned(0, 0);
        Event e = new Event();
        byte[] order = json("{\"orderId\":\"o-1\",\"timestamp\":10000}");
        assertThat(orders.decode(order, 0, order.length, RecordBatch.NO_TIMESTAMP, e)).isNull();
        assertThat(e.key()).isEqualTo("o-1");
        assertThat(payments.decode(order, 0, order.length, RecordBatch.NO_TIMESTAMP, e))
                .as("the other source's key field").isEqualTo(InvalidReason.MISSING_KEY);
        assertThat(payments.decode(null, 0, 0, RecordBatch.NO_TIMESTAMP, e)).isEqualTo(InvalidReason.NULL_VALUE);

        TaskOptions options = TaskOptions.replay();
        orders.position(0, 41, options);
        orders.onEvent(0, 10_000);
        assertThat(orders.watermark()).as("partition 1, owned elsewhere with unknown backlog, holds source 0 back")
                .isEqualTo(Long.MIN_VALUE);
        reader.reported[0][1] = 20_000;
        assertThat(orders.afterPoll(1)).as("until its owner reports").isEqualTo(8_999);
        payments.position(0, 7, options);
        assertThat(payments.onEvent(0, 5_000)).isEqualTo(3_999);
        SourceNode[] both = {orders, payments};
        assertThat(SourceNode.unionWatermark(both)).isEqualTo(3_999);
        assertThat(payments.onEvent(0, 30_000)).isEqualTo(28_999);
        assertThat(SourceNode.unionWatermark(both)).isEqualTo(8_999);
        assertThat(orders.positions()).containsExactly(Map.entry(0, 42L));
        assertThat(payments.positions()).containsExactly(Map.entry(0, 8L));
    }

    @Test
    void aSourceWhosePartitionsAreAllIdleHoldsNoUnionBackAndAnEndedOneCountsAtInfinity() {
        TwoSources reader = new TwoSources();
        reader.lag[0][1] = 0;
        SourceNode a = node(reader, 0, "k");
        SourceNode b = node(reader, 1, "k");
        for (SourceNode n : new SourceNode[] {a, b}) {
            n.beforePoll(0);
            n.assigned(0, 0);
        }
        a.assigned(1, 0);
        a.onEvent(0, 50_000);
        a.onEvent(1, 60_000);
        b.onEvent(0, 5_000);
        SourceNode[] both = {a, b};
        assertThat(SourceNode.unionWatermark(both)).isEqualTo(3_999);
        a.afterPoll(0);
        b.afterPoll(0);
        // a keeps delivering, b falls silent with nothing left to read: after the idle timeout b is left out.
        a.onEvent(0, 70_000);
        a.onEvent(1, 70_000);
        a.afterPoll(9_000);
        b.afterPoll(9_000);
        assertThat(b.isIdle()).as("silent for less than the idle timeout").isFalse();
        a.onEvent(0, 71_000);
        a.afterPoll(11_000);
        b.afterPoll(11_000);
        assertThat(b.isIdle()).isTrue();
        assertThat(SourceNode.unionWatermark(both)).isEqualTo(68_999);
        b.onEvent(0, 6_000);
        assertThat(b.isIdle()).as("a record ends idleness").isFalse();
        assertThat(SourceNode.unionWatermark(both)).as("its watermark never went past 4_999").isEqualTo(4_999);
        b.endOfInput();
        assertThat(b.hasEnded()).isTrue();
        assertThat(SourceNode.unionWatermark(both)).isEqualTo(68_999);
        a.endOfInput();
        assertThat(SourceNode.unionWatermark(both)).isEqualTo(Long.MAX_VALUE);
    }

    @Test
    void aSnapshotRestoresWatermarksAndPositionsAndHandsThePositionsToItsOwnSourceIndex() {
        TwoSources reader = new TwoSources();
        SourceNode payments = node(reader, 1, "k");
        payments.beforePoll(0);
        payments.assigned(0, 0);
        payments.position(0, 99, TaskOptions.replay());
        payments.onEvent(0, 12_000);
        MemoryState state = new MemoryState();
        payments.snapshotState(state.writer());

        TwoSources fresh = new TwoSources();
        SourceNode restored = node(fresh, 1, "k");
        restored.restoreState(state.reader());
        assertThat(fresh.restored).containsOnlyKeys(1);
        assertThat(fresh.restored.get(1)).containsExactly(Map.entry(0, 100L));
        assertThat(restored.positions()).containsExactly(Map.entry(0, 100L));
        assertThat(restored.partitionWatermark(0)).isEqualTo(10_999);
        assertThat(restored.watermark()).isEqualTo(10_999);
    }
}
