package io.flinklite.runtime.task;

import io.flinklite.api.Event;
import io.flinklite.api.Job;
import io.flinklite.api.Sink;
import io.flinklite.api.WindowAssigner;
import io.flinklite.api.WindowResult;
import io.flinklite.api.Windowed;
import io.flinklite.job.JobSpec;
import io.flinklite.runtime.json.EventDecoder;
import io.flinklite.runtime.metrics.JobMetrics;
import io.flinklite.runtime.state.Snapshottable;
import io.flinklite.runtime.state.StateReader;
import io.flinklite.runtime.state.StateWriter;
import io.flinklite.runtime.watermark.WatermarkTracker;
import io.flinklite.runtime.window.BuiltinAggregator;
import io.flinklite.runtime.window.UserAggregator;
import io.flinklite.runtime.window.WindowAggregator;
import io.flinklite.runtime.window.WindowOperator;
import io.flinklite.source.DeadLetterHandler;
import io.flinklite.source.InvalidReason;
import io.flinklite.source.PartitionListener;
import io.flinklite.source.RecordBatch;
import io.flinklite.source.SourceReader;

import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.TreeMap;
import java.util.function.IntToLongFunction;

/**
 * Runs one job instance on the calling thread (see docs/architecture.md): poll a batch from the {@link SourceReader},
 * and for each record decode it, let the window operator see it (unless a filter drops it), then advance its
 * partition's watermark, firing the windows the watermark passes; results go to the sinks as they fire. Between
 * batches: the idleness check, metrics publication, and the {@link BatchHook}s (checkpoints).
 *
 * <p>Per record, in this order, as in a Flink job that assigns watermarks in {@code fromSource} and filters after:
 * (1) decode; an invalid record is counted by reason, handed to the {@link DeadLetterHandler} and otherwise ignored;
 * (2) the filter (the built-in job's {@code types}, or a user job's functions); (3) the window operator processes the
 * element against the current watermark; (4) the partition's watermark advances from the record's timestamp, also
 * when the filter dropped it, and windows it passes fire. At the end of a bounded input the watermark jumps to
 * {@link Long#MAX_VALUE} and every open window fires.
 *
 * <p>{@link #run()} is called once, on the task thread; {@link #stop()} may be called from any thread. Everything
 * else ({@link #snapshotState}, {@link #restoreState}, {@link #positions()}, {@link #flushSinks()}) is for the task
 * thread: from a {@link BatchHook}, or before {@link #run()}. The per-record path allocates nothing for the built-in
 * job once every key has been seen.
 */
public final class StreamTask implements Snapshottable {
    private final SourceReader source;
    private final TaskOptions options;
    private final JobMetrics metrics;
    private final DeadLetterHandler deadLetters;
    private final Sink<?> resultSink;
    private final ResultTimer resultTimer;
    private final Sink<byte[]> lateSink;
    private final EventDecoder decoder;
    private final WatermarkTracker watermarks;
    private final WindowOperator operator;
    private final ElementPath path;
    private final String fingerprint;
    private final List<BatchHook> hooks = new ArrayList<>();
    private final Event event = new Event();
    private final RecordBatch batch = new RecordBatch();
    private final Listener listener = new Listener();
    /** The source's lag per partition: a partition with records still to read is slow, not idle. */
    private final IntToLongFunction lagOf;

    private volatile boolean stopRequested;
    private boolean endOfInput;
    /** The source's partition count, or -1 (see {@link SourceReader#partitionCount}). */
    private int partitionCount = -1;

    /** Next offset per partition id; -1 when nothing was read yet. */
    private long[] nextOffsets = new long[8];

    // The record being processed, for the late side output.
    private byte[] currentPayload;
    private int currentOffset;
    private int currentLength;

