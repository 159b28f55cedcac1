package io.flinklite.runtime.task;

import io.flinklite.api.Job;
import io.flinklite.api.Sink;
import io.flinklite.api.WindowResult;
import io.flinklite.job.JobSpec;
import io.flinklite.runtime.graph.JobGraph;
import io.flinklite.runtime.graph.JobGraphs;
import io.flinklite.runtime.json.DecodedEvent;
import io.flinklite.runtime.json.EventDecoder;
import io.flinklite.runtime.metrics.JobMetrics;
import io.flinklite.runtime.operator.Operator;
import io.flinklite.runtime.operator.ReportsMetrics;
import io.flinklite.runtime.state.Snapshottable;
import io.flinklite.runtime.state.StateFormatException;
import io.flinklite.runtime.state.StateReader;
import io.flinklite.runtime.state.StateWriter;
import io.flinklite.source.DeadLetterHandler;
import io.flinklite.source.InvalidReason;
import io.flinklite.source.RecordBatch;
import io.flinklite.source.SourceReader;

import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.TreeMap;

/**
 * Runs one job instance, a {@link JobGraph}, on the calling thread (see docs/architecture.md): poll a batch from each
 * source's {@link SourceReader}, and for each record decode it, hand the event down the graph's operators (fused:
 * direct calls, no queues, see {@link ChainedGraph}), then advance its partition's watermark and pass the source's
 * watermark on when it moved. Results go to the sinks as operators emit them. Between batches: the idleness check,
 * metrics publication, and the {@link BatchHook}s (checkpoints). The loop never names an operator type: what an
 * operator counts it publishes itself ({@link ReportsMetrics}).
 *
 * <p>Per record, in this order, as in a Flink job that assigns watermarks in {@code fromSource} and filters after:
 * (1) decode; an invalid record is counted by reason, handed to the {@link DeadLetterHandler} and otherwise ignored;
 * (2) the event goes down the graph (filters, the window operator against its current watermark, ...); (3) the
 * partition's watermark advances from the record's timestamp, also when a filter dropped the event, and the operators
 * get the new watermark (each the minimum over its inputs). At the end of a bounded input the source's watermark
 * jumps to {@link Long#MAX_VALUE}; once every source ended, every operator is {@linkplain Operator#finish finished}.
 *
 * <p>{@link #run()} is called once, on the task thread; {@link #stop()} may be called from any thread. Everything
 * else ({@link #snapshotState}, {@link #restoreState}, {@link #positions()}, {@link #flushSinks()}) is for the task
 * thread: from a {@link BatchHook}, or before {@link #run()}. The per-record path allocates nothing for the built-in
 * job once every key has been seen.
 */
public final class StreamTask implements Snapshottable, AutoCloseable {
    private final TaskOptions options;
    private final JobMetrics metrics;
    private final DeadLetterHandler deadLetters;
    private final ResultTimer resultTimer;
    private final ChainedGraph chain;
    private final ChainedGraph.SourceRun[] sources;
    private final ChainedGraph.ReaderRun[] readers;
    private final ReportsMetrics[] reporters;
    private final String fingerprint;
    private final List<BatchHook> hooks = new ArrayList<>();
    private final RecordBatch batch = new RecordBatch();

    private volatile boolean stopRequested;
    private boolean endOfInput;

    // Per-batch counters, published to JobMetrics between batches.
    private long batchTotal;
    private final long[] batchInvalid = new long[InvalidReason.values().length];
    // Results up to the last successful flush of the sinks: what counts as written (JobMetrics.resultsWritten).
    private long flushedResults;

    /**
     * @param readers the graph's sources, in order: each reader delivers as many of them as it has sources
     *                ({@link SourceReader#sourceCount}), e.g. one Kafka reader of two topics for a join's two sources
     */
    public StreamTask(JobGraph graph, List<? extends SourceReader> readers, TaskOptions options,
                      DeadLetterHandler deadLetters, JobMetrics metrics) {
        this.options = Objects.requireNonNull(options, "options");
        this.metrics = Objects.requireNonNull(metrics, "metrics");
        this.deadLetters = Objects.requireNonNull(deadLetters, "deadLetters");
        this.resultTimer = new ResultTimer(metrics);
        this.fingerprint = graph.fingerprint();
        this.chain = new ChainedGraph(graph, readers, batch, options, resultTimer, metrics);
        this.sources = chain.sources();
        this.readers = chain.readers();
        this.reporters = chain.reporters();
    }

