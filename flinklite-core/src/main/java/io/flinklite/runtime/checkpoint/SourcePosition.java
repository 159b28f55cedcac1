package io.flinklite.runtime.checkpoint;

import java.util.Objects;

/**
 * Where a job stands in one input partition at a checkpoint: the offset of the next record to read, that
 * partition's watermark, and the id of the topic it was read from. Immutable.
 *
 * <p>The topic id (Kafka's, a topic's identity that a deleted and recreated topic of the same name does not share)
 * tells a restore whether the offsets still mean the same records. Checkpoints written before it was recorded have
 * none ({@code null}); they restore as before.
 */
public final class SourcePosition {
    private final String topic;
    private final int partition;
    private final long nextOffset;
    private final long watermarkMs;
    private final String topicId;

    /** A position without a topic id: from a source that has none, or an old checkpoint. */
    public SourcePosition(String topic, int partition, long nextOffset, long watermarkMs) {
        this(topic, partition, nextOffset, watermarkMs, null);
    }

    /**
     * @param nextOffset  offset of the first record not yet processed (Kafka's committed-offset convention)
     * @param watermarkMs the partition's watermark, {@link Long#MIN_VALUE} before its first record
     * @param topicId     the topic's id as Kafka prints it, or null when unknown
     */
    public SourcePosition(String topic, int partition, long nextOffset, long watermarkMs, String topicId) {
        this.topic = Objects.requireNonNull(topic, "topic");
        if (partition < 0) {
            throw new IllegalArgumentException("partition must not be negative, got " + partition);
        }
        if (nextOffset < 0) {
            throw new IllegalArgumentException("offset must not be negative, got " + nextOffset + " for " + topic + "-" + partition);
        }
        this.partition = partition;
        this.nextOffset = nextOffset;
        this.watermarkMs = watermarkMs;
        this.topicId = topicId;
    }

    public String topic() { return topic; }
    public int partition() { return partition; }
    public long nextOffset() { return nextOffset; }
    public long watermarkMs() { return watermarkMs; }
    /** The id of the topic the offset belongs to; null when the checkpoint did not record one. */
    public String topicId() { return topicId; }

    /** {@code topic-partition}, as Kafka prints it. */
    public String topicPartition() {
        return topic + "-" + partition;
    }

    @Override
    public boolean equals(Object o) {
        if (!(o instanceof SourcePosition)) return false;
        SourcePosition p = (SourcePosition) o;
        return partition == p.partition && nextOffset == p.nextOffset && watermarkMs == p.watermarkMs && topic.equals(p.topic)
                && Objects.equals(topicId, p.topicId);
    }

    @Override
    public int hashCode() {
        return Objects.hash(topic, partition, nextOffset, watermarkMs);
    }

    @Override
    public String toString() {
        return topicPartition() + "@" + nextOffset + " (watermark " + watermarkMs + ")";
    }
}
