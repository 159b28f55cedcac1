package io.flinklite.runtime.checkpoint;

/**
 * Checks a decoded checkpoint beyond its file format: that its state can really be restored. Called by
 * {@link CheckpointStore#loadLatest()} and {@link CheckpointStore#load} on each candidate, newest first, so that a checkpoint
 * with a valid checksum but impossible content is skipped like a damaged one. Any thread; must not change the
 * checkpoint.
 */
@FunctionalInterface
public interface CheckpointValidator {

    /** Accepts every checkpoint whose file is intact. */
    CheckpointValidator NONE = checkpoint -> { };

    /** @throws CorruptCheckpointException naming what cannot be restored, in one line */
    void validate(Checkpoint checkpoint) throws CorruptCheckpointException;
}