    /**
     * The built-in job of {@code spec} ({@link JobGraphs#builtIn}): results as {@link WindowResult}s.
     *
     * @param lateOutput where events later than the allowed lateness go, as their original bytes; {@code null} to only
     *                   count them
     */
    public static StreamTask forSpec(JobSpec spec, TaskOptions options, SourceReader source, Sink<WindowResult> results,
                                     Sink<byte[]> lateOutput, DeadLetterHandler deadLetters, JobMetrics metrics) {
        return new StreamTask(JobGraphs.builtIn(spec, options.idleTimeoutMs(), options.wallClockWhenIdle(), results,
                lateOutput), List.of(source), options, deadLetters, metrics);
    }

    /**
     * A user job built with {@link io.flinklite.api.Pipeline} ({@link JobGraphs#of}): its own sinks, watermark
     * strategy (idleness included) and functions. {@code options} supply the record limits and the clock.
     */
    public static StreamTask forJob(Job<?, ?, ?> job, TaskOptions options, SourceReader source,
                                    DeadLetterHandler deadLetters, JobMetrics metrics) {
        return new StreamTask(JobGraphs.of(job), List.of(source), options, deadLetters, metrics);
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

    /** The job's watermark: the minimum over its sources' watermarks, leaving idle sources out unless all are. */
    public long watermarkMs() {
        long min = Long.MAX_VALUE;
        long idleMin = Long.MAX_VALUE;
        for (ChainedGraph.SourceRun s : sources) {
            if (s.idle) {
                idleMin = Math.min(idleMin, s.emittedWatermark);
            } else {
                min = Math.min(min, s.emittedWatermark);
            }
        }
        return min == Long.MAX_VALUE && idleMin != Long.MAX_VALUE ? idleMin : min;
    }

    /** The watermark of one partition of the (first) source; {@link Long#MIN_VALUE} before its first record. */
    public long partitionWatermark(int partition) {
        return sources[0].watermarks.partitionWatermark(partition);
    }

    /** The watermark of one partition of the graph's source {@code source}; {@link Long#MIN_VALUE} before its first record. */
    public long partitionWatermark(int source, int partition) {
        return sources[source].watermarks.partitionWatermark(partition);
    }

    /** How many sources the graph has. */
    public int sourceCount() {
        return sources.length;
    }

    /** One line naming everything that shapes this task's state; a checkpoint records it to refuse a foreign restore. */
    public String fingerprint() {
        return fingerprint;
    }

    /**
     * Runs until every bounded input ended (every window fired, operators finished, sinks flushed) or {@link #stop()}
     * is called (sinks flushed; open windows stay open, to be restored from a checkpoint). The caller then
     * {@linkplain #close() closes} the task, and the sources and sinks.
     *
     * @throws Exception from a source, a sink, an operator or a hook; the task is then unusable
     */
    public void run() throws Exception {
        while (!stopRequested) {
            long now = 0;
            boolean more = false;
            for (ChainedGraph.ReaderRun r : readers) {
                if (r.ended) {
                    continue;
                }
                now = pollOnce(r);
                more |= !r.ended;
            }
            if (!more) {
                chain.finish();
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

    /**
     * Ends the task: {@linkplain Operator#close closes} every operator once, the last in graph order first, whether
     * {@link #run()} ended, failed or was stopped (call it after the last checkpoint; a closed task is not
     * snapshotted). Further calls do nothing. A failing close is logged and does not keep the others from closing;
     * the first failure is thrown, and under try-with-resources it is suppressed by the error that ended the run.
     * The sources and sinks stay the caller's to close.
     */
    @Override
    public void close() throws Exception {
        chain.closeOperators();
    }

    /** One poll of {@code r} and everything it leads to, for each of its sources; returns the time after the poll. */
    private long pollOnce(ChainedGraph.ReaderRun r) throws Exception {
        batch.clear();
        SourceReader reader = r.reader;
        ChainedGraph.SourceRun[] runs = r.runs;
        // Before the poll, so that the first batch of one partition cannot move event time past the others.
        for (ChainedGraph.SourceRun s : runs) {
            s.partitionCount = reader.partitionCount(s.index);
            if (s.partitionCount > 0) {
                s.watermarks.declarePartitionCount(s.partitionCount, options.clock().getAsLong());
            }
        }
        boolean more = reader.poll(batch, r, options.pollTimeoutMs());
        resultTimer.batchArrived();
        long now = options.clock().getAsLong();
        if (!batch.isEmpty()) {
            long max = options.maxFutureMs() == Long.MAX_VALUE ? Long.MAX_VALUE : saturatedAdd(now, options.maxFutureMs());
            for (ChainedGraph.SourceRun s : runs) {
                s.decoder.setTimestampBounds(options.minTimestampMs(), max);
            }
            processBatch(runs);
        }
        for (ChainedGraph.SourceRun s : runs) {
            for (int p = 0; p < s.partitionCount; p++) {
                if (!s.watermarks.isAssigned(p)) {
                    s.watermarks.reportWatermark(p, reader.reportedWatermark(s.index, p));
                }
            }
            s.advanceTo(s.watermarks.checkIdleness(now, s.lagOf));
            s.updateIdle();
            if (!more) {
                s.ended = true;
                s.updateIdle();
                s.advanceTo(s.watermarks.endOfInput());
            }
        }
        if (!more) {
            r.ended = true;
        }
        return now;
    }

    private static long saturatedAdd(long a, long b) {
        long r = a + b;
        return ((a ^ r) & (b ^ r)) < 0 ? Long.MAX_VALUE : r;
    }

    private void processBatch(ChainedGraph.SourceRun[] runs) throws Exception {
        RecordBatch records = batch;
        // One source per reader (the usual case): no lookup per record.
        boolean one = runs.length == 1;
        ChainedGraph.SourceRun s = runs[0];
        ChainedGraph.Context context = chain.context();
        int n = records.size();
        for (int i = 0; i < n; i++) {
            if (!one) {
                s = runs[records.source(i)];
            }
            EventDecoder decoder = s.decoder;
            DecodedEvent event = s.event;
            int partition = records.partition(i);
            long offset = records.offset(i);
            byte[] payload = records.payload(i);
            int payloadOffset = records.payloadOffset(i);
            int payloadLength = records.payloadLength(i);
            batchTotal++;
            s.recordRead(partition, offset, options.clock());
            InvalidReason reason = payload == null
                    ? InvalidReason.NULL_VALUE
                    : decoder.decode(payload, payloadOffset, payloadLength, records.timestamp(i), event);
            if (reason == null && !event.hasValue() && s.valueRequirement.requiresValue(event)) {
                reason = InvalidReason.BAD_VALUE;
            }
            if (reason != null) {
                invalid(s, partition, offset, payload, payloadOffset, payloadLength, reason);
                continue;
            }
            context.record(s, i);
            s.emit(event, event.timestamp());
            context.clear();
            s.advanceTo(s.watermarks.onEvent(partition, event.timestamp()));
            if (s.idle) {
                s.updateIdle(); // a record ends the source's idleness
            }
        }
    }

    private void invalid(ChainedGraph.SourceRun s, int partition, long offset, byte[] payload, int off, int len,
                         InvalidReason reason) {
        batchInvalid[reason.ordinal()]++;
        String detail = reason == InvalidReason.BAD_VALUE
                ? "\"" + s.decoder.valueFieldName() + "\" is missing or not a number"
                : reason == InvalidReason.NULL_VALUE ? "the record has no value (a tombstone)" : s.decoder.lastError();
        try {
            deadLetters.deadLetter(s.index, partition, offset, payload, off, len, reason, detail);
        } catch (RuntimeException e) {
            // A failing dead-letter handler must not stop the job; the record is counted as invalid already.
            System.getLogger(StreamTask.class.getName()).log(System.Logger.Level.WARNING,
                    "dead-letter handler failed for partition " + partition + " offset " + offset, e);
        }
    }

    private void publishMetrics() {
        metrics.addEventsTotal(batchTotal);
        batchTotal = 0;
        for (ReportsMetrics r : reporters) {
            r.publishMetrics(metrics);
        }
        for (InvalidReason r : InvalidReason.values()) {
            if (batchInvalid[r.ordinal()] != 0) {
                metrics.addInvalid(r, batchInvalid[r.ordinal()]);
                batchInvalid[r.ordinal()] = 0;
            }
        }
        metrics.setWatermarkMs(watermarkMs());
        List<JobMetrics.PartitionStats> stats = new ArrayList<>();
        for (ChainedGraph.SourceRun s : sources) {
            for (int p : s.watermarks.assignedPartitions()) {
                stats.add(new JobMetrics.PartitionStats(s.reader.topicOf(s.index, p), p,
                        s.watermarks.partitionWatermark(p), s.reader.lag(s.index, p), s.watermarks.isIdle(p),
                        s.nextOffset(p)));
            }
        }
        metrics.setPartitions(stats.toArray(new JobMetrics.PartitionStats[0]));
        metrics.setSourceAssigned(!stats.isEmpty());
    }

    /** Flushes every sink of the graph: everything emitted so far becomes durable. Task thread. */
    public void flushSinks() throws Exception {
        long results = chain.resultsEmitted();
        try {
            chain.flushSinks();
        } catch (Exception e) {
            ChainedGraph.countSinkError(metrics, e);
            throw e;
        }
        if (options.flushAcknowledgesResults()) {
            metrics.addResultsWritten(results - flushedResults);
        }
        flushedResults = results;
    }

    /**
     * Partition -> offset of the next record to read, for every assigned partition of the (first) source that
     * delivered a record (or was restored). Consistent with {@link #snapshotState} between batches.
     */
    public Map<Integer, Long> positions() {
        return sources[0].positions();
    }

    /** {@link #positions()} of the graph's source {@code source}. */
    public Map<Integer, Long> positions(int source) {
        return sources[source].positions();
    }

    /** The field names of source {@code i}'s state: the one source of a job keeps the names checkpoints always had. */
    private static String sourceField(String field, ChainedGraph.SourceRun s, int i) {
        return i == 0 ? field : field + ":" + s.node.id();
    }

    /**
     * Writes the complete state as the fields {@code "fingerprint"}, {@code "watermarks": {...}} (the first source's
     * {@link io.flinklite.runtime.watermark.WatermarkTracker}; further sources under {@code "watermarks:<id>"}), one
     * object per stateful operator under its id (the window operator's is {@code "windows"}), and
     * {@code "positions": [{"partition", "nextOffset"}]} (further sources: {@code "positions:<id>"}). A job of one
     * source and one window operator so writes exactly the layout of the checkpoints before job graphs.
     */
    @Override
    public void snapshotState(StateWriter out) {
        out.writeString("fingerprint", fingerprint);
        for (int i = 0; i < sources.length; i++) {
            out.beginObject(sourceField("watermarks", sources[i], i));
            sources[i].watermarks.snapshotState(out);
            out.endObject();
        }
        chain.snapshotOperators(out);
        for (int i = 0; i < sources.length; i++) {
            out.beginArray(sourceField("positions", sources[i], i));
            for (Map.Entry<Integer, Long> e : sources[i].positions().entrySet()) {
                out.beginObject(null);
                out.writeLong("partition", e.getKey());
                out.writeLong("nextOffset", e.getValue());
                out.endObject();
            }
            out.endArray();
        }
    }

    /**
     * Restores a snapshot into this fresh task, before {@link #run()}, and hands the positions to the sources.
     *
     * @throws StateFormatException when the snapshot is malformed or of another job
     */
    @Override
    public void restoreState(StateReader in) {
        String theirs = in.readString("fingerprint");
        if (!theirs.equals(fingerprint)) {
            throw new StateFormatException("the state belongs to another job: " + theirs
                    + " (this job: " + fingerprint + ")");
        }
        for (int i = 0; i < sources.length; i++) {
            in.beginObject(sourceField("watermarks", sources[i], i));
            sources[i].watermarks.restoreState(in);
            in.endObject();
        }
        chain.restoreOperators(in);
        List<Map<Integer, Long>> restored = new ArrayList<>();
        for (int i = 0; i < sources.length; i++) {
            Map<Integer, Long> positions = new TreeMap<>();
            in.beginArray(sourceField("positions", sources[i], i));
            while (in.hasNext()) {
                in.beginObject(null);
                int partition = (int) in.readLong("partition");
                long next = in.readLong("nextOffset");
                in.endObject();
                positions.put(partition, next);
                sources[i].restorePosition(partition, next);
            }
            in.endArray();
            restored.add(positions);
        }
        try {
            for (ChainedGraph.SourceRun s : sources) {
                s.advanceTo(s.watermarks.currentWatermark());
            }
        } catch (Exception e) {
            throw new IllegalStateException("restoring the watermark fired a window and its sink failed", e);
        }
        for (int i = 0; i < sources.length; i++) {
            sources[i].reader.restorePositions(sources[i].index, restored.get(i));
        }
    }
}
