package io.flinklite.runtime.task;

import io.flinklite.runtime.checkpoint.Checkpoint;
import io.flinklite.runtime.checkpoint.CheckpointStore;
import io.flinklite.runtime.checkpoint.IncompatibleCheckpointException;
import io.flinklite.runtime.checkpoint.SourcePosition;
import io.flinklite.runtime.checkpoint.StateTape;
import io.flinklite.runtime.checkpoint.TapeStateReader;
import io.flinklite.runtime.checkpoint.TapeStateWriter;
import io.flinklite.runtime.checkpoint.TaskId;
import io.flinklite.runtime.state.Snapshottable;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.util.ArrayList;
import java.util.Collection;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.OptionalLong;
import java.util.TreeMap;
import java.util.function.Function;

/**
 * The tasks one instance of a scaled-out job owns: one per partition Kafka's group assignment gave it (a source
 * task per input partition, a keyed task per repartition partition), each with its own state and its own snapshots
 * in its own {@link CheckpointStore} ({@link TaskId#key()}), so that a partition that moves takes its state along.
 *
 * <p>Lifecycle of a task, driven by the consumer's rebalance callbacks and the task loop, all on the task thread:
 * <ul>
 *   <li>{@link #assigned}: a fresh task is created, its store {@link CheckpointStore#prepare() prepared}, its newest
 *       valid snapshot restored; the returned offsets are where its partition must resume (the snapshot's; a task
 *       without snapshot is absent, and resumes at the group's committed offset or the start-from policy);</li>
 *   <li>{@link #checkpointAll} (periodic) and {@link #revoked}: the task's sinks are flushed FIRST (at-least-once: what
 *       a snapshot has consumed is durable downstream before it is), then its snapshot is written; the returned
 *       positions are then committed by the caller. A revoked task is closed and forgotten.</li>
 * </ul>
 * A task's snapshot ids continue above the highest its store holds, so a task that moves back and forth between
 * instances never reuses an id, and each snapshot's {@code previousId} chains to the one it continues.
 *
 * @param <T> the task type
 */
public final class TaskManager<T extends TaskManager.Task> implements AutoCloseable {

    /** One partition's share of the job, as the manager needs it. */
    public interface Task extends Snapshottable {
        /** Makes what the task has emitted so far durable (results, repartition records). */
        void flush() throws Exception;

        /**
         * Where each partition the task reads resumes (one partition for every task today): the offset after the
         * last record its state holds. A partition the task has neither processed nor restored a position of is
         * left out: its state is then empty, and its next owner resumes at the group's committed offset.
         */
        List<SourcePosition> positions();

        /** The task's watermark, recorded with its snapshot; {@link Long#MIN_VALUE} when none yet. */
        long watermarkMs();

        /** Releases what the task holds; it is not used again. */
        default void close() { }
    }

    /** What the manager has done, for the status line and {@code /metrics}. Immutable. */
    public record Stats(int ownedTasks, long rebalances, long restores, long restoreNanos, long restoredBytes,
                        long snapshots, long snapshotBytes) { }

    private final Function<TaskId, T> tasks;
    private final Function<TaskId, CheckpointStore> stores;
    private final String fingerprint;
    private final String delivery;
    private final Map<TaskId, Owned<T>> owned = new TreeMap<>();
    private long rebalances;
    private long restores;
    private long restoreNanos;
    private long restoredBytes;
    private long snapshots;
    private long snapshotBytes;

    private static final class Owned<T> {
        final T task;
        final CheckpointStore store;
        long lastId;

        Owned(T task, CheckpointStore store, long lastId) {
            this.task = task;
            this.store = store;
            this.lastId = lastId;
        }
    }

    /**
     * @param tasks       creates the (fresh, stateless) task of a partition
     * @param stores      the store of a task's snapshots; each task gets its own, closed when it is revoked if it is
     *                    {@link AutoCloseable}
     * @param fingerprint what shapes the tasks' state: a snapshot of another fingerprint is refused on restore
     * @param delivery    the delivery label recorded with each snapshot
     */
    public TaskManager(Function<TaskId, T> tasks, Function<TaskId, CheckpointStore> stores, String fingerprint,
                       String delivery) {
        this.tasks = Objects.requireNonNull(tasks, "tasks");
        this.stores = Objects.requireNonNull(stores, "stores");
        this.fingerprint = Objects.requireNonNull(fingerprint, "fingerprint");
        this.delivery = Objects.requireNonNull(delivery, "delivery");
    }

