package io.flinklite.runtime.task;

import io.flinklite.api.Event;
import io.flinklite.api.WindowAssigner;
import io.flinklite.api.WindowResult;
import io.flinklite.job.AggregateSpec;
import io.flinklite.job.TimestampSpec;
import io.flinklite.runtime.graph.EventFormat;
import io.flinklite.runtime.graph.JobGraph;
import io.flinklite.runtime.metrics.JobMetrics;
import io.flinklite.runtime.state.MemoryState;
import io.flinklite.runtime.window.BuiltinAggregator;
import io.flinklite.runtime.window.WindowOperator;
import io.flinklite.source.DeadLetterHandler;
import io.flinklite.source.InvalidReason;
import io.flinklite.source.PartitionListener;
import io.flinklite.source.RecordBatch;
import io.flinklite.source.SourceReader;
import org.junit.jupiter.api.Test;

import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * One reader delivering several sources (a Kafka reader of two topics): each record, partition event and
 * per-partition question goes to the graph source of its index; and a source whose partitions are all idle holds no
 * union back.
 */
class StreamTaskSourcesTest {
    private static final long T0 = 1_700_000_000_000L;

    /** Two sources, one partition each, assigned at the first poll; one scripted batch per poll, then the end. */
    private static final class TwoSources implements SourceReader {
        final List<List<Object[]>> batches = new ArrayList<>();
        final long[] clock;
        final List<Long> clockAfter = new ArrayList<>();
        final Map<Integer, Map<Integer, Long>> restored = new HashMap<>();
        final String[] topics = {"orders", "payments"};
        boolean announced;
        int next;

        TwoSources(long[] clock) {
            this.clock = clock;
        }

        /** A batch of (source, json) records; after it the clock reads {@code clockAfterMs}. */
        TwoSources batch(long clockAfterMs, Object... sourceAndJson) {
            List<Object[]> b = new ArrayList<>();
            for (int i = 0; i < sourceAndJson.length; i += 2) {
                b.add(new Object[] {sourceAndJson[i], sourceAndJson[i + 1]});
            }
            batches.add(b);
            clockAfter.add(clockAfterMs);
            return this;
        }

        @Override
        public boolean poll(RecordBatch batch, PartitionListener listener, long timeoutMs) {
            if (!announced) {
                announced = true;
                listener.partitionAssigned(0, 0);
                listener.partitionAssigned(1, 0);
            }
            if (next == batches.size()) {
                return false;
            }
            long[] offsets = new long[2];
            for (Object[] r : batches.get(next)) {
                int source = (Integer) r[0];
                byte[] json = ((String) r[1]).getBytes(StandardCharsets.UTF_8);
                batch.add(source, 0, offsets[source]++, RecordBatch.NO_TIMESTAMP, json, 0, json.length);
            }
            clock[0] = clockAfter.get(next++);
            return true;
        }

        @Override
        public int sourceCount() { return 2; }

        @Override
        public String topicOf(int source, int partition) { return topics[source]; }

        @Override
        public long lag(int source, int partition) { return 0; }

        @Override
        public void restorePositions(int source, Map<Integer, Long> nextOffsets) {
            restored.put(source, nextOffsets);
        }

        @Override
        public void close() {
        }
    }

    private static String json(String keyField, String key, long ts) {
        return "{\"" + keyField + "\":\"" + key + "\",\"timestamp\":" + (T0 + ts) + "}";
    }

    /** Two sources (key fields "order" and "customer") into one tumbling 10 ms count window. */
    private static JobGraph union(long idleTimeoutMs, List<WindowResult> results) {
        return JobGraph.builder()
                .source("orders", new EventFormat("order", null, TimestampSpec.defaults(), null), 0, idleTimeoutMs, false)
                .source("payments", new EventFormat("customer", null, TimestampSpec.defaults(), null), 0, idleTimeoutMs,
                        false)
                .operator("windows", out -> new WindowOperator(WindowAssigner.tumbling(10), 0,
                        new BuiltinAggregator(AggregateSpec.Kind.COUNT, out), out))
                .sink("results", (io.flinklite.api.Sink<WindowResult>) results::add, JobGraph.SinkKind.ELEMENTS)
                .edge("orders", null, "windows", 1, (Event e) -> e.key())
                .edge("payments", null, "windows", 1, (Event e) -> e.key())
                .edge("windows", "results")
                .fingerprint("sources-test")
                .build();
    }

