package io.flinklite.runtime.watermark;

import io.flinklite.runtime.state.Snapshottable;
import io.flinklite.runtime.state.StateFormatException;
import io.flinklite.runtime.state.StateReader;
import io.flinklite.runtime.state.StateWriter;

import java.util.Arrays;
import java.util.function.IntToLongFunction;

/**
 * Event time of a task with several input partitions, as Flink's bounded-out-of-orderness generator per split
 * combined by the source's watermark multiplexer.
 *
 * <ol>
 *   <li>Each assigned partition keeps the largest timestamp it delivered; its watermark is
 *       {@code max - outOfOrderness - 1}, or {@link Long#MIN_VALUE} before its first record.</li>
 *   <li>The combined watermark is the minimum over the partitions that are not idle, and never goes backwards: a
 *       partition that comes back from idleness, or is newly assigned, with a lower watermark does not pull it back
 *       (its records may then be late).</li>
 *   <li>A partition that delivered nothing for {@code idleTimeoutMs} of wall-clock time is idle until its next
 *       record. Idleness is checked between batches ({@link #checkIdleness}); the per-record path reads no clock.
 *       Partitions that reach the timeout between two checks go idle in the order they fell silent, as if the check
 *       ran continuously. With no partition active the watermark stays, unless {@code wallClockWhenIdle} and some
 *       record has been seen: then it follows {@code now - outOfOrderness - 1}.</li>
 *   <li>Partitions come and go at run time (Kafka rebalances). The tracker is keyed on <em>source partitions</em>:
 *       once the source declares how many partitions its input has ({@link #declarePartitionCount}), and for every
 *       partition a restored checkpoint holds, a partition this task has not been assigned, or that was revoked,
 *       still counts: it holds the watermark back at its last maximum (or "nothing seen") until it is read here, so
 *       event time never advances on a partial view of the input (another member, maybe a dead one, owns it for
 *       now). It is never idle while records wait in it (the lag the source reports for it, from its end offset
 *       and the position it would resume from, is above 0, or unknown); only one with nothing to read goes idle by
 *       the idle timeout, counted from when it was last known to have records waiting or was revoked. Beam's Kafka
 *       runner keys watermarks the same way, so several instances can later combine their reports.</li>
 *   <li>A partition outside that set (a source that declares no count, such as files) stops counting when it is
 *       revoked, which is how a bounded source says it ended. Its last maximum is remembered all the same, so it
 *       resumes from there if assigned again.</li>
 * </ol>
 *
 * <p>Task thread only. Partition ids are small non-negative ints (Kafka partition numbers).
 */
public final class WatermarkTracker implements Snapshottable {
    private static final IntToLongFunction UNKNOWN_LAG = partition -> -1;

    private final long outOfOrderness;
    private final long idleTimeoutMs;
    private final boolean wallClockWhenIdle;

    /** Dense per-partition arrays indexed by partition id. */
    private boolean[] assigned = new boolean[8];
    /** Declared by the source's partition count or by a restored checkpoint: counts even when not assigned. */
    private boolean[] source = new boolean[8];
    private long[] maxTimestamp = new long[8];
    private boolean[] idle = new boolean[8];
    private boolean[] sawRecord = new boolean[8];
    private long[] lastActivityMs = new long[8];
    private int[] active = new int[8];
    private int activeCount;
    private int declaredCount;

    private long combined = Long.MIN_VALUE;
    /** Whether any partition delivered a record since this tracker was created. */
    private boolean anyRecordSeen;

    public WatermarkTracker(long outOfOrdernessMs, long idleTimeoutMs, boolean wallClockWhenIdle) {
        io.flinklite.job.Durations.checkOutOfOrderness(outOfOrdernessMs);
        if (wallClockWhenIdle && idleTimeoutMs <= 0) {
            throw new IllegalArgumentException("following the wall clock when idle needs an idle timeout");
        }
        this.outOfOrderness = outOfOrdernessMs;
        this.idleTimeoutMs = idleTimeoutMs;
        this.wallClockWhenIdle = wallClockWhenIdle;
        Arrays.fill(maxTimestamp, Long.MIN_VALUE);
    }

