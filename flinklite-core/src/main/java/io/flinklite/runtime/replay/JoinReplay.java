package io.flinklite.runtime.replay;

import io.flinklite.api.Event;
import io.flinklite.api.OutputTag;
import io.flinklite.api.Sink;
import io.flinklite.job.JobSpec;
import io.flinklite.job.JoinSpec;
import io.flinklite.runtime.join.IntervalJoinOperator;
import io.flinklite.runtime.join.JoinedPair;
import io.flinklite.runtime.join.JsonPayloadCodec;
import io.flinklite.runtime.join.WindowJoinOperator;
import io.flinklite.runtime.json.EventDecoder;
import io.flinklite.runtime.operator.Output;
import io.flinklite.runtime.operator.TwoInputOperator;
import io.flinklite.runtime.task.TaskOptions;
import io.flinklite.runtime.watermark.WatermarkTracker;
import io.flinklite.source.InvalidReason;
import io.flinklite.source.PartitionListener;
import io.flinklite.source.RecordBatch;
import io.flinklite.source.SourceReader;

import java.io.InputStream;
import java.util.Arrays;
import java.util.EnumMap;
import java.util.Map;
import java.util.Objects;
import java.util.function.Consumer;

/**
 * Deterministic replay of a stream-stream join over two files of JSON events: the engine behind
 * {@code flinklite replay --join-input ... --join ...} (issue 13's contract), and the smallest driver that feeds a
 * join operator. When the operator graph's task loop can run two-input operators, it takes this class's place; the
 * rules below are what it must keep.
 *
 * <ol>
 *   <li>The files take turns, one physical line each ({@link AlternatingSourceReader}); invalid lines take their
 *       turn, are reported with their file and line number, and are otherwise ignored.</li>
 *   <li>Per valid line, in this order, as in the single-input replay: the type filter ({@code --types}, on both
 *       sides); a kept event goes to the join operator against the operator's current watermark; then its side's
 *       watermark advances ({@code max timestamp of that side - out-of-orderness - 1}), also for a filtered event, and
 *       when the minimum of the two sides' watermarks advances the operator gets it.</li>
 *   <li>A side whose file has ended (or is empty) no longer holds the minimum back: its watermark becomes
 *       {@code +infinity} at its turn after its last line. When both have ended the operator's watermark is
 *       {@code +infinity}: every window fires and all join state is dropped.</li>
 *   <li>Pairs go to the pair sink as the operator emits them (see {@link IntervalJoinOperator} and
 *       {@link WindowJoinOperator} for their order); late events, of either side, go unchanged to the late sink.</li>
 * </ol>
 *
 * <p>Runs on the calling thread; no wall clock is read. The sinks are flushed, not closed.
 */
public final class JoinReplay implements PartitionListener {
    private static final OutputTag<Event> LATE_LEFT = new OutputTag<>("late-left");
    private static final OutputTag<Event> LATE_RIGHT = new OutputTag<>("late-right");
    private static final String[] FLAGS = {"--input", "--join-input"};

    private final JobSpec job;
    private final SourceReader source;
    private final Sink<JoinedPair<byte[], byte[]>> pairs;
    private final Sink<byte[]> late;
    private final Consumer<String> invalidReporter;
    private final EventDecoder decoder;
    private final WatermarkTracker[] sides = new WatermarkTracker[2];
    private final boolean[] ended = new boolean[2];
    private final TwoInputOperator<Event, Event> operator;
    private final Event event = new Event();
    private final RecordBatch batch = new RecordBatch();
    private long watermark = Long.MIN_VALUE;

    private final long[] records = new long[2];
    private final long[] joined = new long[2];
    private final long[] filtered = new long[2];
    private final long[] lateCount = new long[2];
    @SuppressWarnings("unchecked")
    private final Map<InvalidReason, Long>[] invalid = new Map[] {new EnumMap<>(InvalidReason.class),
            new EnumMap<>(InvalidReason.class)};
    private long pairCount;