    // Per-batch counters, published to JobMetrics between batches.
    private long batchTotal;
    private long batchWindowed;
    private long batchFiltered;
    private final long[] batchInvalid = new long[InvalidReason.values().length];
    private long publishedFirings;
    // Firings up to the last successful flush of the result sink: what counts as written (JobMetrics.resultsWritten).
    private long flushedFirings;
    private long publishedLateFirings;
    private long publishedLate;

    private StreamTask(SourceReader source, TaskOptions options, JobMetrics metrics, DeadLetterHandler deadLetters,
                       Sink<?> resultSink, Sink<byte[]> lateSink, String keyField, String valueField,
                       io.flinklite.job.TimestampSpec timestamps, long outOfOrdernessMs, long idleTimeoutMs, boolean wallClockWhenIdle, WindowAssigner assigner,
                       long allowedLatenessMs, WindowAggregator aggregator, ElementPath path, String fingerprint,
                       ResultTimer resultTimer) {
        this.source = Objects.requireNonNull(source, "source");
        this.lagOf = source::lag;
        this.options = Objects.requireNonNull(options, "options");
        this.metrics = Objects.requireNonNull(metrics, "metrics");
        this.deadLetters = Objects.requireNonNull(deadLetters, "deadLetters");
        this.resultSink = resultSink;
        this.resultTimer = resultTimer;
        this.lateSink = lateSink;
        this.decoder = new EventDecoder(keyField, valueField, timestamps, options.maxRecordBytes());
        this.watermarks = new WatermarkTracker(outOfOrdernessMs, idleTimeoutMs, wallClockWhenIdle);
        this.operator = new WindowOperator(assigner, allowedLatenessMs, aggregator, this::onLateElement);
        this.path = path;
        this.fingerprint = fingerprint;
        Arrays.fill(nextOffsets, -1);
    }

    /**
     * The built-in job of {@code spec}: results as {@link WindowResult}s.
     *
     * @param lateOutput where events later than the allowed lateness go, as their original bytes; {@code null} to only
     *                   count them
     */
    public static StreamTask forSpec(JobSpec spec, TaskOptions options, SourceReader source, Sink<WindowResult> results,
                                     Sink<byte[]> lateOutput, DeadLetterHandler deadLetters, JobMetrics metrics) {
        ResultTimer timer = new ResultTimer(metrics);
        Sink<WindowResult> timedResults = timer.timed(results);
        return new StreamTask(source, options, metrics, deadLetters, timedResults, lateOutput, spec.keyField(),
                spec.aggregate().field(), spec.timestamps(), spec.outOfOrdernessMs(), options.idleTimeoutMs(), options.wallClockWhenIdle(),
                spec.window().assigner(), spec.allowedLatenessMs(),
                new BuiltinAggregator(spec.aggregate().kind(), timedResults), new ElementPath.BuiltIn(spec),
                spec.fingerprint(), timer);
    }

    /**
     * A user job built with {@link io.flinklite.api.Pipeline}: its own sinks, watermark strategy (idleness included)
     * and functions. {@code options} supply the record limits and the clock.
     */
    public static <T, ACC, OUT> StreamTask forJob(Job<T, ACC, OUT> job, TaskOptions options, SourceReader source,
                                                  DeadLetterHandler deadLetters, JobMetrics metrics) {
        var strategy = job.source().watermarks();
        String fingerprint = "userJob;window=" + job.assigner() + ";allowedLateness=" + job.allowedLatenessMs()
                + ";keyField=" + job.source().keyField() + ";valueField=" + job.source().valueField()
                + ";outOfOrderness=" + strategy.outOfOrdernessMs()
                + (job.source().timestamps().equals(io.flinklite.job.TimestampSpec.defaults())
                        ? "" : ";timestamps=" + job.source().timestamps());
        ResultTimer timer = new ResultTimer(metrics);
        Sink<Windowed<OUT>> timedSink = timer.timed(job.sink());
        return new StreamTask(source, options, metrics, deadLetters, timedSink, job.lateSink(), job.source().keyField(),
                job.source().valueField(), job.source().timestamps(), strategy.outOfOrdernessMs(), strategy.idleTimeoutMs(),
                strategy.wallClockWhenIdle(), job.assigner(), job.allowedLatenessMs(),
                new UserAggregator<T, ACC, OUT>(job.function(), job.serializer(), timedSink),
                new ElementPath.UserFunctions(job.transformations(), job.keySelector(), job.source().valueField() != null),
                fingerprint, timer);
    }

