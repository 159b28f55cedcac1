package io.flinklite.runtime.shuffle;

import io.flinklite.api.Event;
import io.flinklite.api.WindowAssigner;
import io.flinklite.runtime.metrics.JobMetrics;
import io.flinklite.runtime.operator.ObservesIdleness;
import io.flinklite.runtime.operator.OneInputOperator;
import io.flinklite.runtime.operator.Output;
import io.flinklite.runtime.operator.ReportsMetrics;
import io.flinklite.runtime.state.StateFormatException;
import io.flinklite.runtime.state.StateReader;
import io.flinklite.runtime.state.StateWriter;
import io.flinklite.runtime.window.LongIntHashMap;
import io.flinklite.runtime.window.WindowAggregator;
import io.flinklite.runtime.window.WindowOperator;

import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.HashMap;
import java.util.List;
import java.util.Objects;

/**
 * The last operator of a source task of a scaled-out job (stage 1): writes the keyed stream into the repartition
 * stream ({@link ShuffleOutput}) as {@link ShuffleRecords}, pre-aggregated (Flink's local-global aggregation).
 *
 * <ul>
 *   <li><b>Partials.</b> An element later than this source task's watermark is added to the partial accumulator of
 *   its (key, pane), pane = the window operator's pane ({@code gcd(size, slide)} on the window grid). A pane's
 *   partials are sent when the watermark passes the pane's end ({@code paneStart + paneSize - 1 <= W}), before the
 *   marker of that watermark: the keyed side's watermark is the minimum over every source partition, never ahead of
 *   this one's, so it has not fired any window of the pane yet. When more than {@code maxOpenPartials} partials are
 *   open the oldest pane is sent early; the keyed side merges several partials of one pane.</li>
 *   <li><b>Raw.</b> An element at or behind this task's own watermark goes raw (its original bytes kept), so the
 *   keyed side decides lateness against the job's watermark and the late output keeps the original record. Session
 *   windows go raw always (their windows depend on every element).</li>
 *   <li><b>Markers.</b> Into every repartition partition: (topic, partition, total partitions, watermark, idle). One
 *   is sent for the first watermark, for every idle change, at the end of input, before a raw record whenever the
 *   watermark moved since the last marker (so a raw record is judged against exactly the watermark it would have met
 *   in a single task), and whenever the watermark passes a firing or cleanup time of the window grid
 *   ({@code k * slide + offset + size - 1}, plus the allowed lateness); the advances in between change nothing the
 *   keyed side can observe and are coalesced. Session jobs send one per advance.</li>
 *   <li><b>Sequence numbers.</b> Every RAW and PARTIAL record carries its origin ({@link ShuffleRecords}): this
 *   source partition, a lineage and the count of keyed records sent to its repartition partition so far. What is
 *   sent, and in which order, is a function of the partition's records and the restored state only (element
 *   timestamps, watermarks from them, the open-partials bound), so a task restored from a snapshot after a crash
 *   resends exactly the records it sent after that snapshot, with the same numbers, and keyed tasks skip them.
 *   Markers carry no number: idleness (wall clock) sends them, and they are idempotent on the keyed side. Exception:
 *   with {@code wallClockWhenIdle} the watermark follows the wall clock and so do flushes; a replay may then cut
 *   partials differently.</li>
 * </ul>
 *
 * <p>Task thread only. Per element: no allocation once the key and pane are known (a new pane takes a slot of the
 * reused accumulator storage).
 */
public final class ShuffleWriter implements OneInputOperator<Object>, ObservesIdleness, ReportsMetrics {
    /** The default bound on open partial accumulators before the oldest pane is sent early. */
    public static final int DEFAULT_MAX_OPEN_PARTIALS = 100_000;
    /** Keys remembered (with their bytes and partition) while they have no open partial. */
    private static final int MAX_IDLE_KEYS = 1 << 16;

    /** One key: its bytes, its repartition partition, its open panes (pane start -> accumulator slot). */
    private static final class KeyPanes {
        final String key;
        final byte[] bytes;
        final int partition;
        final LongIntHashMap panes = new LongIntHashMap(4);

        KeyPanes(String key, int partitions) {
            this.key = key;
            this.bytes = key.getBytes(StandardCharsets.UTF_8);
            this.partition = ShufflePartitioner.partition(bytes, bytes.length, partitions);
        }
    }

    /** The keys with a partial in one pane, in first-element order. */
    private static final class Pane {
        long start;
        KeyPanes[] keys = new KeyPanes[16];
        int size;

        void add(KeyPanes kp) {
            if (size == keys.length) {
                keys = Arrays.copyOf(keys, size * 2);
            }
            keys[size++] = kp;
        }
    }

