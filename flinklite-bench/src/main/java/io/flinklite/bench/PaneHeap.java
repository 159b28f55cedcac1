package io.flinklite.bench;

import io.flinklite.api.Sink;
import io.flinklite.api.WindowResult;
import io.flinklite.job.JobSpec;
import io.flinklite.job.WindowSpec;
import io.flinklite.runtime.metrics.JobMetrics;
import io.flinklite.runtime.task.StreamTask;
import io.flinklite.runtime.task.TaskOptions;
import io.flinklite.source.PartitionListener;
import io.flinklite.source.RecordBatch;
import io.flinklite.source.SourceReader;
import java.lang.management.ManagementFactory;
import java.lang.management.MemoryMXBean;
import java.nio.charset.StandardCharsets;
import java.util.Locale;

/**
 * Heap bytes per open window pane: a FlinkLite task is fed {@code n} events that each open a new count pane and
 * never fire (an out-of-orderness of 100 years holds the watermark back); once the source has handed out its last
 * event, and before the end-of-input watermark fires everything, the used heap after full GCs is compared with the
 * used heap before the first event. The events are generated batch by batch and dropped after processing, so the
 * difference is the engine's state: panes, window timers, the timer heap, key state.
 *
 * <p>Two shapes: (a) two keys, each event in its own 1 s tumbling window (state per pane and window, key cost
 * amortized); (b) {@code n} distinct keys, all in one window (state per key: key string, key state, one pane).
 */
final class PaneHeap {
    private static final long HUNDRED_YEARS_MS = 100L * 365 * 24 * 3600 * 1000;

    private PaneHeap() {
    }

    /** Measures both shapes and prints one line each. */
    static void measure(int n) throws Exception {
        JobSpec base = JobSpec.defaults().withWindow(WindowSpec.tumbling(1_000, 0)).withOutOfOrdernessMs(HUNDRED_YEARS_MS);
        double perPane = bytesPerEvent(base, n, false);
        System.out.printf(Locale.ROOT, "heap per open count pane (2 keys, %,d panes in 1 s tumbling windows): %.0f bytes%n", n, perPane);
        double perKey = bytesPerEvent(base.withTypes(null), n, true);
        System.out.printf(Locale.ROOT, "heap per open key with one count pane (%,d distinct keys, one window): %.0f bytes%n", n, perKey);
    }

    private static double bytesPerEvent(JobSpec spec, int n, boolean distinctKeys) throws Exception {
        FillingSource source = new FillingSource(n, distinctKeys);
        long[] fired = new long[1];
        Sink<WindowResult> count = r -> fired[0]++;
        StreamTask task = StreamTask.forSpec(spec, TaskOptions.replay(), source, count, null,
                (partition, offset, payload, off, len, reason, detail) -> {
                    throw new IllegalStateException("generated event " + offset + " invalid: " + detail);
                }, new JobMetrics());
        task.run();
        if (fired[0] != n) {
            throw new IllegalStateException("expected " + n + " panes to fire at the end, got " + fired[0]);
        }
        return (source.usedAtEnd - source.usedAtStart) / (double) n;
    }

    static long usedHeapAfterGc() {
        MemoryMXBean memory = ManagementFactory.getMemoryMXBean();
        long used = Long.MAX_VALUE;
        // Several rounds: a single System.gc() can leave floating garbage behind.
        for (int i = 0; i < 4; i++) {
            System.gc();
            used = Math.min(used, memory.getHeapMemoryUsage().getUsed());
        }
        return used;
    }

    /** Generates the events in batches; takes the heap readings at its first and last poll. */
    private static final class FillingSource implements SourceReader {
        private static final int BATCH = 4_096;
        private final int n;
        private final boolean distinctKeys;
        private int next;
        private long usedAtStart;
        private long usedAtEnd;

        FillingSource(int n, boolean distinctKeys) {
            this.n = n;
            this.distinctKeys = distinctKeys;
        }

        @Override
        public boolean poll(RecordBatch batch, PartitionListener listener, long timeoutMs) {
            if (next == 0) {
                listener.partitionAssigned(0);
                usedAtStart = usedHeapAfterGc();
            }
            if (next == n) {
                // Every event has been processed (the task polls again only after the previous batch) and the
                // end-of-input watermark has not fired yet: every pane is open.
                usedAtEnd = usedHeapAfterGc();
                return false;
            }
            int end = Math.min(n, next + BATCH);
            for (int i = next; i < end; i++) {
                String key = distinctKeys ? "key-" + i : (i % 2 == 0 ? "important" : "critical");
                long ts = SeedTraffic.START_MS + (distinctKeys ? 0 : (long) (i / 2) * 1_000);
                batch.add(0, i + 1, ("{\"timestamp\":" + ts + ",\"message\":\"" + key + "\"}").getBytes(StandardCharsets.US_ASCII));
            }
            next = end;
            return true;
        }

        @Override
        public void close() {
        }
    }
}