    /** Adds periodic work to run between batches (before {@link #run()}). */
    public void addHook(BatchHook hook) {
        hooks.add(Objects.requireNonNull(hook, "hook"));
    }

    /** Asks {@link #run()} to return after the current batch. Any thread. */
    public void stop() {
        stopRequested = true;
    }

    /** True once a bounded input ended and the final watermark fired every window. */
    public boolean isEndOfInput() {
        return endOfInput;
    }

    /** The job's combined watermark. */
    public long watermarkMs() {
        return operator.currentWatermark();
    }

    /** The watermark of one input partition; {@link Long#MIN_VALUE} before its first record. Task thread. */
    public long partitionWatermark(int partition) {
        return watermarks.partitionWatermark(partition);
    }

    /** One line naming everything that shapes this task's state; a checkpoint records it to refuse a foreign restore. */
    public String fingerprint() {
        return fingerprint;
    }

    /**
     * Runs until the bounded input ends (every window fired, sinks flushed) or {@link #stop()} is called (sinks
     * flushed; open windows stay open, to be restored from a checkpoint). The caller closes the source and sinks.
     *
     * @throws Exception from the source, a sink or a hook; the task is then unusable
     */
    public void run() throws Exception {
        while (!stopRequested) {
            batch.clear();
            // Before the poll, so that the first batch of one partition cannot move event time past the others.
            partitionCount = source.partitionCount();
            if (partitionCount > 0) {
                watermarks.declarePartitionCount(partitionCount, options.clock().getAsLong());
            }
            boolean more = source.poll(batch, listener, options.pollTimeoutMs());
            resultTimer.batchArrived();
            long now = options.clock().getAsLong();
            if (!batch.isEmpty()) {
                long max = options.maxFutureMs() == Long.MAX_VALUE ? Long.MAX_VALUE : saturatedAdd(now, options.maxFutureMs());
                decoder.setTimestampBounds(options.minTimestampMs(), max);
                processBatch();
            }
            for (int p = 0; p < partitionCount; p++) {
                if (!watermarks.isAssigned(p)) {
                    watermarks.reportWatermark(p, source.reportedWatermark(p));
                }
            }
            long w = watermarks.checkIdleness(now, lagOf);
            if (w > operator.currentWatermark()) {
                operator.advanceWatermark(w);
            }
            if (!more) {
                operator.advanceWatermark(watermarks.endOfInput());
                endOfInput = true;
            }
            publishMetrics();
            if (endOfInput) {
                flushSinks();
            }
            for (BatchHook hook : hooks) {
                hook.afterBatch(this, now);
            }
            if (endOfInput) {
                return;
            }
        }
        flushSinks();
    }

    private static long saturatedAdd(long a, long b) {
        long r = a + b;
        return ((a ^ r) & (b ^ r)) < 0 ? Long.MAX_VALUE : r;
    }

