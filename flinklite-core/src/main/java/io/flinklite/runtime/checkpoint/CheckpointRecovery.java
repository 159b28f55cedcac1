package io.flinklite.runtime.checkpoint;

import io.flinklite.job.JobSpec;

import java.io.IOException;
import java.nio.file.Path;
import java.util.Optional;

/**
 * Decides, once at startup, which checkpoint a job resumes from. Called by the job's launcher before the task thread
 * starts.
 */
public final class CheckpointRecovery {
    private static final System.Logger LOG = System.getLogger(CheckpointRecovery.class.getName());

    private CheckpointRecovery() {
    }

    /**
     * The newest valid checkpoint of this job (falling back past damaged ones with a warning), or empty when there is
     * none. With {@code freshStart}, existing checkpoints are moved aside into a {@code superseded-<time>}
     * subdirectory instead, and the job starts without state.
     *
     * @param fingerprint {@link JobSpec#fingerprint()} of the job being started
     * @param nowMs       wall-clock time, names the subdirectory of a fresh start
     * @throws IncompatibleCheckpointException when the newest valid checkpoint was taken by a job with another
     *                                         fingerprint and {@code freshStart} is false
     */
    public static Optional<Checkpoint> restorable(CheckpointStore store, String fingerprint, boolean freshStart, long nowMs)
            throws IOException {
        if (freshStart) {
            Optional<Path> aside = store.moveAside(nowMs);
            aside.ifPresent(dir -> LOG.log(System.Logger.Level.WARNING,
                    "--fresh-start: starting without state; earlier checkpoints moved to " + dir));
            return Optional.empty();
        }
        CheckpointStore.Found found = store.loadLatest();
        if (found.checkpoint().isEmpty()) {
            if (!found.warnings().isEmpty()) {
                LOG.log(System.Logger.Level.WARNING, "no valid checkpoint in " + store.directory()
                        + " (every one is damaged): starting without state");
            }
            return Optional.empty();
        }
        Checkpoint checkpoint = found.checkpoint().get();
        requireCompatible(checkpoint, fingerprint, store.directory());
        return Optional.of(checkpoint);
    }

    /**
     * @throws IncompatibleCheckpointException naming each difference, when the fingerprints differ
     */
    public static void requireCompatible(Checkpoint checkpoint, String fingerprint, Path dir) {
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