    private final byte[] topic;
    private final String topicName;
    private final int topicHash;
    private final int sourcePartition;
    /** Grows when a snapshot of the partition names more (the topic grew): see {@link #restoreState}. */
    private int totalPartitions;
    private final int job;
    private final ShuffleOutput out;
    private final int partitions;
    private final WindowAggregator partialStore;
    private final boolean raw;
    private final long paneSize;
    private final long offset;
    private final long slide;
    private final long firstFire;
    private final long lateness;
    private final int maxOpenPartials;
    private final Output<Object> downstream;

    private final HashMap<String, KeyPanes> keys = new HashMap<>();
    /** Open panes in start order. */
    private Pane[] panes = new Pane[8];
    private int paneCount;
    private final List<Pane> freePanes = new ArrayList<>();
    private int openPartials;
    private final ShuffleRecords records = new ShuffleRecords();
    /** Keyed records sent per repartition partition: the last sequence number used there. */
    private final long[] sequences;
    /** The lineage of {@link #sequences}; set by the first element when no snapshot was restored. */
    private int lineage;
    private boolean hasLineage;

    private long watermark = Long.MIN_VALUE;
    private boolean idle;
    /** The watermark of the last marker sent; whether any was sent. */
    private long markedWatermark = Long.MIN_VALUE;
    private boolean marked;

    private long rawSent;
    private long partialsSent;
    private long markersSent;
    private long aggregated;
    private long bytesSent;
    private long publishedAggregated;

    /**
     * @param topic           the source topic (or file) this task reads
     * @param sourcePartition the partition this task reads
     * @param totalPartitions how many partitions the source topic has: the keyed side waits for each
     * @param job             {@link ShuffleRecords#jobHash} of the job, in every marker (the keyed side refuses another)
     * @param assigner        the job's window assigner (panes, firing times; sessions go raw)
     * @param partialStore    the job's aggregator, used as storage for partials only (never emits);
     *                        {@code null} to send every element raw (aggregates without a partial form)
     * @param maxOpenPartials open partials before the oldest pane is sent early
     * @param downstream      receives the watermarks (nothing else); a source task's writer usually has no successor
     */
    public ShuffleWriter(String topic, int sourcePartition, int totalPartitions, int job, WindowAssigner assigner,
                         long allowedLatenessMs, WindowAggregator partialStore, ShuffleOutput out, int maxOpenPartials,
                         Output<Object> downstream) {
        this.topicName = Objects.requireNonNull(topic, "topic");
        this.topic = topic.getBytes(StandardCharsets.UTF_8);
        this.topicHash = topic.hashCode();
        if (this.topic.length > 0xffff) {
            throw new IllegalArgumentException("topic name too long for a shuffle marker: " + this.topic.length + " bytes");
        }
        if (totalPartitions < 1 || sourcePartition < 0 || sourcePartition >= totalPartitions) {
            throw new IllegalArgumentException("source partition " + sourcePartition + " of " + totalPartitions);
        }
        if (maxOpenPartials < 1) {
            throw new IllegalArgumentException("maxOpenPartials must be at least 1, got " + maxOpenPartials);
        }
        this.sourcePartition = sourcePartition;
        this.totalPartitions = totalPartitions;
        this.job = job;
        this.out = Objects.requireNonNull(out, "out");
        this.partitions = out.partitions();
        ShufflePartitioner.partition(new byte[0], 0, partitions); // validates the partition count
        this.sequences = new long[partitions];
        this.raw = assigner.isSession() || partialStore == null;
        this.partialStore = partialStore;
        this.slide = assigner.isSession() ? 1 : assigner.slideMs();
        this.paneSize = assigner.isSession() ? 1 : WindowOperator.paneSize(assigner);
        this.offset = assigner.isSession() ? 0 : assigner.offsetMs();
        this.firstFire = assigner.isSession() ? 0 : assigner.offsetMs() + assigner.sizeMs() - 1;
        this.lateness = allowedLatenessMs;
        this.maxOpenPartials = maxOpenPartials;
        this.downstream = Objects.requireNonNull(downstream, "downstream");
    }


    @Override
    public void processElement(Object element, long timestampMs, String key) throws Exception {
        if (!hasLineage) {
            lineage = lineageOf((Event) element, timestampMs);
            hasLineage = true;
        }
        KeyPanes kp = keys.get(key);
        if (kp == null) {
            kp = new KeyPanes(key, partitions);
            keys.put(key, kp);
        }
        if (raw || timestampMs <= watermark) {
            sendRaw(kp, (Event) element, timestampMs);
            return;
        }
        long paneStart = WindowAssigner.windowStart(timestampMs, offset, paneSize);
        int slot = kp.panes.get(paneStart);
        if (slot == LongIntHashMap.MISSING) {
            slot = partialStore.newSlot();
            kp.panes.put(paneStart, slot);
            pane(paneStart).add(kp);
            openPartials++;
        }
        partialStore.add(slot, element);
        aggregated++;
        if (openPartials > maxOpenPartials) {
            flushPane(0);
        }
    }

