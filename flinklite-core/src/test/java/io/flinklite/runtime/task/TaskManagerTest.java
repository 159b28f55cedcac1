package io.flinklite.runtime.task;

import io.flinklite.runtime.checkpoint.CheckpointValidator;
import io.flinklite.runtime.checkpoint.DirectoryCheckpointStore;
import io.flinklite.runtime.checkpoint.IncompatibleCheckpointException;
import io.flinklite.runtime.checkpoint.SourcePosition;
import io.flinklite.runtime.checkpoint.TaskId;
import io.flinklite.runtime.state.StateReader;
import io.flinklite.runtime.state.StateWriter;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

class TaskManagerTest {

    /** A task counting what it saw of its partition, and where it stands in it. */
    static final class CountingTask implements TaskManager.Task {
        final TaskId id;
        final List<String> events;
        long sum;
        long nextOffset;
        long watermark = Long.MIN_VALUE;

        CountingTask(TaskId id, List<String> events) {
            this.id = id;
            this.events = events;
        }

        void process(long value) {
            sum += value;
            nextOffset++;
            watermark = nextOffset * 10;
        }

        @Override
        public void flush() {
            events.add("flush " + id);
        }

        @Override
        public List<SourcePosition> positions() {
            return List.of(new SourcePosition(id.topic(), id.partition(), nextOffset, watermark));
        }

        @Override
        public long watermarkMs() {
            return watermark;
        }

        @Override
        public void snapshotState(StateWriter out) {
            events.add("snapshot " + id);
            out.writeLong("sum", sum);
            out.writeLong("next", nextOffset);
        }

        @Override
        public void restoreState(StateReader in) {
            sum = in.readLong("sum");
            nextOffset = in.readLong("next");
        }
    }

    private static TaskManager<CountingTask> manager(Path root, List<String> events, String fingerprint) {
        return new TaskManager<>(id -> new CountingTask(id, events),
                id -> new DirectoryCheckpointStore(id.directoryIn(root), 3, CheckpointValidator.NONE), fingerprint,
                "at-least-once");
    }

    @Test
    void aRevokedTaskIsFlushedThenSnapshottedAndItsNextOwnerRestoresItAndSeeksToItsOffset(@TempDir Path root)
            throws Exception {
        List<String> events = new ArrayList<>();
        TaskId p0 = new TaskId("in", 0);
        TaskId p1 = new TaskId("in", 1);
        TaskManager<CountingTask> first = manager(root, events, "job");
        assertTrue(first.assigned(List.of(p0, p1)).isEmpty(), "nothing to restore on a first start");
        for (int i = 1; i <= 5; i++) {
            first.task(p0).process(i);
        }
        first.task(p1).process(100);

        List<SourcePosition> committed = first.revoked(List.of(p0), 1_000);
        assertEquals(List.of("flush in/0", "snapshot in/0"), events, "output durable before the snapshot");
        assertEquals(List.of(new SourcePosition("in", 0, 5, 50)), committed);
        assertNull(first.task(p0));
        assertEquals(List.of(p1), first.ownedTasks());
        assertTrue(Files.exists(root.resolve("in").resolve("0").resolve(DirectoryCheckpointStore.LATEST)),
                "a subdirectory per task");
        assertFalse(Files.exists(root.resolve("in").resolve("1")), "p1 was never snapshotted");

        // Another instance, sharing the directory, is assigned p0: it resumes with p0's state, at p0's offset.
        TaskManager<CountingTask> second = manager(root, new ArrayList<>(), "job");
        Map<TaskId, List<SourcePosition>> seek = second.assigned(List.of(p0));
        assertEquals(List.of(new SourcePosition("in", 0, 5, 50)), seek.get(p0));
        assertEquals(15, second.task(p0).sum);
        second.task(p0).process(6);
        second.checkpointAll(2_000);
        second.revoked(List.of(p0), 3_000);
        TaskManager.Stats stats = second.stats();
        assertEquals(1, stats.restores());
        assertTrue(stats.restoredBytes() > 0);
        assertEquals(2, stats.snapshots());
        assertEquals(0, stats.ownedTasks());
        // Ids keep counting per task across owners.
        assertEquals(List.of(3L, 2L, 1L), new DirectoryCheckpointStore(p0.directoryIn(root), 3, CheckpointValidator.NONE).ids());

        TaskManager<CountingTask> third = manager(root, new ArrayList<>(), "job");
        third.assigned(List.of(p0));
        assertEquals(21, third.task(p0).sum);
        assertEquals(6, third.task(p0).nextOffset);
    }

    @Test
    void aLostTaskIsNotSnapshottedSoItCannotOverwriteTheNewOwnersState(@TempDir Path root) throws Exception {
        List<String> events = new ArrayList<>();
        TaskId p0 = new TaskId("in", 0);
        TaskManager<CountingTask> m = manager(root, events, "job");
        m.assigned(List.of(p0));
        m.task(p0).process(1);
        m.lost(List.of(p0));
        assertTrue(events.isEmpty());
        assertFalse(Files.exists(p0.directoryIn(root)));
        assertTrue(m.ownedTasks().isEmpty());
    }

    @Test
    void aDroppedTaskIsRecreatedFromItsLastSnapshotNotFromWhatItDidSince(@TempDir Path root) throws Exception {
        List<String> events = new ArrayList<>();
        TaskId p0 = new TaskId("in", 0);
        TaskManager<CountingTask> m = manager(root, events, "job");
        m.assigned(List.of(p0));
        m.task(p0).process(1);
        m.checkpointAll(1_000);
        m.task(p0).process(2); // an effect of a transaction that is then aborted
        long rebalances = m.stats().rebalances();
        events.clear();
        m.dropped(List.of(p0));
        assertTrue(events.isEmpty(), "no flush, no snapshot");
        assertNull(m.task(p0));
        assertEquals(rebalances, m.stats().rebalances(), "not a rebalance");

        assertEquals(List.of(new SourcePosition("in", 0, 1, 10)), m.assigned(List.of(p0)).get(p0));
        assertEquals(1, m.task(p0).sum);
        m.task(p0).process(5);
        m.checkpointAll(2_000);
        m.released(List.of(p0));
        assertTrue(m.ownedTasks().isEmpty());
        assertEquals(List.of(2L, 1L), new DirectoryCheckpointStore(p0.directoryIn(root), 3, CheckpointValidator.NONE)
                .ids(), "released after its snapshot: none more written");
    }

    @Test
    void aSnapshotOfAnotherJobIsRefusedNamingTheTaskAndTheStore(@TempDir Path root) throws Exception {
        TaskId p0 = new TaskId("in", 0);
        TaskManager<CountingTask> m = manager(root, new ArrayList<>(), "job-a");
        m.assigned(List.of(p0));
        m.checkpointAll(1_000);
        // An IllegalArgumentException: the CLI shows its message as one line.
        IncompatibleCheckpointException e = assertThrows(IncompatibleCheckpointException.class,
                () -> manager(root, new ArrayList<>(), "job-b").assigned(List.of(p0)));
        assertTrue(e.getMessage().contains("task in/0") && e.getMessage().contains("job-a"), e.getMessage());
    }

    @Test
    void taskKeysReadBack() {
        assertEquals(new TaskId("g-repartition", 7), TaskId.parse("g-repartition/7"));
        assertEquals("a.b/0", new TaskId("a.b", 0).key());
        assertThrows(IllegalArgumentException.class, () -> TaskId.parse("in/*"));
        assertThrows(IllegalArgumentException.class, () -> new TaskId("..", 0));
    }
}
