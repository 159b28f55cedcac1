package io.flinklite.runtime.shuffle;

import io.flinklite.api.Event;
import io.flinklite.api.OutputTag;
import io.flinklite.api.Sink;
import io.flinklite.runtime.json.DecodedEvent;
import io.flinklite.runtime.json.KeyInterner;
import io.flinklite.runtime.metrics.JobMetrics;
import io.flinklite.runtime.operator.OperatorTags;
import io.flinklite.runtime.operator.Output;
import io.flinklite.runtime.state.StateFormatException;
import io.flinklite.runtime.state.StateReader;
import io.flinklite.runtime.state.StateWriter;
import io.flinklite.runtime.window.LongIntHashMap;
import io.flinklite.runtime.window.WindowOperator;

import java.util.Arrays;

import java.util.Objects;
import java.util.function.Function;

/**
 * A keyed task of a scaled-out job (stage 2): one repartition partition's records into the job's window operator.
 *
 * <ul>
 *   <li>RAW: an element of the window operator, judged against this task's watermark; a late one goes to the late
 *   sink as its original bytes.</li>
 *   <li>PARTIAL: merged into the key's pane accumulator ({@link WindowOperator#mergePartial}).</li>
 *   <li>MARKER: into the {@link SourceWatermarks} table; when the job's watermark advances the window operator fires
 *   what is due.</li>
 * </ul>
 * A RAW or PARTIAL record at or below the highest sequence number already taken from its source partition (same
 * lineage) is a resend by a source task restored from an older snapshot: skipped and counted
 * ({@link #duplicatesSkipped()}), so at-least-once recovery does not merge a partial twice. A record of another
 * lineage starts that source partition's numbering afresh (a source task that started without a snapshot); a
 * jump in the numbering is counted ({@link #sequenceGaps()}: records of the repartition topic lost).
 * A record that is not a valid shuffle record is skipped and counted ({@link #invalidRecords()},
 * {@link #lastInvalid()}); it never stops the task. A marker of another job (its {@link ShuffleRecords#markerJob}
 * is not this job's hash: an instance of the group started with other job flags) stops it with
 * {@link OtherJobException}: merging that job's partials would give wrong results silently.
 *
 * <p>Task thread only. Per record: no allocation for keys seen before (an interning table) and built-in aggregates.
 *
 * @param <R> the window operator's result type
 */
public final class KeyedStage<R> {
    /**
     * The field of a keyed task's snapshot that holds {@link #snapshotState this stage's state}, beside what the
     * task runtime keeps of its own (its next offset): where {@link TaskStateSummary} finds it.
     */
    public static final String SNAPSHOT_FIELD = "stage";

    private final WindowOperator windows;
    private final SourceWatermarks sources;
    private final Sink<? super R> results;
    private final Sink<byte[]> late;
    private final String jobFingerprint;
    private final int job;
    private final KeyInterner keys = new KeyInterner();
    private final DecodedEvent event = new DecodedEvent();
    private long watermark = Long.MIN_VALUE;
    private long invalid;
    private String lastInvalid;
    private long rawRecords;
    private long markers;
    private long resultCount;
    /** Source partition ({@link ShuffleRecords#originSource}) -> index into the two arrays below. */
    private final LongIntHashMap origins = new LongIntHashMap(16);
    private long[] originSources = new long[16];
    private int[] originLineages = new int[16];
    private long[] originSequences = new long[16];
    private int originCount;
    private long duplicates;
    private long gaps;

    /**
     * @param windowOperator builds the job's window operator around the stage's output
     * @param sourceTopics   how many source topics feed the repartition stream
     * @param jobFingerprint what shapes the job's state; markers must carry its {@link ShuffleRecords#jobHash}
     * @param late           the late events' original bytes; {@code null} to only count them
     */
    public KeyedStage(Function<Output<Object>, WindowOperator> windowOperator, int sourceTopics,
                      String jobFingerprint, Sink<? super R> results, Sink<byte[]> late) {
        this.jobFingerprint = Objects.requireNonNull(jobFingerprint, "jobFingerprint");
        this.job = ShuffleRecords.jobHash(jobFingerprint);
        this.results = Objects.requireNonNull(results, "results");
        this.late = late;
        this.sources = new SourceWatermarks(sourceTopics);
        this.windows = Objects.requireNonNull(windowOperator.apply(new StageOutput()), "window operator");
    }

