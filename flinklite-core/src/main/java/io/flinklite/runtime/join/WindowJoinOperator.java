package io.flinklite.runtime.join;

import io.flinklite.api.OutputTag;
import io.flinklite.api.WindowAssigner;
import io.flinklite.runtime.metrics.JobMetrics;
import io.flinklite.runtime.operator.Output;
import io.flinklite.runtime.operator.ReportsMetrics;
import io.flinklite.runtime.operator.TwoInputOperator;
import io.flinklite.runtime.state.StateFormatException;
import io.flinklite.runtime.state.StateReader;
import io.flinklite.runtime.state.StateWriter;
import io.flinklite.runtime.window.WindowOperator;

import java.util.Objects;

/**
 * The keyed event-time window join, with the semantics of Flink's {@code join(..).where(..).equalTo(..).window(..)}:
 * Flink runs it as a {@code coGroup}, the tagged union of both inputs into one window operator with the window's
 * event-time trigger and allowed lateness, whose window function pairs every left element of the window with every
 * right one. So does this operator, on the engine's {@link WindowOperator} (panes, session merging, lateness and
 * cleanup as there, see docs/semantics.md), with {@link JoinPanes} holding the elements instead of accumulators.
 *
 * <ul>
 *   <li><b>Firing.</b> When the watermark reaches a window's max timestamp, each left element of the key's window pairs
 *       with each right element: one {@link JoinedPair} per pair, timestamp {@code end - 1}. A window with elements
 *       of one side only emits nothing. Session windows merge whatever side their elements came from, so a right
 *       element can bridge two sessions that so far held only left elements.</li>
 *   <li><b>Lateness.</b> An element that reaches a window already fired but within the allowed lateness fires it
 *       again at once with its full contents (every pair again, as Flink's trigger does). An element that every
 *       window skipped and whose {@code ts + allowedLateness <= W} goes to its side's late output and is counted
 *       (Flink drops it, counting it in {@code numLateRecordsDropped}); that is the only difference.</li>
 *   <li><b>Order.</b> The firings of one call (a watermark advance, or a late element) in the order of window end,
 *       then start, then key; within a firing, left-major, both sides in timestamp order, arrival order among equal
 *       timestamps. (Flink emits a window's left elements in arrival order and leaves the order of windows firing at
 *       the same time open.)</li>
 * </ul>
 *
 * <p>Task thread only. Per element the work is the window operator's plus the codec's copy of the element.
 *
 * @param <IN1> left elements as they arrive
 * @param <IN2> right elements as they arrive
 * @param <S1>  left elements as buffered
 * @param <S2>  right elements as buffered
 */
public final class WindowJoinOperator<IN1, IN2, S1, S2> implements TwoInputOperator<IN1, IN2>, ReportsMetrics {
    private final JoinMeter meter = new JoinMeter();
    private final WindowAssigner assigner;
    private final long allowedLateness;
    private final JoinPanes<S1, S2> panes;
    private final WindowOperator windows;
    private final Output<JoinedPair<S1, S2>> output;
    private final OutputTag<IN1> lateLeftTag;
    private final OutputTag<IN2> lateRightTag;
    private final JoinedPair<S1, S2> pair = new JoinedPair<>();
    private final JoinPanes.PairSink<S1, S2> emitPair = this::emitPair;

    private long pairs;
    private long lateLeft;
    private long lateRight;

    /**
     * @param allowedLatenessMs how long after firing a window keeps its elements and accepts late ones
     * @param output            receives the pairs (main output) and the late elements (the two tags)
     */
    public WindowJoinOperator(WindowAssigner assigner, long allowedLatenessMs, ElementCodec<IN1, S1> leftCodec,
                              ElementCodec<IN2, S2> rightCodec, Output<JoinedPair<S1, S2>> output,
                              OutputTag<IN1> lateLeftTag, OutputTag<IN2> lateRightTag) {
        this.assigner = Objects.requireNonNull(assigner, "assigner");
        this.allowedLateness = allowedLatenessMs;
        this.panes = new JoinPanes<>(Objects.requireNonNull(leftCodec, "leftCodec"),
                Objects.requireNonNull(rightCodec, "rightCodec"));
        this.windows = new WindowOperator(assigner, allowedLatenessMs, panes, new LateOnly());
        this.output = Objects.requireNonNull(output, "output");
        this.lateLeftTag = Objects.requireNonNull(lateLeftTag, "lateLeftTag");
        this.lateRightTag = Objects.requireNonNull(lateRightTag, "lateRightTag");
    }

