package io.flinklite.app;

import io.flinklite.connector.kafka.KafkaCheckpointStore;
import io.flinklite.runtime.checkpoint.DirectoryCheckpointStore;
import io.flinklite.runtime.checkpoint.Delivery;

import java.nio.file.Path;
import java.util.Objects;

/**
 * How a job checkpoints: where, how often, with which delivery guarantee, and whether to ignore existing checkpoints.
 * Immutable.
 */
public final class CheckpointSettings {

    /** Where checkpoints are kept ({@code --checkpoint-store}). */
    public enum Store {
        /** Files in {@code --checkpoint-dir}. */
        DIR("dir"),
        /** A compacted Kafka topic, {@code --checkpoint-topic} or {@code <group-id>-checkpoints}. */
        KAFKA("kafka");

        private final String label;

        Store(String label) {
            this.label = label;
        }

        /** The flag value. */
        public String label() {
            return label;
        }

        /**
         * @throws IllegalArgumentException naming the flag and the values it takes
         */
        public static Store parse(String value) {
            for (Store s : values()) {
                if (s.label.equalsIgnoreCase(value.trim())) {
                    return s;
                }
            }
            throw new IllegalArgumentException("bad checkpoint store '" + value + "': expected dir or kafka");
        }
    }

    private final Path dir;
    private final Store store;
    private final String checkpointTopic;
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
        this(dir, intervalMs, delivery, freshStart, transactionalId, restoreFrom, Store.DIR, null);
    }

    /**
     * As the constructor without them, and:
     *
     * @param store           where checkpoints are kept
     * @param checkpointTopic the topic of {@link Store#KAFKA}; {@code null} for {@code <group-id>-checkpoints}
     */
    public CheckpointSettings(Path dir, long intervalMs, Delivery delivery, boolean freshStart, String transactionalId,
                              Path restoreFrom, Store store, String checkpointTopic) {
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
        this.store = Objects.requireNonNull(store, "store");
        if (checkpointTopic != null && store != Store.KAFKA) {
            throw new IllegalArgumentException("--checkpoint-topic names the topic of --checkpoint-store kafka; this job"
                    + " keeps its checkpoints in --checkpoint-dir");
        }
        this.checkpointTopic = checkpointTopic;
    }

    /** @see #CheckpointSettings(Path, long, Delivery, boolean, String, Path) */
    public CheckpointSettings(Path dir, long intervalMs, Delivery delivery, boolean freshStart, String transactionalId) {
        this(dir, intervalMs, delivery, freshStart, transactionalId, null);
    }

    /** The checkpoint directory; with {@link Store#KAFKA} it only seeds the default {@code --instance-id}. */
    public Path dir() { return dir; }
    /** Where checkpoints are kept. */
    public Store storeKind() { return store; }
    public long intervalMs() { return intervalMs; }
    public Delivery delivery() { return delivery; }
    public boolean freshStart() { return freshStart; }
    /** The checkpoint file {@code --restore-from} names; {@code null} when not given. */
    public Path restoreFrom() { return restoreFrom; }

    /** The transactional.id to use for a job reading {@code inputTopic} in {@code groupId}. */
    public String transactionalId(String groupId, String inputTopic) {
        return transactionalId != null ? transactionalId : "flinklite-" + groupId + "-" + inputTopic;
    }

    /** The directory store of {@link #dir()}. */
    public DirectoryCheckpointStore store() {
        return new DirectoryCheckpointStore(dir);
    }

    /**
     * What a stage task's snapshot is checked against when read: its layout is not the fused job's
     * ({@link io.flinklite.runtime.checkpoint.RestoreCheck}), so the task's own restore is its check.
     */
    public static final io.flinklite.runtime.checkpoint.CheckpointValidator TASK_VALIDATOR =
            io.flinklite.runtime.checkpoint.CheckpointValidator.NONE;

    /**
     * The store of one task's snapshots of a scaled-out job ({@link io.flinklite.runtime.checkpoint.TaskId}): under
     * {@link Store#KAFKA} the checkpoint topic, records keyed by the task; else the task's subdirectory of
     * {@link #dir()}, which instances may share.
     *
     * @param transaction the instance's transactional output under exactly-once, whose open transaction a Kafka
     *                    store sends the snapshots into; null under at-least-once
     * @param producer    under at-least-once, the instance's producer a Kafka store writes its snapshots with, shared
     *                    by all its task stores and closed by the caller after them; null: the store makes its own
     * @throws IllegalArgumentException for a transaction with {@link Store#DIR}: files cannot join a transaction
     */
    public io.flinklite.runtime.checkpoint.CheckpointStore taskStore(io.flinklite.runtime.checkpoint.TaskId task,
            io.flinklite.connector.kafka.KafkaConnection connection, String groupId,
            io.flinklite.connector.kafka.KafkaOutput transaction,
            io.flinklite.connector.kafka.CheckpointProducer producer) {
        int retain = io.flinklite.runtime.checkpoint.CheckpointStore.DEFAULT_RETAIN;
        if (store == Store.KAFKA) {
            if (transaction != null) {
                return KafkaCheckpointStore.inTransaction(connection, checkpointTopic(groupId), task.key(), retain,
                        TASK_VALIDATOR, transaction);
            }
            return producer == null
                    ? KafkaCheckpointStore.create(connection, checkpointTopic(groupId), task.key(), retain,
                            TASK_VALIDATOR, null)
                    : KafkaCheckpointStore.sharing(connection, checkpointTopic(groupId), task.key(), retain,
                            TASK_VALIDATOR, producer);
        }
        if (transaction != null) {
            throw new IllegalArgumentException(SCALE_OUT_EXACTLY_ONCE_NEEDS_KAFKA_STORE);
        }
        return taskDirectoryStore(dir, task);
    }

    /** The store of {@code task}'s snapshots under the checkpoint directory {@code root}: {@code root/<topic>/<partition>}. */
    public static DirectoryCheckpointStore taskDirectoryStore(Path root, io.flinklite.runtime.checkpoint.TaskId task) {
        return new DirectoryCheckpointStore(task.directoryIn(root),
                io.flinklite.runtime.checkpoint.CheckpointStore.DEFAULT_RETAIN, TASK_VALIDATOR);
    }

    /** Why {@code --scale-out --delivery exactly-once} refuses {@code --checkpoint-dir} as the store; one line. */
    static final String SCALE_OUT_EXACTLY_ONCE_NEEDS_KAFKA_STORE = "--scale-out --delivery exactly-once keeps task"
            + " snapshots in the Kafka transaction that commits their output and offsets: add --checkpoint-store kafka"
            + " (--checkpoint-dir files cannot join a transaction)";

    /**
     * The transactional.id of one instance of a scaled-out exactly-once job: {@code flinklite-<group>-<instance id>}
     * ({@code --transactional-id} given: {@code <it>-<instance id>}). Every instance is started with the same command
     * line, and the instance id (default: derived from the host and the working directory's checkpoint directory,
     * {@link StaticMembership}) is what tells them apart and what stays the same across a restart, so a restarted
     * instance fences its own previous incarnation and no other.
     */
    public String scaleOutTransactionalId(String groupId, String instanceId) {
        return (transactionalId != null ? transactionalId : "flinklite-" + groupId) + "-" + instanceId;
    }

    /** The checkpoint topic of a job consuming in {@code groupId}, under {@link Store#KAFKA}. */
    public String checkpointTopic(String groupId) {
        return checkpointTopic != null ? checkpointTopic : KafkaCheckpointStore.defaultTopic(groupId);
    }

    /** Where this job's checkpoints go, for the job's description line. */
    public String describeStore(String groupId) {
        return store == Store.KAFKA ? "kafka topic " + checkpointTopic(groupId) : dir.toString();
    }
}
