package io.flinklite.source;

import java.util.Map;

/**
 * Where a task's records come from: a Kafka consumer, a JSON-lines file, an array in memory.
 *
 * <p>All methods are called on the task thread only. Records are raw bytes; decoding, timestamps and watermarks are
 * the task's business, so a reader never parses a payload.
 *
 * <p>Sources. One reader may deliver several sources (Kafka topics, files), numbered {@code 0 <=} source {@code <}
 * {@link #sourceCount()}, in the order the job names them; each has its own partitions, decoder settings and
 * per-partition watermarks in the task, so a partition is always named by (source, partition). Every record says
 * its source ({@link RecordBatch#source}), every partition event too ({@link PartitionListener#partitionAssigned(int,
 * int)}), and the per-partition questions below come in an indexed form. A reader of one source implements only the
 * unindexed methods, which are source 0; the indexed defaults answer from them. A reader of several overrides the
 * indexed ones (and lets the unindexed ones answer for source 0).
 */
public interface SourceReader extends AutoCloseable {

    /**
     * Appends the next records to {@code batch} (which the caller has cleared), waiting at most {@code timeoutMs} when
     * none are ready. Partition changes are reported to {@code listener} from inside this call: an assignment before
     * the partition's first record, a revocation after its last.
     *
     * @return {@code false} once a bounded input is exhausted (then the batch is empty and no record will ever come);
     *         {@code true} otherwise, also when the batch is empty because nothing arrived in time
     */
    boolean poll(RecordBatch batch, PartitionListener listener, long timeoutMs) throws Exception;

    /** How many sources this reader delivers: 1 unless it reads several topics or files. Called once, before the first poll. */
    default int sourceCount() {
        return 1;
    }

    /**
     * Positions to resume from, restored from a checkpoint: partition -> the offset of the next record to read.
     * Called once, before the first {@link #poll}; a reader applies each position when it gets that partition.
     */
    default void restorePositions(Map<Integer, Long> nextOffsets) {
    }

    /**
     * {@link #restorePositions(Map)} of one source: called once per source that has positions, before the first poll.
     *
     * @throws IllegalArgumentException when {@code source} is not below {@link #sourceCount()}
     */
    default void restorePositions(int source, Map<Integer, Long> nextOffsets) {
        if (source != 0) {
            throw new IllegalArgumentException("this reader has " + sourceCount() + " source(s); no source " + source);
        }
        restorePositions(nextOffsets);
    }

    /**
     * How many partitions the input has, assigned to this reader or not (a Kafka topic's partition count), or -1 when
     * the reader does not know or its partitions are only the ones it delivers (files). Every partition below the
     * count holds the task's watermark back until it is read here (see {@code WatermarkTracker}), so {@link #lag}
     * should then also answer for partitions this reader is not assigned. Called before every poll: answer from a
     * cache.
     */
    default int partitionCount() {
        return -1;
    }

    /** {@link #partitionCount()} of one source; -1 for a source this reader does not have. */
    default int partitionCount(int source) {
        return source == 0 ? partitionCount() : -1;
    }

    /**
     * For a partition below {@link #partitionCount} that this reader is not assigned: the watermark its owner last
     * reported for it (with Kafka, in its committed offset's metadata), which the task holds its watermark at instead
     * of "nothing seen"; {@link Long#MIN_VALUE} when none is known. Called between batches: answer from a cache.
     */
    default long reportedWatermark(int partition) {
        return Long.MIN_VALUE;
    }

    /** {@link #reportedWatermark(int)} of a partition of one source. */
    default long reportedWatermark(int source, int partition) {
        return source == 0 ? reportedWatermark(partition) : Long.MIN_VALUE;
    }

    /** For metrics: the topic (or file) a partition belongs to; empty when there is no such name. */
    default String topicOf(int partition) {
        return "";
    }

    /** {@link #topicOf(int)} of a partition of one source: the source's topic or file name. */
    default String topicOf(int source, int partition) {
        return source == 0 ? topicOf(partition) : "";
    }

    /**
     * Records between this reader's position and the partition's end; -1 when unknown. For a partition this reader is
     * not assigned: between the position it would resume from (a restored or the group's committed offset) and the
     * end, so that the task knows whether records wait in it. For metrics and idleness; answer from a cache.
     */
    default long lag(int partition) {
        return -1;
    }

    /** {@link #lag(int)} of a partition of one source. */
    default long lag(int source, int partition) {
        return source == 0 ? lag(partition) : -1;
    }

    /** Releases the input. Called once, after the last poll. */
    @Override
    void close() throws Exception;
}
