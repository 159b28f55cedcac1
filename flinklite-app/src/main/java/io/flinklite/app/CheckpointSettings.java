package io.flinklite.app;

import io.flinklite.runtime.checkpoint.DirectoryCheckpointStore;
import io.flinklite.runtime.checkpoint.Delivery;

import java.nio.file.Path;
import java.util.Objects;

/**
 * How a job checkpoints: where, how often, with which delivery guarantee, and whether to ignore existing checkpoints.
 * Immutable.
 */
public final class CheckpointSettings {
    private final Path dir;
    private final long intervalMs;
    private final Delivery delivery;
    private final boolean freshStart;
    private final String transactionalId;
    private final Path restoreFrom;

    /**
     * @param transactionalId the Kafka transactional.id of exactly-once output; {@code null} for the default,
     *                        derived from the consumer group and input topic (stable across restarts)
     * @param restoreFrom     the one checkpoint file to restore ({@code --restore-from}); {@code null} to restore the
     *                        newest valid one of {@code dir}
     */
    public CheckpointSettings(Path dir, long intervalMs, Delivery delivery, boolean freshStart, String transactionalId,
                              Path restoreFrom) {
        if (freshStart && restoreFrom != null) {
            throw new IllegalArgumentException("--fresh-start and --restore-from exclude each other: start without state, or from "
                    + restoreFrom);
        }
        this.dir = Objects.requireNonNull(dir, "dir");
        if (intervalMs <= 0) {
            throw new IllegalArgumentException("--checkpoint-interval must be positive, got " + intervalMs + " ms");
        }
        this.intervalMs = intervalMs;
        this.delivery = Objects.requireNonNull(delivery, "delivery");
        this.freshStart = freshStart;
        this.transactionalId = transactionalId;
        this.restoreFrom = restoreFrom;
    }

    /** @see #CheckpointSettings(Path, long, Delivery, boolean, String, Path) */
    public CheckpointSettings(Path dir, long intervalMs, Delivery delivery, boolean freshStart, String transactionalId) {
        this(dir, intervalMs, delivery, freshStart, transactionalId, null);
    }

    public Path dir() { return dir; }
    public long intervalMs() { return intervalMs; }
    public Delivery delivery() { return delivery; }
    public boolean freshStart() { return freshStart; }
    /** The checkpoint file {@code --restore-from} names; {@code null} when not given. */
    public Path restoreFrom() { return restoreFrom; }

    /** The transactional.id to use for a job reading {@code inputTopic} in {@code groupId}. */
    public String transactionalId(String groupId, String inputTopic) {
        return transactionalId != null ? transactionalId : "flinklite-" + groupId + "-" + inputTopic;
    }

    public DirectoryCheckpointStore store() {
        return new DirectoryCheckpointStore(dir);
    }
}