    /** The combined watermark: no record with a timestamp at or below it is expected. */
    public long currentWatermark() {
        return combined;
    }

    /** Watermark of a partition with maximum timestamp {@code max}, guarding against underflow. */
    private long watermarkOf(long max) {
        long w = max - outOfOrderness - 1;
        return w <= max ? w : Long.MIN_VALUE;
    }

    /** A partition starts delivering; {@code nowMs} starts its idleness clock. Assigning twice is harmless. */
    public void addPartition(int partition, long nowMs) {
        if (partition < 0) {
            throw new IllegalArgumentException("partition ids must not be negative, got " + partition);
        }
        ensureCapacity(partition + 1);
        if (assigned[partition]) {
            return;
        }
        assigned[partition] = true;
        idle[partition] = false;
        sawRecord[partition] = false;
        lastActivityMs[partition] = nowMs;
        rebuildActive();
    }

    /**
     * The input has {@code count} partitions, ids 0 to {@code count - 1}, assigned to this task or not: each one
     * counts towards the watermark from now on (paragraph 4). A smaller count than before changes nothing: Kafka
     * partitions are never removed from a topic.
     */
    public void declarePartitionCount(int count, long nowMs) {
        if (count <= declaredCount) {
            return;
        }
        ensureCapacity(count);
        for (int p = declaredCount; p < count; p++) {
            declareSource(p, nowMs);
        }
        declaredCount = count;
        rebuildActive();
    }

    private void declareSource(int partition, long nowMs) {
        if (!source[partition] && !assigned[partition]) {
            idle[partition] = false;
            lastActivityMs[partition] = nowMs;
        }
        source[partition] = true;
    }

    /** A partition stops delivering. A source partition keeps holding the watermark back (paragraph 4); others stop. */
    public void removePartition(int partition) {
        removePartition(partition, lastActivityOf(partition));
    }

    /**
     * A partition stops delivering at {@code nowMs}; a source partition's idle timeout starts then (paragraph 4).
     * Revoking a partition that is not assigned is harmless.
     */
    public void removePartition(int partition, long nowMs) {
        if (partition < 0 || partition >= assigned.length || !assigned[partition]) {
            return;
        }
        assigned[partition] = false;
        sawRecord[partition] = false;
        idle[partition] = false;
        lastActivityMs[partition] = nowMs;
        rebuildActive();
        recompute();
    }

    /**
     * The owner of {@code partition}, another member of the group, reports its watermark there (paragraph 4): a
     * source partition not assigned here holds the watermark back at the report instead of its last maximum, when the
     * report is ahead. Ignored for an assigned partition (its records tell) and for one not counted.
     */
    public void reportWatermark(int partition, long watermarkMs) {
        if (!counts(partition) || assigned[partition] || watermarkMs == Long.MIN_VALUE) {
            return;
        }
        long max = watermarkMs >= Long.MAX_VALUE - outOfOrderness - 1 ? Long.MAX_VALUE : watermarkMs + outOfOrderness + 1;
        if (max > maxTimestamp[partition]) {
            maxTimestamp[partition] = max;
            recompute();
        }
    }

    private long lastActivityOf(int partition) {
        return partition >= 0 && partition < lastActivityMs.length ? lastActivityMs[partition] : 0;
    }

    public boolean isAssigned(int partition) {
        return partition >= 0 && partition < assigned.length && assigned[partition];
    }

    /** Whether {@code partition} counts towards the watermark: assigned, or a source partition (paragraph 4). */
    public boolean counts(int partition) {
        return partition >= 0 && partition < assigned.length && (assigned[partition] || source[partition]);
    }

    public boolean isIdle(int partition) {
        return counts(partition) && idle[partition];
    }

    /**
     * Whether this whole input is idle: some partition counts and every one that does is idle. A task combining
     * several inputs leaves an idle one out of their minimum, as Flink's idle watermark status does.
     */
    public boolean isIdle() {
        if (activeCount > 0) {
            return false;
        }
        for (int p = 0; p < assigned.length; p++) {
            if (counts(p)) {
                return true;
            }
        }
        return false;
    }