    private final class StageOutput implements Output<Object> {
        @Override
        @SuppressWarnings("unchecked")
        public void emit(Object element, long timestampMs) throws Exception {
            resultCount++;
            results.write((R) element);
        }

        @Override
        public <X> void emitSide(OutputTag<X> tag, X element, long timestampMs) throws Exception {
            if (tag == OperatorTags.LATE_DATA && late != null) {
                late.write(((Event) element).copyPayload());
            }
        }

        @Override
        public void emitWatermark(long watermarkMs) {
        }
    }

    /**
     * One record of this task's repartition partition: key {@code key[keyOff, keyOff + keyLen)} ({@code null} for a
     * marker), value {@code value[off, off + len)}.
     *
     * @throws Exception from a sink only
     */
    public void process(byte[] key, int keyOff, int keyLen, byte[] value, int off, int len) throws Exception {
        byte kind;
        try {
            kind = ShuffleRecords.kind(value, off, len);
            if (kind != ShuffleRecords.MARKER && key == null) {
                throw new IllegalArgumentException("a keyed shuffle record without a key");
            }
        } catch (IllegalArgumentException e) {
            invalid(e.getMessage());
            return;
        }
        if (kind != ShuffleRecords.MARKER && !firstTime(value, off)) {
            duplicates++;
            return;
        }
        switch (kind) {
            case ShuffleRecords.RAW: {
                rawRecords++;
                long ts = ShuffleRecords.rawTimestamp(value, off);
                boolean hasValue = ShuffleRecords.rawHasValue(value, off);
                String k = keys.intern(key, keyOff, keyOff + keyLen);
                event.fill(ShuffleRecords.rawId(value, off), ShuffleRecords.rawHasId(value, off), ts, k,
                        hasValue ? ShuffleRecords.rawValue(value, off) : 0.0, hasValue, value,
                        off + ShuffleRecords.RAW_HEADER, len - ShuffleRecords.RAW_HEADER);
                windows.processElement(event, ts, k);
                break;
            }
            case ShuffleRecords.PARTIAL: {
                String k = keys.intern(key, keyOff, keyOff + keyLen);
                try {
                    windows.mergePartial(k, ShuffleRecords.partialPaneStart(value, off), value,
                            off + ShuffleRecords.PARTIAL_HEADER, len - ShuffleRecords.PARTIAL_HEADER);
                } catch (IllegalArgumentException | IllegalStateException e) {
                    invalid(e.getMessage());
                }
                break;
            }
            default: {
                markers++;
                int from = ShuffleRecords.markerJob(value, off);
                if (from != job) {
                    throw new OtherJobException("a source task of " + ShuffleRecords.markerTopic(value, off) + "/"
                            + ShuffleRecords.markerPartition(value, off) + " runs another job (job #"
                            + Integer.toHexString(from) + "; this one is #" + Integer.toHexString(job) + ": "
                            + jobFingerprint + "). Every instance sharing the repartition topic must run the same"
                            + " job flags (window, types, key, lateness, aggregate); stop the others, or give this"
                            + " job another --group-id");
                }
                try {
                    sources.update(ShuffleRecords.markerTopic(value, off), ShuffleRecords.markerPartition(value, off),
                            ShuffleRecords.markerTotal(value, off), ShuffleRecords.markerWatermark(value, off),
                            ShuffleRecords.markerIdle(value, off));
                } catch (IllegalArgumentException e) {
                    invalid(e.getMessage());
                    return;
                }
                advance();
            }
        }
    }

    /**
     * A marker of another job reached a keyed task (see the class comment). An {@link IllegalArgumentException}:
     * the other instance's configuration is wrong, and the message says what to do.
     */
    public static final class OtherJobException extends IllegalArgumentException {
        OtherJobException(String message) {
            super(message);
        }
    }

