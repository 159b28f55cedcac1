package io.flinklite.testing;

import io.flinklite.api.AccumulatorSerializer;
import io.flinklite.api.AggregateFunction;
import io.flinklite.api.Event;
import io.flinklite.api.KeySelector;
import io.flinklite.api.WindowAssigner;
import io.flinklite.api.WindowResult;
import io.flinklite.api.Windowed;
import io.flinklite.job.AggregateSpec;
import io.flinklite.runtime.operator.OperatorTags;
import io.flinklite.runtime.operator.Output;
import io.flinklite.runtime.window.BuiltinAggregator;
import io.flinklite.runtime.window.UserAggregator;
import io.flinklite.runtime.window.WindowAggregator;
import io.flinklite.runtime.window.WindowOperator;

import java.util.ArrayList;
import java.util.List;
import java.util.Objects;
import java.util.function.Function;

/**
 * Drives the engine's window operator without a source or a cluster, as Flink's
 * {@code KeyedOneInputStreamOperatorTestHarness}: feed elements with timestamps and watermarks, read the output
 * (results and forwarded watermarks, in order) and the late side output, snapshot, and restore into a fresh harness.
 * A view of the generic {@link OneInputOperatorHarness} that keys each element with the job's key selector and shows
 * results as values.
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
    private final OneInputOperatorHarness<Object, Object> harness;
    private final WindowOperator operator;

    private WindowOperatorHarness(WindowAssigner assigner, long allowedLatenessMs, KeySelector<? super T> keySelector,
                                  Function<Output<Object>, WindowAggregator> aggregator) {
        this.keySelector = Objects.requireNonNull(keySelector, "keySelector");
        Objects.requireNonNull(assigner, "assigner");
        this.harness = OneInputOperatorHarness.of(
                out -> new WindowOperator(assigner, allowedLatenessMs, aggregator.apply(out), out));
        this.operator = (WindowOperator) harness.operator();
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

    /** Processes {@code value} with event time {@code timestamp} against the current watermark. */
    public void processElement(T value, long timestamp) throws Exception {
        harness.processElement(value, timestamp, keySelector.getKey(value));
    }

    /**
     * Advances event time to {@code watermark}: due windows fire (their results are appended to the output), then the
     * watermark itself is appended. A watermark not ahead of the current one is ignored, as in a running job.
     */
    public void processWatermark(long watermark) throws Exception {
        harness.processWatermark(watermark);
    }

    /** Results and watermarks, in the order they were emitted. */
    public List<Object> output() {
        List<Object> out = new ArrayList<>();
        for (Object o : harness.output()) {
            out.add(o instanceof StreamRecord<?> r ? r.value() : o);
        }
        return out;
    }

    /** The results only, in order. */
    @SuppressWarnings("unchecked")
    public List<R> results() {
        return (List<R>) harness.elements();
    }

    /** Elements that were later than the allowed lateness for all their windows. */
    @SuppressWarnings("unchecked")
    public List<T> lateOutput() {
        List<T> out = new ArrayList<>();
        for (StreamRecord<Object> r : harness.sideOutput(OperatorTags.LATE_DATA)) {
            out.add((T) r.value());
        }
        return out;
    }

    /** Forgets the output and late output so far. */
    public void clearOutput() {
        harness.clearOutput();
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
        return harness.snapshot();
    }

    /** Restores {@code snapshot} into this harness, which must be fresh (nothing processed yet). */
    public void restore(HarnessSnapshot snapshot) {
        harness.restore(snapshot);
    }
}
