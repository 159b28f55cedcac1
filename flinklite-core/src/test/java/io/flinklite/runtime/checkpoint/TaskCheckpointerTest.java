package io.flinklite.runtime.checkpoint;

import io.flinklite.api.Sink;
import io.flinklite.api.WindowResult;
import io.flinklite.job.JobSpec;
import io.flinklite.runtime.metrics.JobMetrics;
import io.flinklite.runtime.task.StreamTask;
import io.flinklite.runtime.task.TaskOptions;
import io.flinklite.source.PartitionListener;
import io.flinklite.source.RecordBatch;
import io.flinklite.source.SourceReader;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.OptionalLong;
import java.util.Random;
import java.util.concurrent.atomic.AtomicLong;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * Crash and restore of a real {@link StreamTask} through checkpoints, without Kafka: a task is "killed" (its run
 * aborted by an exception from a hook) after a random number of batches, a fresh task restores what recovery
 * chooses, and the union of outputs is compared with an uninterrupted run.
 */
class TaskCheckpointerTest {

    @TempDir
    Path dir;

    private final JobSpec spec = JobSpec.defaults();
    private static final String TOPIC = "in";

    /** 3 partitions of disordered events (disorder inside the 5 s bound), ids counting up. */
    private static byte[][][] events(int perPartition, long seed) {
        Random random = new Random(seed);
        String[] types = {"important", "critical", "normal"};
        byte[][][] out = new byte[3][perPartition][];
        long id = 0;
        for (int p = 0; p < 3; p++) {
            for (int i = 0; i < perPartition; i++) {
                long ts = 1_700_000_000_000L + i * 20L - random.nextInt(4_000);
                out[p][i] = ("{\"id\":" + id++ + ",\"timestamp\":" + ts + ",\"message\":\"" + types[random.nextInt(3)] + "\"}")
                        .getBytes(StandardCharsets.UTF_8);
            }
        }
        return out;
    }

    /** A bounded in-memory source: round-robin batches over partitions; offset = index; restorable positions. */
    private static final class MemorySource implements SourceReader {
        private final byte[][][] partitions;
        private final long[] next;
        private final AtomicLong polled;
        /** The first offset read from each partition, -1 before any. */
        final long[] firstRead;
        private boolean announced;

        MemorySource(byte[][][] partitions, AtomicLong polled) {
            this.partitions = partitions;
            this.next = new long[partitions.length];
            this.polled = polled;
            this.firstRead = new long[partitions.length];
            java.util.Arrays.fill(firstRead, -1);
        }

        @Override
        public boolean poll(RecordBatch batch, PartitionListener listener, long timeoutMs) {
            if (!announced) {
                for (int p = 0; p < partitions.length; p++) listener.partitionAssigned(p);
                announced = true;
            }
            boolean any = false;
            for (int p = 0; p < partitions.length; p++) {
                long end = Math.min(partitions[p].length, next[p] + 97);
                if (firstRead[p] < 0 && next[p] < end) {
                    firstRead[p] = next[p];
                }
                for (long i = next[p]; i < end; i++) {
                    batch.add(p, i, partitions[p][(int) i]);
                    polled.incrementAndGet();
                    any = true;
                }
                next[p] = end;
            }
            return any;
        }

        @Override
        public void restorePositions(Map<Integer, Long> nextOffsets) {
            nextOffsets.forEach((p, o) -> next[p] = o);
        }

        @Override
        public String topicOf(int partition) {
            return TOPIC;
        }

        @Override
        public void close() {
        }
    }

    private static final class ListSink implements Sink<WindowResult> {
        final List<WindowResult> results = new ArrayList<>();

        @Override
        public void write(WindowResult r) {
            results.add(r);
        }
    }

    private static final class Crash extends RuntimeException {
        private static final long serialVersionUID = 1L;
    }

    private TaskOptions options(AtomicLong clock) {
        return TaskOptions.replay().withClock(() -> clock.addAndGet(700));
    }

    private List<WindowResult> uninterrupted(byte[][][] input) throws Exception {
        AtomicLong polled = new AtomicLong();
        ListSink sink = new ListSink();
        StreamTask task = StreamTask.forSpec(spec, options(new AtomicLong()), new MemorySource(input, polled), sink, null,
                (p, o, b, off, len, r, d) -> { }, new JobMetrics());
        task.run();
        return sink.results;
    }

    /** Counts results by identity (key, window, contents). */
    private static Map<WindowResult, Integer> counts(List<WindowResult> results) {
        Map<WindowResult, Integer> c = new HashMap<>();
        results.forEach(r -> c.merge(r, 1, Integer::sum));
        return c;
    }