    private void processBatch() throws Exception {
        RecordBatch records = batch;
        int n = records.size();
        for (int i = 0; i < n; i++) {
            int partition = records.partition(i);
            long offset = records.offset(i);
            byte[] payload = records.payload(i);
            int payloadOffset = records.payloadOffset(i);
            int payloadLength = records.payloadLength(i);
            batchTotal++;
            if (partition >= nextOffsets.length) {
                growOffsets(partition + 1);
            }
            nextOffsets[partition] = offset + 1;
            if (!watermarks.isAssigned(partition)) {
                // A reader that did not announce the partition: treat its first record as the assignment.
                watermarks.addPartition(partition, options.clock().getAsLong());
            }
            InvalidReason reason = payload == null
                    ? InvalidReason.NULL_VALUE
                    : decoder.decode(payload, payloadOffset, payloadLength, records.timestamp(i), event);
            if (reason == null && path.validate(event) == ElementPath.BAD_VALUE) {
                reason = InvalidReason.BAD_VALUE;
            }
            if (reason != null) {
                invalid(partition, offset, payload, payloadOffset, payloadLength, reason);
                continue;
            }
            currentPayload = payload;
            currentOffset = payloadOffset;
            currentLength = payloadLength;
            if (path.process(event, operator) == ElementPath.WINDOWED) {
                batchWindowed++;
            } else {
                batchFiltered++;
            }
            long w = watermarks.onEvent(partition, event.timestamp());
            if (w > operator.currentWatermark()) {
                operator.advanceWatermark(w);
            }
        }
        currentPayload = null;
    }

    private void invalid(int partition, long offset, byte[] payload, int off, int len, InvalidReason reason) {
        batchInvalid[reason.ordinal()]++;
        String detail = reason == InvalidReason.BAD_VALUE
                ? "\"" + decoder.valueFieldName() + "\" is missing or not a number"
                : reason == InvalidReason.NULL_VALUE ? "the record has no value (a tombstone)" : decoder.lastError();
        try {
            deadLetters.deadLetter(partition, offset, payload, off, len, reason, detail);
        } catch (RuntimeException e) {
            // A failing dead-letter handler must not stop the job; the record is counted as invalid already.
            System.getLogger(StreamTask.class.getName()).log(System.Logger.Level.WARNING,
                    "dead-letter handler failed for partition " + partition + " offset " + offset, e);
        }
    }

    private void onLateElement(Object element, long timestamp) throws Exception {
        path.onLate(event);
        if (lateSink == null) {
            return;
        }
        byte[] copy;
        if (currentPayload == null) {
            copy = new byte[0];
        } else if (currentOffset == 0 && currentLength == currentPayload.length) {
            copy = currentPayload; // a whole-array payload (a Kafka record value) is already the record's own
        } else {
            copy = Arrays.copyOfRange(currentPayload, currentOffset, currentOffset + currentLength);
        }
        try {
            lateSink.write(copy);
        } catch (Exception e) {
            countSinkError(e);
            throw e;
        }
    }

    private void growOffsets(int n) {
        int old = nextOffsets.length;
        nextOffsets = Arrays.copyOf(nextOffsets, Math.max(n, old * 2));
        Arrays.fill(nextOffsets, old, nextOffsets.length, -1);
    }

    private void publishMetrics() {
        long late = operator.lateElements();
        long lateDelta = late - publishedLate;
        publishedLate = late;
        metrics.addEventsTotal(batchTotal);
        metrics.addAccepted(batchWindowed - lateDelta);
        metrics.addFiltered(batchFiltered);
        metrics.addLate(lateDelta);
        path.publish(metrics);
        for (InvalidReason r : InvalidReason.values()) {
            if (batchInvalid[r.ordinal()] != 0) {
                metrics.addInvalid(r, batchInvalid[r.ordinal()]);
                batchInvalid[r.ordinal()] = 0;
            }
        }
        long firings = operator.firings();
        metrics.addWindowsFlushed(firings - publishedFirings);
        publishedFirings = firings;
        long lateFirings = operator.lateFirings();
        metrics.addLateFirings(lateFirings - publishedLateFirings);
        publishedLateFirings = lateFirings;
        metrics.setOpenPanes(operator.openPanes());
        metrics.setOpenWindows(operator.openWindows());
        metrics.setWatermarkMs(operator.currentWatermark());
        int[] parts = watermarks.assignedPartitions();
        JobMetrics.PartitionStats[] stats = new JobMetrics.PartitionStats[parts.length];
        for (int i = 0; i < parts.length; i++) {
            int p = parts[i];
            stats[i] = new JobMetrics.PartitionStats(source.topicOf(p), p, watermarks.partitionWatermark(p),
                    source.lag(p), watermarks.isIdle(p), p < nextOffsets.length ? nextOffsets[p] : -1);
        }
        metrics.setPartitions(stats);
        metrics.setSourceAssigned(parts.length > 0);
        batchTotal = 0;
        batchWindowed = 0;
        batchFiltered = 0;
    }