    /**
     * A fresh run's lineage: a hash of its first element, so that two runs starting at the same record (a replay
     * from the beginning after a crash before any snapshot) number alike and runs starting elsewhere do not.
     */
    private static int lineageOf(Event first, long timestampMs) {
        int h = Long.hashCode(timestampMs) * 31 + first.key().hashCode();
        if (first.payload() != null) {
            for (int i = first.payloadOffset(), end = i + first.payloadLength(); i < end; i++) {
                h = h * 31 + first.payload()[i];
            }
        }
        return h;
    }

    private void sendRaw(KeyPanes kp, Event event, long timestampMs) throws Exception {
        if (!marked || markedWatermark != watermark) {
            sendMarker();
        }
        records.encodeRaw(topicHash, sourcePartition, lineage, ++sequences[kp.partition], event, timestampMs);
        send(kp.partition, kp.bytes, kp.bytes.length);
        rawSent++;
    }

    private void send(int partition, byte[] key, int keyLength) throws Exception {
        out.send(partition, key, keyLength, records.array(), records.length());
        bytesSent += records.length() + keyLength;
    }

    /** The open pane starting at {@code start}, added in order when new. */
    private Pane pane(long start) {
        int i = paneCount - 1;
        while (i >= 0 && panes[i].start > start) {
            i--;
        }
        if (i >= 0 && panes[i].start == start) {
            return panes[i];
        }
        Pane p = freePanes.isEmpty() ? new Pane() : freePanes.remove(freePanes.size() - 1);
        p.start = start;
        p.size = 0;
        if (paneCount == panes.length) {
            panes = Arrays.copyOf(panes, paneCount * 2);
        }
        System.arraycopy(panes, i + 1, panes, i + 2, paneCount - i - 1);
        panes[i + 1] = p;
        paneCount++;
        return p;
    }

    /** Sends and frees every partial of the open pane at {@code index}. */
    private void flushPane(int index) throws Exception {
        if (!marked) {
            // The keyed side learns which job sends before the first partial (see ShuffleRecords); with no
            // watermark yet: the watermark that closes this pane goes out after its partials.
            sendMarker(Long.MIN_VALUE);
        }
        Pane p = panes[index];
        for (int i = 0; i < p.size; i++) {
            KeyPanes kp = p.keys[i];
            p.keys[i] = null;
            int slot = kp.panes.remove(p.start);
            partialStore.writePartial(slot, records.beginPartial(topicHash, sourcePartition, lineage,
                    ++sequences[kp.partition], p.start));
            send(kp.partition, kp.bytes, kp.bytes.length);
            partialStore.free(slot);
            partialsSent++;
            openPartials--;
            if (kp.panes.isEmpty() && keys.size() > MAX_IDLE_KEYS) {
                keys.remove(kp.key);
            }
        }
        p.size = 0;
        System.arraycopy(panes, index + 1, panes, index, paneCount - index - 1);
        panes[--paneCount] = null;
        freePanes.add(p);
    }

    @Override
    public void processWatermark(long watermarkMs) throws Exception {
        if (watermarkMs <= watermark) {
            return;
        }
        long previous = watermark;
        watermark = watermarkMs;
        while (paneCount > 0 && paneEndReached(panes[0].start, watermarkMs)) {
            flushPane(0);
        }
        if (!marked || markedWatermark == Long.MIN_VALUE || raw || watermarkMs == Long.MAX_VALUE
                || crossesFiringTime(markedWatermark, watermarkMs)) {
            sendMarker();
        }
        downstream.emitWatermark(watermarkMs);
    }

    private boolean paneEndReached(long paneStart, long watermarkMs) {
        long end = paneStart + paneSize - 1;
        return end < paneStart || end <= watermarkMs; // an overflowing end is +infinity's pane
    }

    /** Whether a firing or cleanup time {@code firstFire + k * slide (+ lateness)} lies in {@code (from, to]}. */
    private boolean crossesFiringTime(long from, long to) {
        return gridIndex(from, 0) != gridIndex(to, 0) || (lateness > 0 && gridIndex(from, lateness) != gridIndex(to, lateness));
    }

    private long gridIndex(long t, long shift) {
        return Math.floorDiv(t - firstFire - shift, slide);
    }

    @Override
    public void processIdle(boolean isIdle) throws Exception {
        idle = isIdle;
        sendMarker();
    }

    private void sendMarker() throws Exception {
        sendMarker(watermark);
    }