    /** The partition's own watermark; {@link Long#MIN_VALUE} before its first record. */
    public long partitionWatermark(int partition) {
        if (partition < 0 || partition >= maxTimestamp.length) {
            return Long.MIN_VALUE;
        }
        return watermarkOf(maxTimestamp[partition]);
    }

    /** Partition ids that count towards the watermark (paragraph 4), ascending. */
    public int[] countedPartitions() {
        int n = 0;
        for (int p = 0; p < assigned.length; p++) {
            if (counts(p)) n++;
        }
        int[] out = new int[n];
        n = 0;
        for (int p = 0; p < assigned.length; p++) {
            if (counts(p)) out[n++] = p;
        }
        return out;
    }

    /** Assigned partition ids, ascending. */
    public int[] assignedPartitions() {
        int n = 0;
        for (boolean a : assigned) {
            if (a) n++;
        }
        int[] out = new int[n];
        n = 0;
        for (int p = 0; p < assigned.length; p++) {
            if (assigned[p]) out[n++] = p;
        }
        return out;
    }

    /**
     * A valid record with event time {@code timestamp} arrived on {@code partition} (which must be assigned).
     * The per-record call: no allocation, no clock.
     *
     * @return the combined watermark afterwards
     */
    public long onEvent(int partition, long timestamp) {
        sawRecord[partition] = true;
        anyRecordSeen = true;
        boolean changed = false;
        if (idle[partition]) {
            idle[partition] = false;
            rebuildActive();
            changed = true;
        }
        if (timestamp > maxTimestamp[partition]) {
            maxTimestamp[partition] = timestamp;
            changed = true;
        }
        if (changed) {
            if (activeCount == 1) {
                long w = watermarkOf(maxTimestamp[active[0]]);
                if (w > combined) {
                    combined = w;
                }
            } else {
                recompute();
            }
        }
        return combined;
    }

    /**
     * Marks partitions idle that delivered nothing for the idle timeout (and records activity of those that did),
     * then recomputes the watermark. Called between batches.
     *
     * @return the combined watermark afterwards
     */
    public long checkIdleness(long nowMs) {
        return checkIdleness(nowMs, UNKNOWN_LAG);
    }

    /**
     * Like {@link #checkIdleness(long)}, knowing how many records each partition still has to deliver (the source's
     * lag: {@code SourceReader#lag}, -1 when unknown). A partition with records waiting is not silent, only slow (a
     * first fetch on a loaded machine, a broker far behind): it counts as active, and comes back from idleness at
     * once, so the other partitions' watermarks cannot run ahead of it and make its waiting records late. Once its
     * lag is 0 it needs a whole idle timeout of silence to go idle. Unknown lag (-1) changes nothing.
     *
     * <p>A source partition that is not assigned here (paragraph 4) is never idle while its lag is above 0 or
     * unknown (-1): only its owner could tell that it is silent, and records wait in it.
     *
     * @param lagOf records between the reader's position (for a partition not assigned here: the position it would
     *              resume from) and the partition's end, by partition id; called once per counted partition, on this
     *              thread
     * @return the combined watermark afterwards
     */
    public long checkIdleness(long nowMs, IntToLongFunction lagOf) {
        if (idleTimeoutMs <= 0) {
            return combined;
        }
        boolean backFromIdle = false;
        for (int p = 0; p < assigned.length; p++) {
            if (!assigned[p] && !source[p]) {
                continue;
            }
            if (sawRecord[p] || lastActivityMs[p] > nowMs) {
                sawRecord[p] = false;
                lastActivityMs[p] = nowMs;
            }
            long lag = lagOf.applyAsLong(p);
            if (lag > 0 || (lag < 0 && !assigned[p])) {
                lastActivityMs[p] = nowMs;
                if (idle[p]) {
                    idle[p] = false;
                    backFromIdle = true;
                }
            }
        }
        if (backFromIdle) {
            rebuildActive();
        }
        // Partitions whose timeout passed since the last check go idle one at a time, the longest silent first, as if
        // checked continuously: the watermark advances between them. Otherwise, when the check comes late (a long
        // poll, a loaded machine), a partition that never delivered and the ones that went quiet a moment ago would
        // all turn idle at once, leaving no active partition to advance the watermark, which would then stay stuck.
        while (true) {
            int next = -1;
            for (int p = 0; p < assigned.length; p++) {
                if (counts(p) && !idle[p] && nowMs - lastActivityMs[p] >= idleTimeoutMs
                        && (next < 0 || lastActivityMs[p] < lastActivityMs[next])) {
                    next = p;
                }
            }
            if (next < 0) {
                break;
            }
            idle[next] = true;
            rebuildActive();
            recompute();
        }
        recompute();
        // Only once records have been seen: at startup every partition may look idle before its first fetch, and
        // jumping to the wall clock then would make the whole backlog late.
        if (activeCount == 0 && wallClockWhenIdle && anyRecordSeen) {
            long w = watermarkOf(nowMs);
            if (w > combined) {
                combined = w;
            }
        }
        return combined;
    }

