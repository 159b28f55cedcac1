package io.flinklite.runtime.checkpoint;

import java.nio.file.Path;
import java.util.Objects;

/**
 * A task of a job that scales out: one partition of a topic it reads (an input partition: a source task; a
 * repartition topic's partition: a keyed task), and so what Kafka's group assignment hands an instance. Its state is
 * snapshotted on its own, under {@link #key()}, so that the partition's next owner restores exactly that task.
 *
 * <p>One naming for every store: the Kafka checkpoint store keys its records {@code <key>/...} (the fused job's single
 * task is {@code <input topic>/*}, which no partition's key can equal); a checkpoint directory holds each task in
 * {@link #directoryIn(Path) its own subdirectory} {@code <topic>/<partition>}, so instances can share one directory as
 * Flink's checkpoint directory. Kafka topic names are {@code [a-zA-Z0-9._-]+} and never {@code .} or {@code ..}, so
 * both are safe as they are. Immutable.
 */
public final class TaskId implements Comparable<TaskId> {

    private final String topic;
    private final int partition;

    /**
     * @throws IllegalArgumentException for an empty topic, one with a {@code /}, or a negative partition
     */
    public TaskId(String topic, int partition) {
        Objects.requireNonNull(topic, "topic");
        if (topic.isEmpty() || topic.indexOf('/') >= 0 || topic.equals(".") || topic.equals("..")) {
            throw new IllegalArgumentException("not a Kafka topic name: '" + topic + "'");
        }
        if (partition < 0) {
            throw new IllegalArgumentException("partition must be >= 0, got " + partition);
        }
        this.topic = topic;
        this.partition = partition;
    }

    /**
     * Reads a {@link #key()} back.
     *
     * @throws IllegalArgumentException when {@code key} is not {@code <topic>/<partition>}
     */
    public static TaskId parse(String key) {
        int slash = key.lastIndexOf('/');
        if (slash <= 0 || slash == key.length() - 1) {
            throw new IllegalArgumentException("not a task key (<topic>/<partition>): '" + key + "'");
        }
        int partition;
        try {
            partition = Integer.parseInt(key.substring(slash + 1));
        } catch (NumberFormatException e) {
            throw new IllegalArgumentException("not a task key (<topic>/<partition>): '" + key + "'");
        }
        return new TaskId(key.substring(0, slash), partition);
    }

    public String topic() { return topic; }

    public int partition() { return partition; }

    /** {@code <topic>/<partition>}: the task's key in every store. */
    public String key() {
        return topic + "/" + partition;
    }

    /** The directory of this task's checkpoints under a job's checkpoint directory {@code root}. */
    public Path directoryIn(Path root) {
        return root.resolve(topic).resolve(Integer.toString(partition));
    }

    @Override
    public int compareTo(TaskId o) {
        int c = topic.compareTo(o.topic);
        return c != 0 ? c : Integer.compare(partition, o.partition);
    }

    @Override
    public boolean equals(Object o) {
        return o instanceof TaskId && ((TaskId) o).partition == partition && ((TaskId) o).topic.equals(topic);
    }

    @Override
    public int hashCode() {
        return topic.hashCode() * 31 + partition;
    }

    @Override
    public String toString() {
        return key();
    }
}
