package io.flinklite.runtime.task;

import io.flinklite.api.Event;
import io.flinklite.job.TimestampSpec;
import io.flinklite.runtime.json.EventDecoder;
import io.flinklite.runtime.metrics.JobMetrics;
import io.flinklite.runtime.state.StateReader;
import io.flinklite.runtime.state.StateWriter;
import io.flinklite.runtime.watermark.WatermarkTracker;
import io.flinklite.source.InvalidReason;
import io.flinklite.source.SourceReader;

import java.util.Arrays;
import java.util.Map;
import java.util.TreeMap;
import java.util.function.IntToLongFunction;

/**
 * One source of a task (a Kafka topic, a file: one source index of its {@link SourceReader}): the decoder with that
 * source's settings, its per-partition watermarks ({@link WatermarkTracker}: idleness, reports of partitions owned
 * elsewhere, the partition count) and the position reached in each of its partitions. A task reading several sources
 * has one node per source index, and combines their watermarks as the graph says (a union: the minimum over the
 * sources that are not idle; a join: one input each).
 *
 * <p>Order per record, as for a single source: {@link #position} (the record is read), {@link #decode}, and for a
 * valid record {@link #onEvent} after the operators saw it. Between batches: {@link #beforePoll} and
 * {@link #afterPoll}. Task thread only; the per-record calls allocate nothing and read no clock.
 */
public final class SourceNode {
    private final int index;
    private final EventDecoder decoder;
    private final WatermarkTracker watermarks;
    private final IntToLongFunction lagOf;
    private final SourceReader reader;
    private int partitionCount = -1;
    /** Next offset per partition id; -1 when nothing was read or restored. */
    private long[] nextOffsets = new long[8];
    private boolean ended;

    /**
     * @param index the source index in {@code reader}
     * @param keyField the JSON string field of the element key; timestamps, value field, record limit as the
     *                 decoder takes them
     */
    public SourceNode(SourceReader reader, int index, String keyField, String valueField, TimestampSpec timestamps,
                      int maxRecordBytes, long outOfOrdernessMs, long idleTimeoutMs, boolean wallClockWhenIdle) {
        this.reader = reader;
        this.index = index;
        this.decoder = new EventDecoder(keyField, valueField, timestamps, maxRecordBytes);
        this.watermarks = new WatermarkTracker(outOfOrdernessMs, idleTimeoutMs, wallClockWhenIdle);
        this.lagOf = partition -> reader.lag(index, partition);
        Arrays.fill(nextOffsets, -1);
    }

    /** The source index of this node in its reader. */
    public int index() { return index; }

    /** The decoder, for its last error and value field name in dead-letter details. */
    public EventDecoder decoder() { return decoder; }

    /** This source's watermark: the minimum over its partitions that are not idle. */
    public long watermark() { return watermarks.currentWatermark(); }

    /** True when every partition of this source that counts is idle: it then holds no combination back. */
    public boolean isIdle() { return !ended && watermarks.isIdle(); }

    /** True once this bounded source ended ({@link #endOfInput}): its watermark is {@link Long#MAX_VALUE}. */
    public boolean hasEnded() { return ended; }

    /** The watermark of one partition of this source; {@link Long#MIN_VALUE} before its first record. */
    public long partitionWatermark(int partition) { return watermarks.partitionWatermark(partition); }

    /** Before each poll, so that one partition's first batch cannot move event time past the others. */
    public void beforePoll(long nowMs) {
        partitionCount = reader.partitionCount(index);
        if (partitionCount > 0) {
            watermarks.declarePartitionCount(partitionCount, nowMs);
        }
    }

    /** The reader assigned a partition of this source. */
    public void assigned(int partition, long nowMs) {
        watermarks.addPartition(partition, nowMs);
    }

    /** The reader revoked a partition of this source: its position is forgotten, its new owner resumes it. */
    public void revoked(int partition, long nowMs) {
        watermarks.removePartition(partition, nowMs);
        if (partition < nextOffsets.length) {
            nextOffsets[partition] = -1;
        }
    }

    /**
     * A record of this source at {@code partition}/{@code offset} was read (whatever it holds). A reader that did not
     * announce the partition: its first record is the assignment, at {@code nowMs} (read only then).
     */
    public void position(int partition, long offset, TaskOptions options) {
        if (partition >= nextOffsets.length) {
            growOffsets(partition + 1);
        }
        nextOffsets[partition] = offset + 1;
        if (!watermarks.isAssigned(partition)) {
            watermarks.addPartition(partition, options.clock().getAsLong());
        }
    }

    /** Sets the decoder's bounds of plausible timestamps for the next batch (the wall clock moves). */
    public void setTimestampBounds(long minMs, long maxMs) {
        decoder.setTimestampBounds(minMs, maxMs);
    }