    private void rebuildActive() {
        activeCount = 0;
        for (int p = 0; p < assigned.length; p++) {
            if ((assigned[p] || source[p]) && !idle[p]) {
                active[activeCount++] = p;
            }
        }
    }

    private void recompute() {
        if (activeCount == 0) {
            return;
        }
        long min = Long.MAX_VALUE;
        for (int i = 0; i < activeCount; i++) {
            long w = watermarkOf(maxTimestamp[active[i]]);
            if (w < min) {
                min = w;
            }
        }
        if (min > combined) {
            combined = min;
        }
    }

    /** Jumps to {@link Long#MAX_VALUE}: the end of a bounded input. */
    public long endOfInput() {
        combined = Long.MAX_VALUE;
        return combined;
    }

    private void ensureCapacity(int n) {
        if (n <= assigned.length) {
            return;
        }
        int cap = Math.max(n, assigned.length * 2);
        int old = assigned.length;
        assigned = Arrays.copyOf(assigned, cap);
        source = Arrays.copyOf(source, cap);
        maxTimestamp = Arrays.copyOf(maxTimestamp, cap);
        Arrays.fill(maxTimestamp, old, cap, Long.MIN_VALUE);
        idle = Arrays.copyOf(idle, cap);
        sawRecord = Arrays.copyOf(sawRecord, cap);
        lastActivityMs = Arrays.copyOf(lastActivityMs, cap);
        active = Arrays.copyOf(active, cap);
    }

    /**
     * Writes the fields {@code "watermark", "partitions": [{"partition", "maxTimestamp", "idle"}]} for every partition with a
     * known maximum, assigned or not. Idleness is stored for the record; after a restore every partition starts
     * active again, because the wall-clock silence that made it idle does not carry over.
     */
    @Override
    public void snapshotState(StateWriter out) {
        out.writeLong("watermark", combined);
        out.beginArray("partitions");
        for (int p = 0; p < maxTimestamp.length; p++) {
            if (maxTimestamp[p] == Long.MIN_VALUE) {
                continue;
            }
            out.beginObject(null);
            out.writeLong("partition", p);
            out.writeLong("maxTimestamp", maxTimestamp[p]);
            out.writeBoolean("idle", isIdle(p));
            out.endObject();
        }
        out.endArray();
    }

    /**
     * Restores a snapshot into a fresh tracker. Every partition it holds becomes a source partition (paragraph 4):
     * it holds the watermark back at its maximum until it is read again, assigned here or not.
     */
    @Override
    public void restoreState(StateReader in) {
        combined = Math.max(combined, in.readLong("watermark"));
        in.beginArray("partitions");
        while (in.hasNext()) {
            in.beginObject(null);
            int partition = (int) in.readLong("partition");
            long max = in.readLong("maxTimestamp");
            in.readBoolean("idle");
            in.endObject();
            if (partition < 0) {
                throw new StateFormatException("negative partition id " + partition
                        + " in the watermark state");
            }
            ensureCapacity(partition + 1);
            maxTimestamp[partition] = Math.max(maxTimestamp[partition], max);
            // The idleness clock of a restored partition starts at its first check (lastActivityMs 0 would make it
            // idle at once); checkIdleness refreshes it while records wait in it.
            declareSource(partition, Long.MAX_VALUE);
        }
        in.endArray();
        rebuildActive();
    }
}
