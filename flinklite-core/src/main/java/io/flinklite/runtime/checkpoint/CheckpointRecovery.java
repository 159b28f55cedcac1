package io.flinklite.runtime.checkpoint;

import io.flinklite.job.JobSpec;

import java.io.IOException;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.util.List;
import java.util.Optional;
import java.util.OptionalLong;

/**
 * Decides, once at startup, which checkpoint a job resumes from. Called by the job's launcher before the task thread
 * starts; the answer says which state to restore and which id the run's first checkpoint gets.
 */
public final class CheckpointRecovery {
    private static final System.Logger LOG = System.getLogger(CheckpointRecovery.class.getName());

    private CheckpointRecovery() {
    }

    /** The outcome: the checkpoint to restore (if any) and the id of the run's first checkpoint. */
    public static final class Recovered {
        private final Checkpoint checkpoint;
        private final long nextId;
        private final int skipped;

        Recovered(Checkpoint checkpoint, long nextId) {
            this(checkpoint, nextId, 0);
        }

        Recovered(Checkpoint checkpoint, long nextId, int skipped) {
            this.checkpoint = checkpoint;
            this.nextId = nextId;
            this.skipped = skipped;
        }

        /** How many damaged checkpoints were skipped (each with its warning line) on the way to this one. */
        public int skipped() {
            return skipped;
        }

        /** The checkpoint to restore; empty to start without state. */
        public Optional<Checkpoint> checkpoint() {
            return Optional.ofNullable(checkpoint);
        }

        /** Id of the first checkpoint of this run: above every id on disk or committed, so none is ever reused. */
        public long nextId() {
            return nextId;
        }

        /** The {@link Checkpoint#previousId()} of this run's first checkpoint. */
        public long restoredId() {
            return checkpoint == null ? 0 : checkpoint.id();
        }
    }

    /**
     * At-least-once recovery: the newest valid checkpoint of this job (falling back past damaged ones with a
     * warning), or none. With {@code freshStart}, existing checkpoints are moved aside into a
     * {@code superseded-<time>} subdirectory instead and the job starts without state.
     *
     * @param fingerprint {@link JobSpec#fingerprint()} of the job being started
     * @param nowMs       wall-clock time; names the subdirectory of a fresh start
     * @throws IncompatibleCheckpointException when the newest valid checkpoint was taken by a job with another
     *                                         fingerprint and {@code freshStart} is false
     */
    public static Recovered atLeastOnce(CheckpointStore store, String fingerprint, boolean freshStart, long nowMs)
            throws IOException {
        store.prepare();
        long nextId = store.highestId().orElse(0) + 1;
        if (freshStart) {
            startFresh(store, nowMs);
            return new Recovered(null, nextId);
        }
        CheckpointStore.Found found = store.loadLatest();
        if (found.checkpoint().isEmpty()) {
            if (!found.warnings().isEmpty()) {
                LOG.log(System.Logger.Level.WARNING, "no valid checkpoint in " + store.location()
                        + " (every one is damaged): starting without state");
            }
            return new Recovered(null, nextId, found.warnings().size());
        }
        Checkpoint checkpoint = found.checkpoint().get();
        requireCompatible(checkpoint, fingerprint, store.location());
        return new Recovered(checkpoint, nextId, found.warnings().size());
    }