    private void sendMarker(long watermarkMs) throws Exception {
        records.encodeMarker(job, topic, sourcePartition, totalPartitions, watermarkMs, idle);
        for (int p = 0; p < partitions; p++) {
            send(p, null, 0);
        }
        marked = true;
        markedWatermark = watermarkMs;
        markersSent++;
    }

    /** Sends what is still open (after the watermark {@link Long#MAX_VALUE}, nothing is). */
    @Override
    public void finish() throws Exception {
        while (paneCount > 0) {
            flushPane(0);
        }
    }

    @Override
    public void publishMetrics(JobMetrics metrics) {
        metrics.addAccepted(aggregated - publishedAggregated);
        publishedAggregated = aggregated;
    }

    public long rawSent() { return rawSent; }

    public long partialsSent() { return partialsSent; }

    public long markersSent() { return markersSent; }

    /** Key and value bytes of every record sent (markers: once per repartition partition). */
    public long bytesSent() { return bytesSent; }

    /** Partial accumulators not yet sent. */
    public int openPartials() { return openPartials; }

    public long watermark() { return watermark; }

    // ---- snapshot / restore ----

    /**
     * Writes {@code "source", "watermark", "idle", "marked", "markedWatermark", "hasLineage", "lineage" (0 before the first
     * element), "sequences": [per repartition partition], "panes": [{"start", "keys": [{"key", <accumulator
     * fields>}]}]}. A restore resends nothing: the marker state says what the keyed side has seen.
     */
    @Override
    public void snapshotState(StateWriter w) {
        w.writeString("source", topicName + "/" + sourcePartition + "/" + totalPartitions);
        w.writeLong("watermark", watermark);
        w.writeBoolean("idle", idle);
        w.writeBoolean("marked", marked);
        w.writeLong("markedWatermark", markedWatermark);
        w.writeBoolean("hasLineage", hasLineage);
        w.writeLong("lineage", lineage);
        w.beginArray("sequences");
        for (long s : sequences) {
            w.writeLong(null, s);
        }
        w.endArray();
        w.beginArray("panes");
        for (int i = 0; i < paneCount; i++) {
            Pane p = panes[i];
            w.beginObject(null);
            w.writeLong("start", p.start);
            w.beginArray("keys");
            for (int k = 0; k < p.size; k++) {
                w.beginObject(null);
                w.writeString("key", p.keys[k].key);
                partialStore.writeSlot(p.keys[k].panes.get(p.start), w);
                w.endObject();
            }
            w.endArray();
            w.endObject();
        }
        w.endArray();
    }

    @Override
    public void restoreState(StateReader r) {
        String source = r.readString("source");
        String partition = topicName + "/" + sourcePartition + "/";
        int total = -1;
        if (source.startsWith(partition)) {
            try {
                total = Integer.parseInt(source.substring(partition.length()));
            } catch (NumberFormatException e) {
                total = -1;
            }
        }
        if (total < 1) {
            throw new StateFormatException("shuffle writer state of source " + source + " restored into " + partition
                    + totalPartitions);
        }
        // Another count of the same partition: the topic grew while the job ran (partitions never go away). The
        // larger one, so the keyed tasks keep waiting for every partition either count names.
        totalPartitions = Math.max(totalPartitions, total);
        watermark = r.readLong("watermark");
        idle = r.readBoolean("idle");
        marked = r.readBoolean("marked");
        markedWatermark = r.readLong("markedWatermark");
        hasLineage = r.readBoolean("hasLineage");
        lineage = (int) r.readLong("lineage");
        r.beginArray("sequences");
        int n = 0;
        while (r.hasNext()) {
            long s = r.readLong(null);
            if (n == sequences.length) {
                throw new StateFormatException("shuffle writer state for more than " + sequences.length
                        + " repartition partitions (the repartition topic's count must not change)");
            }
            sequences[n++] = s;
        }
        r.endArray();
        if (n != sequences.length) {
            throw new StateFormatException("shuffle writer state for " + n + " repartition partitions, the topic has "
                    + sequences.length);
        }
        r.beginArray("panes");
        while (r.hasNext()) {
            r.beginObject(null);
            long start = r.readLong("start");
            Pane p = pane(start);
            r.beginArray("keys");
            while (r.hasNext()) {
                r.beginObject(null);
                String key = r.readString("key");
                KeyPanes kp = keys.computeIfAbsent(key, k -> new KeyPanes(k, partitions));
                if (kp.panes.get(start) != LongIntHashMap.MISSING) {
                    throw new StateFormatException("key '" + key + "' twice in pane " + start);
                }
                kp.panes.put(start, partialStore.readSlot(r));
                p.add(kp);
                openPartials++;
                r.endObject();
            }
            r.endArray();
            r.endObject();
        }
        r.endArray();
    }
}