    /** Whether the keyed record at {@code off} is new (and takes its sequence number), or a resend. */
    private boolean firstTime(byte[] value, int off) {
        long source = ShuffleRecords.originSource(value, off);
        int lineage = ShuffleRecords.originLineage(value, off);
        long sequence = ShuffleRecords.originSequence(value, off);
        int i = origins.get(source);
        if (i == LongIntHashMap.MISSING) {
            i = addOrigin(source);
        } else if (originLineages[i] == lineage) {
            long last = originSequences[i];
            if (sequence <= last) {
                return false;
            }
            if (sequence != last + 1) {
                gaps++;
            }
        }
        originLineages[i] = lineage;
        originSequences[i] = sequence;
        return true;
    }

    private int addOrigin(long source) {
        if (originCount == originSources.length) {
            int n = originCount * 2;
            originSources = Arrays.copyOf(originSources, n);
            originLineages = Arrays.copyOf(originLineages, n);
            originSequences = Arrays.copyOf(originSequences, n);
        }
        originSources[originCount] = source;
        origins.put(source, originCount);
        return originCount++;
    }

    private void advance() throws Exception {
        long w = sources.watermark();
        if (w > watermark) {
            watermark = w;
            windows.processWatermark(w);
        }
    }

    private void invalid(String message) {
        invalid++;
        lastInvalid = message;
    }

    /** Every source ended (their markers said {@link Long#MAX_VALUE}) or the replay is over: flush held output. */
    public void finish() throws Exception {
        windows.finish();
    }

    /** The job's watermark as this task knows it; {@link Long#MIN_VALUE} while held. */
    public long watermark() { return watermark; }

    /** Whether every source partition has reported (before that the watermark is held). */
    public boolean allSourcesReported() { return sources.allReported(); }

    public SourceWatermarks sources() { return sources; }

    public WindowOperator windowOperator() { return windows; }

    public long invalidRecords() { return invalid; }

    /** What was wrong with the last invalid record; {@code null} if none. */
    public String lastInvalid() { return lastInvalid; }

    public long rawRecords() { return rawRecords; }

    public long markers() { return markers; }

    public long results() { return resultCount; }

    /** Keyed records skipped because their source partition had sent them before (a restored source task). */
    public long duplicatesSkipped() { return duplicates; }

    /** Times a source partition's numbering jumped forward (records of the repartition stream missing). */
    public long sequenceGaps() { return gaps; }

    /** The window operator's counters (accepted raw elements, late, firings, open panes and windows). */
    public void publishMetrics(JobMetrics metrics) {
        windows.publishMetrics(metrics);
    }

    /**
     * Writes {@code "watermark", "origins": [{"source", "lineage", "sequence"}], "duplicates", "gaps", "sources":
     * {the table}, "windows": {the window operator's state}}.
     */
    public void snapshotState(StateWriter w) {
        w.writeLong("watermark", watermark);
        w.beginArray("origins");
        for (int i = 0; i < originCount; i++) {
            w.beginObject(null);
            w.writeLong("source", originSources[i]);
            w.writeLong("lineage", originLineages[i]);
            w.writeLong("sequence", originSequences[i]);
            w.endObject();
        }
        w.endArray();
        w.writeLong("duplicates", duplicates);
        w.writeLong("gaps", gaps);
        w.beginObject("sources");
        sources.snapshotState(w);
        w.endObject();
        w.beginObject("windows");
        windows.snapshotState(w);
        w.endObject();
    }

    /** Restores what {@link #snapshotState} wrote into this fresh stage. */
    public void restoreState(StateReader r) {
        watermark = r.readLong("watermark");
        r.beginArray("origins");
        while (r.hasNext()) {
            r.beginObject(null);
            long source = r.readLong("source");
            if (origins.get(source) != LongIntHashMap.MISSING) {
                throw new StateFormatException("source " + source + " twice in a keyed task's sequence table");
            }
            int i = addOrigin(source);
            originLineages[i] = (int) r.readLong("lineage");
            originSequences[i] = r.readLong("sequence");
            r.endObject();
        }
        r.endArray();
        duplicates = r.readLong("duplicates");
        gaps = r.readLong("gaps");
        r.beginObject("sources");
        sources.restoreState(r);
        r.endObject();
        r.beginObject("windows");
        windows.restoreState(r);
        r.endObject();
    }
}