    /**
     * Exactly-once recovery. Kafka's committed offsets name the last checkpoint whose transaction committed
     * ({@code committedId}); checkpoints written after it were prepared but not committed when the previous run
     * stopped. Each of those whose state continues the committed one ({@link Checkpoint#previousId()}) is committed
     * now, in id order, through {@code rollForward} (its results and offsets, in a new transaction), and the last one
     * is restored. A checkpoint of a run that started without state ({@code previousId} 0) starts a chain of its own
     * when the committed checkpoint is not on disk (a {@code --fresh-start} after it).
     *
     * <p>With {@code freshStart}, the uncommitted checkpoints are still committed first (their results were
     * computed and promised by the previous run), then everything is moved aside and the job starts without state.
     *
     * @param committedId the checkpoint id in Kafka's committed offsets; empty when Kafka records none
     * @throws IncompatibleCheckpointException when the checkpoint to restore was taken by another job
     * @throws UnrecoverableCheckpointException when the committed checkpoint is missing or damaged, or checkpoints
     *                                          exist that Kafka has no record of: restoring anything else would
     *                                          duplicate or lose results
     */
    public static Recovered exactlyOnce(CheckpointStore store, String fingerprint, OptionalLong committedId,
                                        CheckpointCoordinator.Committer rollForward, boolean freshStart, long nowMs)
            throws Exception {
        store.prepare();
        long committed = committedId.orElse(0);
        long nextId = Math.max(store.highestId().orElse(0), committed) + 1;
        Checkpoint chainEnd = null;
        if (committed > 0) {
            try {
                chainEnd = store.load(committed);
            } catch (IOException e) {
                LOG.log(System.Logger.Level.WARNING, "checkpoint " + committed + ", the last one Kafka committed, cannot be read: "
                        + e.getMessage());
            }
        }
        List<Long> ids = store.ids();
        int skipped = 0;
        boolean unchained = false;
        for (int i = ids.size() - 1; i >= 0; i--) {
            long id = ids.get(i);
            if (id <= committed) {
                continue;
            }
            Checkpoint next;
            try {
                next = store.load(id);
            } catch (IOException e) {
                LOG.log(System.Logger.Level.WARNING, "uncommitted checkpoint " + id + " cannot be read (" + e.getMessage()
                        + "): its results are recomputed from the checkpoint before it");
                skipped++;
                break;
            }
            long expectedPrevious = chainEnd == null ? 0 : chainEnd.id();
            if (next.previousId() != expectedPrevious) {
                unchained = true;
                LOG.log(System.Logger.Level.WARNING, "checkpoint " + id + " continues checkpoint " + next.previousId()
                        + ", not " + expectedPrevious + ": not committing it");
                break;
            }
            LOG.log(System.Logger.Level.INFO, "committing checkpoint " + id + " (written, but its transaction had not"
                    + " committed when the previous run stopped): " + next.pendingCount() + " results");
            rollForward.commit(next);
            chainEnd = next;
        }
        if (freshStart) {
            startFresh(store, nowMs);
            return new Recovered(null, nextId);
        }
        if (chainEnd == null && committed == 0 && unchained) {
            // Switching from at-least-once: its checkpoints never commit through Kafka, and their results were
            // written as they fired, so the newest one is a consistent place to continue from.
            Optional<Checkpoint> latest = store.loadLatest().checkpoint();
            if (latest.isPresent() && latest.get().delivery().equals(Delivery.AT_LEAST_ONCE.label())) {
                LOG.log(System.Logger.Level.INFO, "continuing from at-least-once checkpoint " + latest.get().id()
                        + " with exactly-once delivery");
                requireCompatible(latest.get(), fingerprint, store.location());
                return new Recovered(latest.get(), nextId);
            }
        }
        if (chainEnd == null && (committed > 0 || unchained)) {
            throw new UnrecoverableCheckpointException(committed > 0
                    ? "cannot resume exactly-once: checkpoint " + committed + ", the last one committed to Kafka, is missing"
                    + " or damaged in " + store.location() + ". Restoring another would duplicate or lose results. Pass"
                    + " --fresh-start to start without state (results of windows open at the crash are then incomplete)"
                    : "cannot resume exactly-once: " + store.location() + " holds checkpoints but Kafka has no record of"
                    + " committing them (committed offsets expired or deleted?). Pass --fresh-start to start without state");
        }
        if (chainEnd == null) {
            return new Recovered(null, nextId);
        }
        requireCompatible(chainEnd, fingerprint, store.location());
        return new Recovered(chainEnd, nextId, skipped);
    }

    /**
     * Restores exactly the checkpoint in {@code file} ({@code run --restore-from}, Flink's {@code run -s <savepoint>}):
     * a kept one, an older numbered one, or one copied from elsewhere. It must be valid as a restart requires (file,
     * header, state) and taken by this job; nothing else is tried in its place. The run's checkpoints continue in
     * {@code store} with ids above every one there and the restored one's.
     *
     * @throws UnrecoverableCheckpointException naming the file and why it cannot be restored
     * @throws IncompatibleCheckpointException  when it was taken by another job
     */
    public static Recovered fromFile(CheckpointStore store, Path file, String fingerprint) throws IOException {
        store.prepare();
        Checkpoint checkpoint;
        try {
            checkpoint = store.loadFile(file);
        } catch (NoSuchFileException e) {
            throw new UnrecoverableCheckpointException("cannot restore " + file + ": no such file");
        } catch (IOException e) {
            throw new UnrecoverableCheckpointException("cannot restore " + file + ": " + DirectoryCheckpointStore.describe(e));
        }
        if (!checkpoint.jobFingerprint().equals(fingerprint)) {
            throw new IncompatibleCheckpointException("cannot restore " + file + ": checkpoint " + checkpoint.id()
                    + " was taken by a different job (checkpoint vs this job: "
                    + JobSpec.describeDifference(checkpoint.jobFingerprint(), fingerprint)
                    + "). Run with the job settings it was taken with");
        }
        long nextId = Math.max(store.highestId().orElse(0), checkpoint.id()) + 1;
        LOG.log(System.Logger.Level.INFO, "restoring " + file + " (checkpoint " + checkpoint.id() + ", taken "
                + io.flinklite.job.Timestamps.format(checkpoint.timeMs()) + ") as asked by --restore-from");
        return new Recovered(checkpoint, nextId);
    }

    private static void startFresh(CheckpointStore store, long nowMs) throws IOException {
        Optional<String> aside = store.moveAside(nowMs);
        aside.ifPresent(where -> LOG.log(System.Logger.Level.WARNING,
                "--fresh-start: starting without state; earlier checkpoints moved to " + where));
    }

    /**
     * @throws IncompatibleCheckpointException naming each difference, when the fingerprints differ
     */
    public static void requireCompatible(Checkpoint checkpoint, String fingerprint, String dir) {
        if (checkpoint.jobFingerprint().equals(fingerprint)) {
            return;
        }
        throw new IncompatibleCheckpointException("checkpoint " + checkpoint.id() + " in " + dir
                + " was taken by a different job (checkpoint vs this job: "
                + JobSpec.describeDifference(checkpoint.jobFingerprint(), fingerprint)
                + "). Run with the job settings it was taken with, use another --checkpoint-dir, or pass --fresh-start"
                + " to start without state (the old checkpoints are moved aside, not deleted)");
    }
}