    @Test
    void atLeastOnceRestoresLosingNothingAndRepeatsOnlyIdenticalResults() throws Exception {
        byte[][][] input = events(30_000, 1); // 310 batches: more than 6 runs of at most 45 batches, so every planned crash happens
        List<WindowResult> expected = uninterrupted(input);
        assertThat(expected).hasSizeGreaterThan(50);
        Random random = new Random(7);
        ListSink output = new ListSink();
        AtomicLong clock = new AtomicLong();
        AtomicLong polled = new AtomicLong();
        boolean finished = false;
        int crashes = 0;
        int restores = 0;
        while (!finished) {
            JobMetrics metrics = new JobMetrics();
            DirectoryCheckpointStore store = new DirectoryCheckpointStore(dir);
            CheckpointRecovery.Recovered recovered = CheckpointRecovery.atLeastOnce(store, spec.fingerprint(), false, clock.get());
            restores += recovered.checkpoint().isPresent() ? 1 : 0;
            MemorySource source = new MemorySource(input, polled);
            StreamTask task = StreamTask.forSpec(spec, options(clock), source, output, null,
                    (p, o, b, off, len, r, d) -> { }, metrics);
            recovered.checkpoint().ifPresent(c -> TaskCheckpointer.restore(task, c));
            TaskCheckpointer checkpointer = new TaskCheckpointer(store, 5_000, clock.get(), recovered, TOPIC,
                    spec.fingerprint(), Delivery.AT_LEAST_ONCE, null, CheckpointCoordinator.Committer.NONE,
                    CheckpointCoordinator.CompletionListener.NONE, metrics);
            task.addHook(checkpointer);
            int crashAfter = crashes < 5 ? 5 + random.nextInt(40) : Integer.MAX_VALUE;
            int[] batches = {0};
            task.addHook((t, now) -> {
                if (++batches[0] >= crashAfter) throw new Crash();
            });
            try {
                task.run();
                finished = true;
            } catch (Crash e) {
                crashes++;
            } finally {
                checkpointer.close(); // a write in flight completes: as if the crash came just after it
            }
            // The run resumed exactly at the restored offsets.
            for (SourcePosition p : recovered.checkpoint().map(Checkpoint::sources).orElse(List.of())) {
                assertThat(source.firstRead[p.partition()]).isEqualTo(p.nextOffset());
            }
        }

        assertThat(crashes).isEqualTo(5);
        assertThat(restores).isGreaterThanOrEqualTo(4);
        Map<WindowResult, Integer> got = counts(output.results);
        assertThat(got.keySet()).as("no result missing, none altered").isEqualTo(counts(expected).keySet());
        assertThat(output.results.size()).as("crashes repeat some results").isGreaterThan(expected.size());
    }

    @Test
    void exactlyOnceCommitsEachResultOnceAcrossCrashes() throws Exception {
        byte[][][] input = events(30_000, 2);
        List<WindowResult> expected = uninterrupted(input);
        Random random = new Random(11);
        // The fake Kafka: what transactions committed, and the checkpoint id in the committed offsets.
        List<WindowResult> committed = new ArrayList<>();
        AtomicLong committedId = new AtomicLong();
        CheckpointCoordinator.Committer kafka = c -> {
            committed.addAll(c.pendingResults());
            committedId.set(c.id());
        };
        AtomicLong clock = new AtomicLong();
        AtomicLong polled = new AtomicLong();
        boolean finished = false;
        int crashes = 0;
        while (!finished) {
            JobMetrics metrics = new JobMetrics();
            DirectoryCheckpointStore store = new DirectoryCheckpointStore(dir);
            long c0 = committedId.get();
            CheckpointRecovery.Recovered recovered = CheckpointRecovery.exactlyOnce(store, spec.fingerprint(),
                    c0 == 0 ? OptionalLong.empty() : OptionalLong.of(c0), kafka, false, clock.get());
            PendingResults<WindowResult> pending = new PendingResults<>();
            StreamTask task = StreamTask.forSpec(spec, options(clock), new MemorySource(input, polled), pending, null,
                    (p, o, b, off, len, r, d) -> { }, metrics);
            recovered.checkpoint().ifPresent(c -> TaskCheckpointer.restore(task, c));
            // Some crashes come between the durable write and the commit: the commit of that checkpoint is lost.
            boolean loseNextCommit = crashes % 2 == 1;
            boolean[] crashed = {false};
            CheckpointCoordinator.Committer flaky = c -> {
                if (crashed[0] || (loseNextCommit && c.id() > recovered.nextId())) {
                    crashed[0] = true;
                    throw new Crash();
                }
                kafka.commit(c);
            };
            TaskCheckpointer checkpointer = new TaskCheckpointer(store, 5_000, clock.get(), recovered, TOPIC,
                    spec.fingerprint(), Delivery.EXACTLY_ONCE, pending, flaky,
                    CheckpointCoordinator.CompletionListener.NONE, metrics);
            task.addHook(checkpointer);
            int crashAfter = crashes < 6 ? 5 + random.nextInt(40) : Integer.MAX_VALUE;
            int[] batches = {0};
            task.addHook((t, now) -> {
                if (++batches[0] >= crashAfter) throw new Crash();
            });
            try {
                task.run();
                checkpointer.finalCheckpoint(task, clock.get());
                finished = true;
            } catch (RuntimeException e) {
                crashes++;
            } finally {
                try {
                    checkpointer.close();
                } catch (RuntimeException ignored) {
                    // the lost commit of a crashed run
                }
            }
        }

        assertThat(crashes).isGreaterThanOrEqualTo(6);
        assertThat(counts(committed)).isEqualTo(counts(expected));
        assertThat(committed).hasSameSizeAs(expected);
    }
}