    /**
     * Decodes one record into {@code into}.
     *
     * @param payload null for a record without a value
     * @return null when valid, else why not
     */
    public InvalidReason decode(byte[] payload, int offset, int length, long recordTimestampMs, Event into) {
        return payload == null ? InvalidReason.NULL_VALUE
                : decoder.decode(payload, offset, length, recordTimestampMs, into);
    }

    /**
     * A valid record's event time advances its partition's watermark.
     *
     * @return this source's watermark afterwards
     */
    public long onEvent(int partition, long timestampMs) {
        return watermarks.onEvent(partition, timestampMs);
    }

    /**
     * Between batches: partitions owned elsewhere hold at their owner's report, and idleness is checked against the
     * reader's lag.
     *
     * @return this source's watermark afterwards
     */
    public long afterPoll(long nowMs) {
        for (int p = 0; p < partitionCount; p++) {
            if (!watermarks.isAssigned(p)) {
                watermarks.reportWatermark(p, reader.reportedWatermark(index, p));
            }
        }
        return watermarks.checkIdleness(nowMs, lagOf);
    }

    /** The bounded input ended: the watermark jumps to {@link Long#MAX_VALUE}. */
    public long endOfInput() {
        ended = true;
        return watermarks.endOfInput();
    }

    /** Partition -> offset of the next record to read, for every partition read (or restored) and still assigned. */
    public Map<Integer, Long> positions() {
        Map<Integer, Long> out = new TreeMap<>();
        for (int p = 0; p < nextOffsets.length; p++) {
            if (nextOffsets[p] >= 0) {
                out.put(p, nextOffsets[p]);
            }
        }
        return out;
    }

    /** Assigned partitions with their watermark, lag, idleness and position, for metrics. */
    public void partitionStats(java.util.List<JobMetrics.PartitionStats> into) {
        for (int p : watermarks.assignedPartitions()) {
            into.add(new JobMetrics.PartitionStats(reader.topicOf(index, p), p, watermarks.partitionWatermark(p),
                    reader.lag(index, p), watermarks.isIdle(p), p < nextOffsets.length ? nextOffsets[p] : -1));
        }
    }

    /** Whether any partition of this source is assigned. */
    public boolean hasAssignedPartitions() {
        return watermarks.assignedPartitions().length > 0;
    }

    /**
     * Writes {@code "watermarks": {...}, "positions": [{"partition", "nextOffset"}]}, the layout a task of one source
     * has always written (so its checkpoints restore unchanged).
     */
    public void snapshotState(StateWriter out) {
        out.beginObject("watermarks");
        watermarks.snapshotState(out);
        out.endObject();
        out.beginArray("positions");
        for (Map.Entry<Integer, Long> e : positions().entrySet()) {
            out.beginObject(null);
            out.writeLong("partition", e.getKey());
            out.writeLong("nextOffset", e.getValue());
            out.endObject();
        }
        out.endArray();
    }

    /** Restores {@link #snapshotState} into this fresh node and hands the positions to the reader, for this source. */
    public void restoreState(StateReader in) {
        in.beginObject("watermarks");
        watermarks.restoreState(in);
        in.endObject();
        Map<Integer, Long> restored = new TreeMap<>();
        in.beginArray("positions");
        while (in.hasNext()) {
            in.beginObject(null);
            int partition = (int) in.readLong("partition");
            long next = in.readLong("nextOffset");
            in.endObject();
            if (partition < 0 || next < 0) {
                throw new io.flinklite.runtime.state.StateFormatException("position " + next + " of partition "
                        + partition + " of source " + index + ": neither may be negative");
            }
            restored.put(partition, next);
            if (partition >= nextOffsets.length) {
                growOffsets(partition + 1);
            }
            nextOffsets[partition] = next;
        }
        in.endArray();
        reader.restorePositions(index, restored);
    }

    /**
     * The event time of a union of sources: the minimum over the sources that are not idle (an ended source counts at
     * {@link Long#MAX_VALUE}), as Flink combines the channels of one input. {@link Long#MIN_VALUE} when every source
     * is idle: the union then holds where it is (the caller keeps its watermark monotonic).
     */
    public static long unionWatermark(SourceNode[] nodes) {
        long min = Long.MAX_VALUE;
        boolean any = false;
        for (SourceNode node : nodes) {
            if (!node.isIdle()) {
                any = true;
                long w = node.watermark();
                if (w < min) {
                    min = w;
                }
            }
        }
        return any ? min : Long.MIN_VALUE;
    }

    private void growOffsets(int n) {
        int old = nextOffsets.length;
        nextOffsets = Arrays.copyOf(nextOffsets, Math.max(n, old * 2));
        Arrays.fill(nextOffsets, old, nextOffsets.length, -1);
    }
}
