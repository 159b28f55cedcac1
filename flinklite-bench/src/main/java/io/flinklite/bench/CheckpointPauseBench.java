package io.flinklite.bench;

import io.flinklite.api.Sink;
import io.flinklite.api.WindowResult;
import io.flinklite.job.JobSpec;
import io.flinklite.runtime.checkpoint.CheckpointCoordinator;
import io.flinklite.runtime.checkpoint.CheckpointRecovery;
import io.flinklite.runtime.checkpoint.DirectoryCheckpointStore;
import io.flinklite.runtime.checkpoint.Delivery;
import io.flinklite.runtime.checkpoint.TaskCheckpointer;
import io.flinklite.runtime.metrics.JobMetrics;
import io.flinklite.runtime.task.StreamTask;
import io.flinklite.runtime.task.TaskOptions;
import io.flinklite.source.PartitionListener;
import io.flinklite.source.RecordBatch;
import io.flinklite.source.SourceReader;

import java.lang.management.ManagementFactory;
import java.lang.management.ThreadMXBean;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.Comparator;
import java.util.stream.Stream;

/**
 * How long a checkpoint pauses the task thread, with 100 k and 1 M open panes (issue 4; target at most 50 ms at
 * 100 k). Builds a real {@link StreamTask} holding that many open panes (distinct keys, two slide panes each, no
 * window fired), then takes checkpoints through {@link TaskCheckpointer} and reports the task-thread pause (the
 * snapshot: flushing sinks and recording the state into memory) beside the time the writer thread needs to encode,
 * write and fsync the file.
 *
 * <p>Run (it needs only the core module and jackson-core):
 * <pre>
 * mvn -o -q -pl flinklite-bench -am compile
 * mvn -o -q -pl flinklite-core dependency:build-classpath -Dmdep.outputFile=/tmp/cp.txt
 * java -Xmx6g -cp flinklite-bench/target/classes:flinklite-core/target/classes:$(cat /tmp/cp.txt) \
 *     io.flinklite.bench.CheckpointPauseBench [openPanes...]        (default: 100000 1000000)
 * </pre>
 */
public final class CheckpointPauseBench {
    private static final long BASE_MS = 1_700_000_000_000L;
    private static final int CHECKPOINTS = 15;

    private CheckpointPauseBench() {
    }

    public static void main(String[] args) throws Exception {
        long[] sizes = args.length == 0 ? new long[] {100_000, 1_000_000} : Arrays.stream(args).mapToLong(Long::parseLong).toArray();
        System.out.printf("%-12s %-10s %-26s %-16s %-16s %-10s%n", "open panes", "keys", "pause ms (min/med/max)",
                "pause CPU ms med", "write+fsync ms", "file MB");
        for (long panes : sizes) {
            measure((int) panes);
        }
    }

    private static void measure(int panes) throws Exception {
        int keys = panes / 2;
        byte[][] events = new byte[keys * 2][];
        for (int k = 0; k < keys; k++) {
            // Two events per key, in the two slide panes of [BASE, BASE + 10 s): the watermark stays below every window end.
            events[2 * k] = event(k, BASE_MS + 1_000);
            events[2 * k + 1] = event(k, BASE_MS + 6_000);
        }
        JobSpec spec = JobSpec.defaults().withTypes(null);
        JobMetrics metrics = new JobMetrics();
        HoldingSource source = new HoldingSource(events);
        Sink<WindowResult> none = r -> { };
        StreamTask task = StreamTask.forSpec(spec, TaskOptions.replay(), source, none, null,
                (p, o, b, off, len, r, d) -> { }, metrics);
        Path dir = Files.createTempDirectory("flinklite-pause");
        DirectoryCheckpointStore store = new DirectoryCheckpointStore(dir);
        CheckpointRecovery.Recovered fresh = CheckpointRecovery.atLeastOnce(store, spec.fingerprint(), false, 0);
        long[] pauses = new long[CHECKPOINTS];
        long[] cpu = new long[CHECKPOINTS];
        long[] writes = new long[CHECKPOINTS];
        ThreadMXBean threads = ManagementFactory.getThreadMXBean();
        try (TaskCheckpointer checkpointer = new TaskCheckpointer(store, 3_600_000, 0, fresh, "bench", spec.fingerprint(),
                Delivery.AT_LEAST_ONCE, null, CheckpointCoordinator.Committer.NONE,
                CheckpointCoordinator.CompletionListener.NONE, metrics)) {
            task.addHook((t, now) -> {
                if (!source.drained()) {
                    return;
                }
                for (int i = 0; i < CHECKPOINTS; i++) {
                    long cpu0 = threads.getCurrentThreadCpuTime();
                    checkpointer.finalCheckpoint(t, System.currentTimeMillis());
                    // The task thread only waits (parked) after its snapshot: its CPU time is the snapshot's.
                    cpu[i] = threads.getCurrentThreadCpuTime() - cpu0;
                    pauses[i] = checkpointer.lastPauseNanos();
                    writes[i] = metrics.lastCheckpointDurationNanos() - pauses[i];
                }
                t.stop();
            });
            task.run();
        }
        long size = Files.size(store.fileOf(CHECKPOINTS));
        long[] sorted = pauses.clone();
        Arrays.sort(sorted);
        long[] w = writes.clone();
        Arrays.sort(w);
        Arrays.sort(cpu);
        System.out.printf("%-12d %-10d %-26s %-16.1f %-16.1f %-10.1f%n", metrics.openPanes(), keys,
                String.format("%.1f / %.1f / %.1f", sorted[0] / 1e6, sorted[CHECKPOINTS / 2] / 1e6, sorted[CHECKPOINTS - 1] / 1e6),
                cpu[CHECKPOINTS / 2] / 1e6, w[CHECKPOINTS / 2] / 1e6, size / 1e6);
        try (Stream<Path> files = Files.walk(dir)) {
            files.sorted(Comparator.reverseOrder()).forEach(p -> p.toFile().delete());
        }
    }

    private static byte[] event(int key, long ts) {
        return ("{\"id\":" + key + ",\"timestamp\":" + ts + ",\"message\":\"key-" + key + "\"}").getBytes(StandardCharsets.UTF_8);
    }

    /** Serves the events, then empty batches without ending the input (so the windows stay open). */
    private static final class HoldingSource implements SourceReader {
        private final byte[][] events;
        private int next;
        private boolean announced;

        HoldingSource(byte[][] events) {
            this.events = events;
        }

        boolean drained() {
            return next >= events.length;
        }

        @Override
        public boolean poll(RecordBatch batch, PartitionListener listener, long timeoutMs) {
            if (!announced) {
                listener.partitionAssigned(0);
                announced = true;
            }
            int end = Math.min(events.length, next + 4_096);
            for (int i = next; i < end; i++) {
                batch.add(0, i, events[i]);
            }
            next = end;
            return true;
        }

        @Override
        public void close() {
        }
    }
}