    private JoinReplay(JobSpec job, JoinSpec join, SourceReader source, Sink<JoinedPair<byte[], byte[]>> pairs,
                       Sink<byte[]> late, Consumer<String> invalidReporter) {
        this.job = Objects.requireNonNull(job, "job");
        this.source = source;
        this.pairs = Objects.requireNonNull(pairs, "pairs");
        this.late = late;
        this.invalidReporter = Objects.requireNonNull(invalidReporter, "invalidReporter");
        TaskOptions options = TaskOptions.replay();
        this.decoder = new EventDecoder(job.keyField(), null, job.timestamps(), options.maxRecordBytes());
        decoder.setTimestampBounds(options.minTimestampMs(), options.maxFutureMs());
        for (int side = 0; side < 2; side++) {
            sides[side] = new WatermarkTracker(job.outOfOrdernessMs(), 0, false);
            sides[side].addPartition(0, 0);
        }
        Output<JoinedPair<byte[], byte[]>> output = new ReplayOutput();
        this.operator = Objects.requireNonNull(join, "join").isInterval()
                ? new IntervalJoinOperator<>(join.lowerBoundMs(), join.upperBoundMs(), JsonPayloadCodec.INSTANCE,
                        JsonPayloadCodec.INSTANCE, output, LATE_LEFT, LATE_RIGHT)
                : new WindowJoinOperator<>(join.window().assigner(), job.allowedLatenessMs(), JsonPayloadCodec.INSTANCE,
                        JsonPayloadCodec.INSTANCE, output, LATE_LEFT, LATE_RIGHT);
    }

    /**
     * Replays the join of {@code left} and {@code right}. The job's window and aggregate are not used; its
     * allowed lateness applies to window joins only (interval joins have none, as in Flink).
     *
     * @param left            UTF-8 JSON lines of the left input; read to the end and closed
     * @param right           the same for the right input
     * @param pairs           receives every pair (a reused object: see {@link JoinedPair})
     * @param late            receives the raw bytes of every late event; {@code null} to only count them
     * @param invalidReporter one message per invalid line, e.g. {@code "--join-input line 3: not_json: ..."}
     * @throws Exception from reading an input or from a sink
     */
    public static Stats run(JobSpec job, JoinSpec join, InputStream left, InputStream right,
                            Sink<JoinedPair<byte[], byte[]>> pairs, Sink<byte[]> late,
                            Consumer<String> invalidReporter) throws Exception {
        return run(job, join, new AlternatingSourceReader(left, right, TaskOptions.replay().maxRecordBytes(),
                FLAGS[0], FLAGS[1]), pairs, late, invalidReporter);
    }

    /**
     * The same over events in memory, one JSON object per array element (reported as "line N" with N its 1-based
     * index): the benchmark's entry.
     */
    public static Stats run(JobSpec job, JoinSpec join, byte[][] left, byte[][] right,
                            Sink<JoinedPair<byte[], byte[]>> pairs, Sink<byte[]> late,
                            Consumer<String> invalidReporter) throws Exception {
        return run(job, join, new AlternatingSourceReader(left, right, FLAGS[0], FLAGS[1]), pairs, late,
                invalidReporter);
    }

    private static Stats run(JobSpec job, JoinSpec join, SourceReader source, Sink<JoinedPair<byte[], byte[]>> pairs,
                             Sink<byte[]> late, Consumer<String> invalidReporter) throws Exception {
        try (source) {
            JoinReplay replay = new JoinReplay(job, join, source, pairs, late, invalidReporter);
            long start = System.nanoTime();
            replay.run();
            return replay.stats(System.nanoTime() - start);
        }
    }

    private void run() throws Exception {
        boolean more = true;
        while (more) {
            batch.clear();
            more = source.poll(batch, this, 0);
            advance(combinedWatermark()); // a file that ended during the poll, before the batch's records
            for (int i = 0; i < batch.size(); i++) {
                process(batch.partition(i), batch.offset(i), batch.payload(i), batch.payloadOffset(i),
                        batch.payloadLength(i));
            }
        }
        advance(Long.MAX_VALUE); // both inputs ended (an input that never announced its end included)
        operator.finish();
        pairs.flush();
        if (late != null) {
            late.flush();
        }
    }