    /**
     * Takes on the tasks of newly assigned partitions, each restored from its newest valid snapshot. Partitions
     * already owned are left as they are (a cooperative rebalance re-confirms them).
     *
     * @return by task, the next offset of each partition the restored snapshot names: where to seek
     * @throws IllegalStateException naming the task and its store when a snapshot of another job is found, or the
     *                               store cannot be read
     */
    public Map<TaskId, List<SourcePosition>> assigned(Collection<TaskId> ids) {
        rebalances++;
        Map<TaskId, List<SourcePosition>> seek = new TreeMap<>();
        for (TaskId id : ids) {
            if (owned.containsKey(id)) {
                continue;
            }
            long start = System.nanoTime();
            CheckpointStore store = stores.apply(id);
            T task = tasks.apply(id);
            long lastId;
            try {
                store.prepare();
                CheckpointStore.Found found = store.loadLatest();
                OptionalLong highest = store.highestId();
                lastId = highest.isPresent() ? highest.getAsLong() : 0;
                if (found.checkpoint().isPresent()) {
                    Checkpoint cp = found.checkpoint().get();
                    if (!cp.jobFingerprint().equals(fingerprint)) {
                        throw new IncompatibleCheckpointException("task " + id + ": snapshot " + cp.id() + " in "
                                + store.location() + " was taken by another job (" + cp.jobFingerprint() + "), this job"
                                + " is " + fingerprint + ". Every instance of a group must run the same job flags:"
                                + " stop the other instances if they still run, or give this job another --group-id,"
                                + " or --fresh-start to start it without the group's snapshots");
                    }
                    TapeStateReader in = new TapeStateReader(cp.state());
                    in.beginObject(null);
                    task.restoreState(in);
                    in.endObject();
                    seek.put(id, cp.sources());
                    restores++;
                    restoredBytes += cp.state().byteSize();
                }
            } catch (IOException e) {
                closeQuietly(task, store);
                throw new UncheckedIOException("task " + id + ": cannot read its snapshots in " + store.location()
                        + ": " + e.getMessage(), e);
            } catch (RuntimeException e) {
                closeQuietly(task, store);
                throw e;
            }
            restoreNanos += System.nanoTime() - start;
            owned.put(id, new Owned<>(task, store, lastId));
        }
        return seek;
    }

    /**
     * Gives up the tasks of revoked partitions: each is flushed, snapshotted and closed.
     *
     * @return the positions of the snapshots just written, to commit to the group before the partitions move
     */
    public List<SourcePosition> revoked(Collection<TaskId> ids, long nowMs) throws Exception {
        rebalances++;
        List<SourcePosition> out = new ArrayList<>();
        for (TaskId id : ids) {
            Owned<T> o = owned.remove(id);
            if (o == null) {
                continue;
            }
            try {
                out.addAll(snapshot(o, nowMs).sources());
            } finally {
                closeQuietly(o.task, o.store);
            }
        }
        return out;
    }

    /**
     * Partitions lost without a chance to hand them over (the session expired: another instance may own them
     * already): the tasks are closed without a snapshot, so nothing written here can overwrite the new owner's.
     */
    public void lost(Collection<TaskId> ids) {
        rebalances++;
        dropped(ids);
    }

    /**
     * Revoked partitions whose tasks' last snapshot the caller has just committed (exactly-once: one transaction
     * took every owned task's snapshot before the revocation): closed without another snapshot.
     */
    public void released(Collection<TaskId> ids) {
        rebalances++;
        dropped(ids);
    }

    /**
     * Tasks whose in-memory state must not go on (exactly-once: it holds effects of an aborted transaction, or the
     * snapshot it was restored from is older than what the group committed): closed without a snapshot, to be
     * re-created by {@link #assigned} from what is committed. Not a rebalance.
     */
    public void dropped(Collection<TaskId> ids) {
        for (TaskId id : ids) {
            Owned<T> o = owned.remove(id);
            if (o != null) {
                closeQuietly(o.task, o.store);
            }
        }
    }

    /**
     * Snapshots every owned task (the periodic checkpoint and the final one of a clean stop).
     *
     * @return the positions of the snapshots written, to commit
     */
    public List<SourcePosition> checkpointAll(long nowMs) throws Exception {
        List<SourcePosition> out = new ArrayList<>();
        for (Owned<T> o : owned.values()) {
            out.addAll(snapshot(o, nowMs).sources());
        }
        return out;
    }

    private Checkpoint snapshot(Owned<T> o, long nowMs) throws Exception {
        // Output first: a snapshot must never claim input whose results could still be lost.
        o.task.flush();
        TapeStateWriter out = new TapeStateWriter(4_096, 256);
        out.beginObject(null);
        o.task.snapshotState(out);
        out.endObject();
        StateTape state = out.finish();
        long id = o.lastId + 1;
        Checkpoint cp = new Checkpoint(id, o.lastId, nowMs, fingerprint, delivery, o.task.positions(),
                o.task.watermarkMs(), state, List.of());
        snapshotBytes += o.store.write(cp);
        snapshots++;
        o.lastId = id;
        return cp;
    }

    /** The task of partition {@code id}, or null when this instance does not own it. */
    public T task(TaskId id) {
        Owned<T> o = owned.get(id);
        return o == null ? null : o.task;
    }

    /** The owned tasks, in key order (a copy). */
    public List<TaskId> ownedTasks() {
        return new ArrayList<>(owned.keySet());
    }

    public Stats stats() {
        return new Stats(owned.size(), rebalances, restores, restoreNanos, restoredBytes, snapshots, snapshotBytes);
    }

    /** Closes every owned task and store without snapshotting (a clean stop calls {@link #checkpointAll} first). */
    @Override
    public void close() {
        for (Owned<T> o : owned.values()) {
            closeQuietly(o.task, o.store);
        }
        owned.clear();
    }

    private static void closeQuietly(Task task, CheckpointStore store) {
        try {
            task.close();
        } catch (RuntimeException ignored) {
            // Closing is best effort: the task is dropped either way.
        }
        if (store instanceof AutoCloseable) {
            try {
                ((AutoCloseable) store).close();
            } catch (Exception ignored) {
                // As above.
            }
        }
    }
}
