package io.flinklite.runtime.checkpoint;

import java.util.Objects;

/**
 * Where a job stands in one input partition at a checkpoint: the offset of the next record to read, and that
 * partition's watermark. Immutable.
 */
public final class SourcePosition {
    private final String topic;
    private final int partition;
    private final long nextOffset;
    private final long watermarkMs;

    /**
     * @param nextOffset  offset of the first record not yet processed (Kafka's committed-offset convention)
     * @param watermarkMs the partition's watermark, {@link Long#MIN_VALUE} before its first record
     */
    public SourcePosition(String topic, int partition, long nextOffset, long watermarkMs) {
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
    }

    public String topic() { return topic; }
    public int partition() { return partition; }
    public long nextOffset() { return nextOffset; }
    public long watermarkMs() { return watermarkMs; }

    /** {@code topic-partition}, as Kafka prints it. */
    public String topicPartition() {
        return topic + "-" + partition;
    }

    @Override
    public boolean equals(Object o) {
        if (!(o instanceof SourcePosition)) return false;
        SourcePosition p = (SourcePosition) o;
        return partition == p.partition && nextOffset == p.nextOffset && watermarkMs == p.watermarkMs && topic.equals(p.topic);
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
