package io.flinklite.runtime.checkpoint;

import io.flinklite.job.JobSpec;
import io.flinklite.runtime.metrics.JobMetrics;
import io.flinklite.runtime.task.StreamTask;
import io.flinklite.runtime.task.TaskOptions;
import io.flinklite.source.DeadLetterHandler;
import io.flinklite.source.PartitionListener;
import io.flinklite.source.RecordBatch;
import io.flinklite.source.SourceReader;

import java.util.Optional;

/**
 * Checks that a checkpoint's state restores, before the job commits to it: {@code run} (through
 * {@link CheckpointRecovery}) and {@code checkpoint inspect} use this one check, so inspect's "valid" means a restart
 * can restore it.
 *
 * <p>For a built-in job (its fingerprint names a {@link JobSpec}, see {@link JobSpec#fromFingerprint}) the state is
 * restored into a throwaway task of that job, with no input and no outputs: every check a restore makes is made
 * (fingerprint, window and lateness, key groups, each key's group, field names and types, pane order). The throwaway
 * task is garbage once the check returns, so a restart's peak memory is one restored state, not two; the cost is
 * restoring twice at start.
 *
 * <p>A user job's state needs its classes, which {@code inspect} does not load: it gets the structural checks that do
 * not depend on the job (each key group in [0, {@value io.flinklite.runtime.state.KeyGroups#COUNT}) and each key in the group its hash gives,
 * partitions and offsets not negative; see {@link StateSummary#problem()}); the real restore checks the rest and a failure there is one line naming
 * the checkpoint.
 */
public final class RestoreCheck implements CheckpointValidator {

    /** The check for any checkpoint, by its own fingerprint. */
    public static final RestoreCheck INSTANCE = new RestoreCheck();

    private RestoreCheck() {
    }

    /** Whether {@link #validate} restores the state into a task ({@code true}) or only checks its structure. */
    public static boolean restoresFully(Checkpoint checkpoint) {
        return JobSpec.fromFingerprint(checkpoint.jobFingerprint()).isPresent();
    }

    @Override
    public void validate(Checkpoint checkpoint) throws CorruptCheckpointException {
        try {
            Optional<String> problem = StateSummary.of(checkpoint.state()).problem();
            if (problem.isPresent()) {
                throw new CorruptCheckpointException(problem.get());
            }
            Optional<JobSpec> spec = JobSpec.fromFingerprint(checkpoint.jobFingerprint());
            if (spec.isPresent()) {
                try (StreamTask task = StreamTask.forSpec(spec.get(), TaskOptions.defaults(), NoInput.INSTANCE,
                        result -> { }, null, DeadLetterHandler.DISCARD, new JobMetrics())) {
                    TaskCheckpointer.restore(task, checkpoint);
                }
            }
        } catch (CorruptCheckpointException e) {
            throw e;
        } catch (Exception e) {
            // A restore failure, or (a task of built-in operators only) a failed close: either way not restorable.
            throw new CorruptCheckpointException("its state cannot be restored: " + e.getMessage(), e);
        }
    }

    /** The throwaway task's input: nothing, ever; it is only restored, never run. */
    private enum NoInput implements SourceReader {
        INSTANCE;

        @Override
        public boolean poll(RecordBatch batch, PartitionListener listener, long timeoutMs) {
            return false;
        }

        @Override
        public void close() {
        }
    }
}
