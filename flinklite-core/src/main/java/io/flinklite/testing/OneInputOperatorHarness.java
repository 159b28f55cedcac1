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

    private OneInputOperatorHarness(Function<Output<OUT>, ? extends OneInputOperator<IN>> factory) {
        super(1);
        this.factory = Objects.requireNonNull(factory, "factory");
        this.operator = Objects.requireNonNull(factory.apply(output), "the factory returned null");
    }

    /**
     * A harness whose operator {@code factory} builds around the output it is given. The factory is called again for
     * {@link #fresh()} and {@link #restored}, so it must build a new operator (and new functions) each time.
     */
    public static <IN, OUT> OneInputOperatorHarness<IN, OUT> of(
            Function<Output<OUT>, ? extends OneInputOperator<IN>> factory) {
        return new OneInputOperatorHarness<>(factory);
    }

    @Override
    public OneInputOperator<IN> operator() {
        return operator;
    }

    @Override
    public OneInputOperatorHarness<IN, OUT> fresh() {
        OneInputOperatorHarness<IN, OUT> h = new OneInputOperatorHarness<>(factory);
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

    /** The input's watermark; the operator sees it only when it advances. */
    public OneInputOperatorHarness<IN, OUT> processWatermark(long watermark) throws Exception {
        watermark(0, watermark);
        return this;
    }

    /** The input ended: watermark {@code Long.MAX_VALUE}, then {@code finish()}. */
    public OneInputOperatorHarness<IN, OUT> endInput() throws Exception {
        end(0);
        return this;
    }
}