    /** A plug-in sink counts its own failures ({@link io.flinklite.sink.SinkMetrics}): not twice. */
    private void countSinkError(Exception e) {
        if (!(e instanceof io.flinklite.sink.SinkException)) {
            metrics.addSinkErrors(1);
        }
    }

    /** Flushes the result and late sinks: everything emitted so far becomes durable. Task thread. */
    public void flushSinks() throws Exception {
        long firings = operator.firings();
        try {
            resultSink.flush();
            if (lateSink != null) {
                lateSink.flush();
            }
        } catch (Exception e) {
            countSinkError(e);
            throw e;
        }
        if (options.flushAcknowledgesResults()) {
            metrics.addResultsWritten(firings - flushedFirings);
        }
        flushedFirings = firings;
    }

    /**
     * Partition -> offset of the next record to read, for every assigned partition that delivered a record (or was
     * restored). Consistent with {@link #snapshotState} between batches.
     */
    public Map<Integer, Long> positions() {
        Map<Integer, Long> out = new TreeMap<>();
        for (int p = 0; p < nextOffsets.length; p++) {
            if (nextOffsets[p] >= 0) {
                out.put(p, nextOffsets[p]);
            }
        }
        return out;
    }

    /**
     * Writes the complete state as the fields {@code "fingerprint", "watermarks": {...}, "windows": {...},
     * "positions": [{"partition", "nextOffset"}]}
     * (see {@link WatermarkTracker#snapshotState} and {@link WindowOperator#snapshotState}).
     */
    @Override
    public void snapshotState(StateWriter out) {
        out.writeString("fingerprint", fingerprint);
        out.beginObject("watermarks");
        watermarks.snapshotState(out);
        out.endObject();
        out.beginObject("windows");
        operator.snapshotState(out);
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

    /**
     * Restores a snapshot into this fresh task, before {@link #run()}, and hands the positions to the source.
     *
     * @throws io.flinklite.runtime.state.StateFormatException when the snapshot is malformed or of another job
     */
    @Override
    public void restoreState(StateReader in) {
        String theirs = in.readString("fingerprint");
        if (!theirs.equals(fingerprint)) {
            throw new io.flinklite.runtime.state.StateFormatException("the state belongs to another job: " + theirs
                    + " (this job: " + fingerprint + ")");
        }
        in.beginObject("watermarks");
        watermarks.restoreState(in);
        in.endObject();
        in.beginObject("windows");
        operator.restoreState(in);
        in.endObject();
        Map<Integer, Long> restored = new TreeMap<>();
        in.beginArray("positions");
        while (in.hasNext()) {
            in.beginObject(null);
            int partition = (int) in.readLong("partition");
            long next = in.readLong("nextOffset");
            in.endObject();
            restored.put(partition, next);
            if (partition >= nextOffsets.length) {
                growOffsets(partition + 1);
            }
            nextOffsets[partition] = next;
        }
        in.endArray();
        try {
            operator.advanceWatermark(watermarks.currentWatermark());
        } catch (Exception e) {
            throw new IllegalStateException("restoring the watermark fired a window and its sink failed", e);
        }
        source.restorePositions(restored);
    }

    private final class Listener implements PartitionListener {
        @Override
        public void partitionAssigned(int partition) {
            watermarks.addPartition(partition, options.clock().getAsLong());
        }

        @Override
        public void partitionRevoked(int partition) {
            watermarks.removePartition(partition, options.clock().getAsLong());
            if (partition < nextOffsets.length) {
                nextOffsets[partition] = -1;
            }
        }
    }
}