    /** The operator's watermark; {@link Long#MIN_VALUE} before the first. */
    public long currentWatermark() { return windows.currentWatermark(); }

    /** Pairs emitted so far, late firings included. */
    public long pairs() { return pairs; }

    /** Window firings so far, late ones included, also those with elements of one side only (no pairs). */
    public long firings() { return windows.firings(); }

    /** Left elements too late for every window (sent to the late output). */
    public long lateLeft() { return lateLeft; }

    /** Right elements too late for every window (sent to the late output). */
    public long lateRight() { return lateRight; }

    /** Elements buffered now, both sides (each once, however many windows share it). */
    public long bufferedElements() { return panes.bufferedElements(); }

    /** Heap bytes of the buffered elements, as {@link IntervalJoinOperator#bufferedBytes()} counts them. */
    public long bufferedBytes() { return panes.bufferedBytes(); }

    /** Windows holding state (fired or not, until cleaned). */
    public long openWindows() { return windows.openWindows(); }

    @Override
    public void processElement1(IN1 element, long timestampMs, String key) throws Exception {
        meter.received++;
        panes.side = JoinPanes.LEFT;
        panes.timestampMs = timestampMs;
        windows.processElement(element, timestampMs, key);
        panes.flush(emitPair);
    }

    @Override
    public void processElement2(IN2 element, long timestampMs, String key) throws Exception {
        meter.received++;
        panes.side = JoinPanes.RIGHT;
        panes.timestampMs = timestampMs;
        windows.processElement(element, timestampMs, key);
        panes.flush(emitPair);
    }

    /** Pairs, late elements per side and buffered state (see {@link JoinMeter}). Task thread, between batches. */
    @Override
    public void publishMetrics(JobMetrics metrics) {
        meter.publish(metrics, pairs, lateLeft, lateRight, bufferedElements(), bufferedBytes());
    }

    @Override
    public void processWatermark(long watermarkMs) throws Exception {
        windows.advanceWatermark(watermarkMs);
        panes.flush(emitPair);
        output.emitWatermark(watermarkMs);
    }

    @SuppressWarnings("unchecked")
    private void onLate(Object element, long timestampMs) throws Exception {
        if (panes.side == JoinPanes.LEFT) {
            lateLeft++;
            output.emitSide(lateLeftTag, (IN1) element, timestampMs);
        } else {
            lateRight++;
            output.emitSide(lateRightTag, (IN2) element, timestampMs);
        }
    }

    /**
     * The inner window operator's output: its late side output goes to this operator's late tags (by the side being
     * processed); pairs leave through {@link JoinPanes#flush}, and this operator forwards watermarks itself.
     */
    private final class LateOnly implements Output<Object> {
        @Override
        public void emit(Object element, long timestampMs) {
            throw new IllegalStateException("join panes emit through flush, not the window operator's output");
        }

        @Override
        public <X> void emitSide(OutputTag<X> tag, X element, long timestampMs) throws Exception {
            onLate(element, timestampMs);
        }

        @Override
        public void emitWatermark(long watermarkMs) {
        }
    }

    private void emitPair(String key, S1 left, long leftTs, S2 right, long rightTs, long start, long end)
            throws Exception {
        pairs++;
        pair.setWindowed(key, left, leftTs, right, rightTs, start, end);
        output.emit(pair, end - 1);
    }

    /**
     * Writes {@code "windowJoin"} (the window and lateness, checked on restore) and then the window operator's fields
     * ({@link WindowOperator#snapshotState}), each pane or session holding {@code "left"} and {@code "right"} arrays
     * of {@code {"ts", <element>}}.
     */
    @Override
    public void snapshotState(StateWriter out) {
        out.writeString("windowJoin", describe());
        windows.snapshotState(out);
    }

    @Override
    public void restoreState(StateReader in) {
        String taken = in.readString("windowJoin");
        if (!taken.equals(describe())) {
            throw new StateFormatException("window join state was taken with " + taken + ", but this job has "
                    + describe());
        }
        windows.restoreState(in);
    }

    private String describe() {
        return assigner + ", allowed lateness " + allowedLateness + " ms";
    }
}
