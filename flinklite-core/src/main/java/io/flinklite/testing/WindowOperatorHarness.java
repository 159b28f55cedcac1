package io.flinklite.testing;

import io.flinklite.api.AccumulatorSerializer;
import io.flinklite.api.AggregateFunction;
import io.flinklite.api.Event;
import io.flinklite.api.KeySelector;
import io.flinklite.api.WindowAssigner;
import io.flinklite.api.WindowResult;
import io.flinklite.api.Windowed;
import io.flinklite.job.AggregateSpec;
import io.flinklite.api.OutputTag;
import io.flinklite.runtime.operator.OperatorTags;
import io.flinklite.runtime.operator.Output;
import io.flinklite.runtime.state.MemoryState;
import io.flinklite.runtime.state.StateReader;
import io.flinklite.runtime.state.StateWriter;
import io.flinklite.runtime.window.BuiltinAggregator;
import io.flinklite.runtime.window.UserAggregator;
import io.flinklite.runtime.window.WindowAggregator;
import io.flinklite.runtime.window.WindowOperator;

import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.Objects;
import java.util.function.Function;

/**
 * Drives the engine's window operator without a source or a cluster, as Flink's
 * {@code KeyedOneInputStreamOperatorTestHarness}: feed elements with timestamps and watermarks, read the output
 * (results and forwarded watermarks, in order) and the late side output, snapshot, and restore into a fresh harness.
 *
 * <pre>{@code
 * var h = WindowOperatorHarness.forBuiltIn(WindowAssigner.tumbling(10), 0, AggregateSpec.Kind.COUNT);
 * h.processElement(Event.of(1, 9, "a"), 9);
 * h.processWatermark(9);
 * assertThat(h.output()).containsExactly(WindowResult.ofCount("a", 0, 10, 1), new Watermark(9));
 * }</pre>
 *
 * <p>Single-threaded, like the task it stands in for. Elements are not copied: late ones appear in
 * {@link #lateOutput()} as the same objects.
 *
 * @param <T> the element type
 * @param <R> the result type
 */
public final class WindowOperatorHarness<T, R> {
    private final KeySelector<? super T> keySelector;
    private final List<Object> output = new ArrayList<>();
    private final List<T> late = new ArrayList<>();
    private final WindowOperator operator;
    private boolean touched;

    private WindowOperatorHarness(WindowAssigner assigner, long allowedLatenessMs, KeySelector<? super T> keySelector,
                                  Function<Output<Object>, WindowAggregator> aggregator) {
        this.keySelector = Objects.requireNonNull(keySelector, "keySelector");
        Output<Object> collecting = new Collecting();
        this.operator = new WindowOperator(Objects.requireNonNull(assigner, "assigner"), allowedLatenessMs,
                aggregator.apply(collecting), collecting);
    }

    /** The operator's output: results and watermarks in order, late elements apart. */
    private final class Collecting implements Output<Object> {
        @Override
        public void emit(Object element, long timestampMs) {
            output.add(element);
        }

        @Override
        public <X> void emitSide(OutputTag<X> tag, X element, long timestampMs) {
            if (tag.equals(OperatorTags.LATE_DATA)) {
                addLate(element);
            }
        }

        @Override
        public void emitWatermark(long watermarkMs) {
            output.add(new Watermark(watermarkMs));
        }
    }

    /** A harness for a user {@link AggregateFunction}; results are {@link Windowed}. */
    public static <T, ACC, OUT> WindowOperatorHarness<T, Windowed<OUT>> forAggregate(
            WindowAssigner assigner, long allowedLatenessMs, KeySelector<? super T> keySelector,
            AggregateFunction<? super T, ACC, OUT> function, AccumulatorSerializer<ACC> serializer) {
        Objects.requireNonNull(function, "function");
        Objects.requireNonNull(serializer, "serializer");
        return new WindowOperatorHarness<>(assigner, allowedLatenessMs, keySelector,
                out -> new UserAggregator<T, ACC, OUT>(function, serializer, out));
    }

    /**
     * A harness for a built-in aggregate over {@link Event}s keyed by {@link Event#key()}; value aggregates read
     * {@link Event#value()}. Results are {@link WindowResult}s.
     */
    public static WindowOperatorHarness<Event, WindowResult> forBuiltIn(WindowAssigner assigner, long allowedLatenessMs,
                                                                      AggregateSpec.Kind kind) {
        Objects.requireNonNull(kind, "kind");
        return new WindowOperatorHarness<>(assigner, allowedLatenessMs, Event::key,
                out -> new BuiltinAggregator(kind, out));
    }

    @SuppressWarnings("unchecked")
    private void addLate(Object element) {
        late.add((T) element);
    }

    /** Processes {@code value} with event time {@code timestamp} against the current watermark. */
    public void processElement(T value, long timestamp) throws Exception {
        touched = true;
        operator.processElement(value, timestamp, keySelector.getKey(value));
    }

    /**
     * Advances event time to {@code watermark}: due windows fire (their results are appended to the output), then the
     * watermark itself is appended. A watermark not ahead of the current one is ignored, as in a running job.
     */
    public void processWatermark(long watermark) throws Exception {
        touched = true;
        if (watermark > operator.currentWatermark()) {
            operator.processWatermark(watermark); // fires, then forwards the watermark to the output
        }
    }

    /** Results and watermarks, in the order they were emitted. */
    public List<Object> output() {
        return Collections.unmodifiableList(new ArrayList<>(output));
    }

    /** The results only, in order. */
    @SuppressWarnings("unchecked")
    public List<R> results() {
        List<R> out = new ArrayList<>();
        for (Object o : output) {
            if (!(o instanceof Watermark)) {
                out.add((R) o);
            }
        }
        return out;
    }

    /** Elements that were later than the allowed lateness for all their windows. */
    public List<T> lateOutput() {
        return Collections.unmodifiableList(new ArrayList<>(late));
    }

    /** Forgets the output and late output so far. */
    public void clearOutput() {
        output.clear();
        late.clear();
    }

    public long currentWatermark() {
        return operator.currentWatermark();
    }

    /** Accumulators held: panes, or session windows. 0 once every window has been cleaned up. */
    public long openPanes() {
        return operator.openPanes();
    }

    /** Windows holding state. */
    public long openWindows() {
        return operator.openWindows();
    }

    /** The operator's complete state (windows, panes, accumulators, timers, watermark). */
    public HarnessSnapshot snapshot() {
        MemoryState state = new MemoryState();
        StateWriter w = state.writer();
        w.beginObject(null);
        operator.snapshotState(w);
        w.endObject();
        return new HarnessSnapshot(state);
    }

    /** Restores {@code snapshot} into this harness, which must be fresh (nothing processed yet). */
    public void restore(HarnessSnapshot snapshot) {
        if (touched) {
            throw new IllegalStateException("restore into a fresh harness, before processing anything");
        }
        StateReader r = snapshot.state().reader();
        r.beginObject(null);
        operator.restoreState(r);
        r.endObject();
    }
}