    private void process(int side, long line, byte[] payload, int offset, int length) throws Exception {
        records[side]++;
        InvalidReason reason = decoder.decode(payload, offset, length, event);
        if (reason != null) {
            invalid[side].merge(reason, 1L, Long::sum);
            invalidReporter.accept(FLAGS[side] + " line " + line + ": " + reason.label() + ": " + decoder.lastError());
            return;
        }
        String key = event.key();
        long ts = event.timestamp();
        if (!job.selects(key)) {
            filtered[side]++;
        } else {
            joined[side]++;
            if (side == AlternatingSourceReader.LEFT) {
                operator.processElement1(event, ts, key);
            } else {
                operator.processElement2(event, ts, key);
            }
        }
        sides[side].onEvent(0, ts);
        advance(combinedWatermark());
    }

    private long combinedWatermark() {
        long left = ended[0] ? Long.MAX_VALUE : sides[0].currentWatermark();
        long right = ended[1] ? Long.MAX_VALUE : sides[1].currentWatermark();
        return Math.min(left, right);
    }

    private void advance(long w) throws Exception {
        if (w > watermark) {
            watermark = w;
            operator.processWatermark(w);
        }
    }

    @Override
    public void partitionAssigned(int partition) {
    }

    /**
     * The alternating reader read the end of {@code partition}'s file: that side stops holding event time back from
     * the records of this poll on (the reader revokes only before a batch's first record).
     */
    @Override
    public void partitionRevoked(int partition) {
        ended[partition] = true;
    }

    private Stats stats(long elapsedNanos) {
        Side[] s = new Side[2];
        for (int side = 0; side < 2; side++) {
            s[side] = new Side(records[side], joined[side] - lateCount[side], filtered[side], lateCount[side],
                    Map.copyOf(invalid[side]));
        }
        return new Stats(s[0], s[1], pairCount, elapsedNanos);
    }

    /** The operator's outputs: pairs to the pair sink, late events of both sides to the late sink. */
    private final class ReplayOutput implements Output<JoinedPair<byte[], byte[]>> {
        @Override
        public void emit(JoinedPair<byte[], byte[]> pair, long timestampMs) throws Exception {
            pairCount++;
            pairs.write(pair);
        }

        @Override
        public <X> void emitSide(OutputTag<X> tag, X element, long timestampMs) throws Exception {
            Event e = (Event) element;
            lateCount[tag.equals(LATE_LEFT) ? 0 : 1]++;
            if (late != null) {
                late.write(Arrays.copyOfRange(e.payload(), e.payloadOffset(), e.payloadOffset() + e.payloadLength()));
            }
        }

        @Override
        public void emitWatermark(long watermarkMs) {
        }
    }

    /** What one side's file held: every non-blank line is exactly one of joined (accepted), filtered, late, invalid. */
    public record Side(long records, long accepted, long filtered, long late, Map<InvalidReason, Long> invalidByReason) {
        public long invalid() {
            long n = 0;
            for (long v : invalidByReason.values()) {
                n += v;
            }
            return n;
        }

        @Override
        public String toString() {
            StringBuilder s = new StringBuilder().append(records).append(" records: ").append(accepted)
                    .append(" accepted, ").append(filtered).append(" filtered, ").append(late).append(" late, ")
                    .append(invalid()).append(" invalid");
            if (!invalidByReason.isEmpty()) {
                StringBuilder reasons = new StringBuilder();
                for (InvalidReason r : InvalidReason.values()) {
                    Long n = invalidByReason.get(r);
                    if (n != null) {
                        reasons.append(reasons.length() == 0 ? "" : ", ").append(r.label()).append(' ').append(n);
                    }
                }
                s.append(" (").append(reasons).append(')');
            }
            return s.toString();
        }
    }

    /** What a join replay did. */
    public record Stats(Side left, Side right, long pairs, long elapsedNanos) {
        @Override
        public String toString() {
            return "--input " + left + "; --join-input " + right + "; " + pairs + " pairs";
        }
    }
}
