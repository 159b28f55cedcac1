package io.flinklite.testing;

import io.flinklite.runtime.operator.OneInputOperator;
import io.flinklite.runtime.operator.Output;

import java.util.Objects;
import java.util.function.Function;

/**
 * Drives any {@link OneInputOperator} without a source or a task, as Flink's
 * {@code KeyedOneInputStreamOperatorTestHarness}: elements with timestamp and key, watermarks, then the output in
 * order, side outputs by tag, snapshot and restore into a fresh operator (see {@link OperatorHarness}).
 *
 * <pre>{@code
 * var h = OneInputOperatorHarness.of((Output<String> out) -> new KeyedProcessOperator<>(new Silence(), out));
 * h.processElement(event, 1_000, "a");
 * h.processWatermark(31_000);
 * assertThat(h.output()).containsExactly(new StreamRecord<>("a silent since 1000", 31_000), new Watermark(31_000));
 * HarnessSnapshot s = h.snapshot();
 * var restarted = h.restored(s);   // a fresh operator from the same factory, with the state of s
 * }</pre>
 *
 * @param <IN>  the input elements
 * @param <OUT> the main output's elements
 */
public final class OneInputOperatorHarness<IN, OUT> extends OperatorHarness<OUT, OneInputOperatorHarness<IN, OUT>> {
    private final Function<Output<OUT>, ? extends OneInputOperator<IN>> factory;
    private final OneInputOperator<IN> operator;
    private final int edges;

    private OneInputOperatorHarness(int edges, Function<Output<OUT>, ? extends OneInputOperator<IN>> factory) {
        super(edges);
        this.edges = edges;
        this.factory = Objects.requireNonNull(factory, "factory");
        this.operator = Objects.requireNonNull(factory.apply(output), "the factory returned null");
    }

    /**
     * A harness whose operator {@code factory} builds around the output it is given. The factory is called again for
     * {@link #fresh()} and {@link #restored}, so it must build a new operator (and new functions) each time.
     */
    public static <IN, OUT> OneInputOperatorHarness<IN, OUT> of(
            Function<Output<OUT>, ? extends OneInputOperator<IN>> factory) {
        return new OneInputOperatorHarness<>(1, factory);
    }

    /**
     * A harness whose operator's one input is the union of {@code edges} edges, as when two topics feed one window:
     * each edge has its own watermark ({@link #processWatermark(int, long)}, {@link #endInput(int)}), and the operator
     * sees their minimum whenever it advances, as in a task (an edge without a watermark yet holds it back).
     *
     * @throws IllegalArgumentException when {@code edges} is below 1
     */
    public static <IN, OUT> OneInputOperatorHarness<IN, OUT> unionOf(int edges,
            Function<Output<OUT>, ? extends OneInputOperator<IN>> factory) {
        if (edges < 1) {
            throw new IllegalArgumentException("a union needs at least one edge, not " + edges);
        }
        return new OneInputOperatorHarness<>(edges, factory);
    }

    @Override
    public OneInputOperator<IN> operator() {
        return operator;
    }

    @Override
    public OneInputOperatorHarness<IN, OUT> fresh() {
        OneInputOperatorHarness<IN, OUT> h = new OneInputOperatorHarness<>(edges, factory);
        h.output.copySettings(output);
        return h;
    }

    /** One element of a keyed edge. */
    public OneInputOperatorHarness<IN, OUT> processElement(IN value, long timestamp, String key) throws Exception {
        touch();
        operator.processElement(value, timestamp, key);
        return this;
    }

    /** One element of an unkeyed edge (its key is {@code null}). */
    public OneInputOperatorHarness<IN, OUT> processElement(IN value, long timestamp) throws Exception {
        return processElement(value, timestamp, null);
    }

    /** The input's watermark (of a union: every edge's); the operator sees it only when it advances. */
    public OneInputOperatorHarness<IN, OUT> processWatermark(long watermark) throws Exception {
        watermark(-1, watermark);
        return this;
    }

    /** Edge {@code edge}'s watermark (0-based, see {@link #unionOf}); the operator gets the minimum over the edges. */
    public OneInputOperatorHarness<IN, OUT> processWatermark(int edge, long watermark) throws Exception {
        watermark(Objects.checkIndex(edge, edges), watermark);
        return this;
    }

    /** The input (of a union: every edge) ended: watermark {@code Long.MAX_VALUE}, then {@code finish()}. */
    public OneInputOperatorHarness<IN, OUT> endInput() throws Exception {
        end(-1);
        return this;
    }

    /** Edge {@code edge} of a union ended; the operator finishes once every edge has. */
    public OneInputOperatorHarness<IN, OUT> endInput(int edge) throws Exception {
        end(Objects.checkIndex(edge, edges));
        return this;
    }
}