    @Test
    void eachRecordOfOneReaderGoesToTheSourceOfItsIndexWithThatSourcesDecoderWatermarksAndPositions() throws Exception {
        List<WindowResult> results = new ArrayList<>();
        long[] clock = {0};
        TwoSources reader = new TwoSources(clock)
                .batch(0, 0, json("order", "a", 1), 0, json("order", "a", 30), 1, json("customer", "a", 2),
                        1, json("order", "a", 3));
        List<String> dead = new ArrayList<>();
        DeadLetterHandler deadLetters = new DeadLetterHandler() {
            @Override
            public void deadLetter(int partition, long offset, byte[] payload, int off, int len, InvalidReason reason,
                                   String detail) {
                throw new AssertionError("the task names the source of a dead letter");
            }

            @Override
            public void deadLetter(int source, int partition, long offset, byte[] payload, int off, int len,
                                   InvalidReason reason, String detail) {
                dead.add(source + "/" + partition + "@" + offset + " " + reason.label());
            }
        };
        JobMetrics metrics = new JobMetrics();
        StreamTask task = new StreamTask(union(0, results), List.of(reader),
                TaskOptions.replay().withClock(() -> clock[0]), deadLetters, metrics);
        task.addHook((t, now) -> {
            if (t.isEndOfInput()) {
                return;
            }
            // After the batch: orders are at 29, payments at 1, and the union at their minimum.
            assertThat(t.watermarkMs()).isEqualTo(T0 + 1);
            assertThat(t.partitionWatermark(0, 0)).isEqualTo(T0 + 29);
            assertThat(t.partitionWatermark(1, 0)).isEqualTo(T0 + 1);
            assertThat(t.positions(0)).containsExactly(Map.entry(0, 2L));
            assertThat(t.positions(1)).containsExactly(Map.entry(0, 2L));
            assertThat(metrics.partitions()).extracting(JobMetrics.PartitionStats::topic)
                    .containsExactly("orders", "payments");
        });
        task.run();
        // Payments decode with their own key field: the record with "order" is invalid there, and reported so.
        assertThat(dead).containsExactly("1/0@1 missing_key");
        assertThat(results).containsExactly(WindowResult.ofCount("a", T0, T0 + 10, 2),
                WindowResult.ofCount("a", T0 + 30, T0 + 40, 1));
    }

    @Test
    void theSnapshotHandsEachSourcesPositionsBackToItsOwnIndex() throws Exception {
        long[] clock = {0};
        TwoSources reader = new TwoSources(clock)
                .batch(0, 0, json("order", "a", 1), 1, json("customer", "b", 2), 1, json("customer", "b", 3));
        MemoryState state = new MemoryState();
        StreamTask task = new StreamTask(union(0, new ArrayList<>()), List.of(reader), TaskOptions.replay(),
                DeadLetterHandler.DISCARD, new JobMetrics());
        task.addHook((t, now) -> {
            if (!t.isEndOfInput()) {
                var w = state.writer();
                w.beginObject(null);
                t.snapshotState(w);
                w.endObject();
                t.stop();
            }
        });
        task.run();
        TwoSources fresh = new TwoSources(clock);
        StreamTask restored = new StreamTask(union(0, new ArrayList<>()), List.of(fresh), TaskOptions.replay(),
                DeadLetterHandler.DISCARD, new JobMetrics());
        var in = state.reader();
        in.beginObject(null);
        restored.restoreState(in);
        in.endObject();
        assertThat(fresh.restored.get(0)).containsExactly(Map.entry(0, 1L));
        assertThat(fresh.restored.get(1)).containsExactly(Map.entry(0, 2L));
        assertThat(restored.partitionWatermark(1, 0)).isEqualTo(T0 + 2);
    }

    @Test
    void aSourceWhosePartitionsAreAllIdleHoldsNoUnionBackUntilItsNextRecord() throws Exception {
        List<WindowResult> results = new ArrayList<>();
        long[] clock = {0};
        TwoSources reader = new TwoSources(clock)
                .batch(0, 0, json("order", "a", 1), 1, json("customer", "a", 2))
                // Payments fall silent; orders go on. After the 1 s idle timeout payments no longer hold the window.
                .batch(500, 0, json("order", "a", 15))
                .batch(1_200, 0, json("order", "a", 25))
                // A late-comer on payments: idle no more, but event time does not go back, so its record is late.
                .batch(1_300, 1, json("customer", "a", 5), 0, json("order", "a", 27));
        JobMetrics metrics = new JobMetrics();
        List<Long> watermarks = new ArrayList<>();
        StreamTask task = new StreamTask(union(1_000, results), List.of(reader),
                TaskOptions.replay().withIdleTimeoutMs(1_000).withClock(() -> clock[0]), DeadLetterHandler.DISCARD,
                metrics);
        task.addHook((t, now) -> watermarks.add(t.isEndOfInput() ? Long.MAX_VALUE : metricsWatermark(metrics)));
        task.run();
        assertThat(watermarks.get(1)).as("payments at 1 hold the union").isEqualTo(T0 + 1);
        assertThat(results.get(0)).as("idle payments: [0, 10) fires on orders alone")
                .isEqualTo(WindowResult.ofCount("a", T0, T0 + 10, 2));
        assertThat(metrics.eventsLate()).as("the payment at 5 after the window fired").isEqualTo(1);
    }

    private static long metricsWatermark(JobMetrics metrics) {
        return metrics.watermarkMs();
    }
}
