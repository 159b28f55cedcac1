package io.flinklite.app;

import io.flinklite.connector.kafka.KafkaConnection;

/**
 * How a job runs as two stages through its repartition topic ({@code run --scale-out}): source tasks, one per input
 * partition, write the keyed stream (partials and raw events) and watermark markers to
 * {@link #repartitionTopic(String) <group-id>-repartition}; keyed tasks, one per partition of that topic, run the
 * windows. Every instance of a group is started with the same command line, so everything here is derived from the
 * group and the input, never from the instance. Immutable.
 */
public final class ScaleOut {

    /** For {@link #ScaleOut(int)}: as many repartition partitions as the input topic has. */
    public static final int SAME_AS_INPUT = -1;

    private final int repartitionPartitions;

    /**
     * @param repartitionPartitions partitions of the repartition topic ({@code --repartition-partitions}), or
     *                              {@link #SAME_AS_INPUT}
     * @throws IllegalArgumentException when neither positive nor {@link #SAME_AS_INPUT}
     */
    public ScaleOut(int repartitionPartitions) {
        if (repartitionPartitions != SAME_AS_INPUT && repartitionPartitions <= 0) {
            throw new IllegalArgumentException("--repartition-partitions must be positive (or left out for as many as"
                    + " the input topic has), got " + repartitionPartitions);
        }
        this.repartitionPartitions = repartitionPartitions;
    }

    /** The internal topic between the two stages of the job of consumer group {@code groupId}. */
    public static String repartitionTopic(String groupId) {
        return groupId + "-repartition";
    }

    /** The partitions the repartition topic must have for an input of {@code inputPartitions}. */
    public int repartitionPartitions(int inputPartitions) {
        return repartitionPartitions == SAME_AS_INPUT ? inputPartitions : repartitionPartitions;
    }

    /**
     * Creates the repartition topic of {@code groupId} when missing ({@code replicationFactor} -1: the broker's
     * default), always, as Kafka Streams creates its internal topics: it belongs to the job, not to the user. An
     * existing one must have the partition count asked for: keys are spread over the partitions by hash, so records
     * of one key written before and after a change would reach different keyed tasks, and windows would split.
     *
     * @return the repartition topic's partition count
     * @throws IllegalArgumentException when the existing topic has another partition count
     */
    int ensureRepartitionTopic(KafkaConnection connection, String groupId, int inputPartitions, int replicationFactor) {
        String topic = repartitionTopic(groupId);
        int wanted = repartitionPartitions(inputPartitions);
        connection.ensureTopic(topic, wanted, replicationFactor);
        int actual = connection.partitionCount(topic, "it was just created");
        if (actual != wanted) {
            throw new IllegalArgumentException("repartition topic '" + topic + "' has " + actual + " partitions, this job"
                    + " needs " + wanted + (repartitionPartitions == SAME_AS_INPUT ? " (as many as the input topic)"
                    : " (--repartition-partitions)") + ": a different count would send a key's records to another"
                    + " keyed task. Pass --repartition-partitions " + actual + ", or use another --group-id");
        }
        return actual;
    }

    @Override
    public String toString() {
        return "scale-out, repartition partitions "
                + (repartitionPartitions == SAME_AS_INPUT ? "as input" : Integer.toString(repartitionPartitions));
    }
}
