package io.flinklite.testing;

import io.flinklite.runtime.operator.Output;
import io.flinklite.runtime.operator.TwoInputOperator;

import java.util.Objects;
import java.util.function.Function;

/**
 * Drives any {@link TwoInputOperator} (the joins) without sources or a task, as Flink's
 * {@code KeyedTwoInputStreamOperatorTestHarness}: elements of either input with timestamp and key, a watermark per
 * input of which the operator sees the minimum (an ended input no longer holds it back), then the output in order,
 * side outputs by tag, snapshot and restore into a fresh operator (see {@link OperatorHarness}).
 *
 * @param <IN1> the left (first) input's elements
 * @param <IN2> the right (second) input's elements
 * @param <OUT> the main output's elements
 */
public final class TwoInputOperatorHarness<IN1, IN2, OUT>
        extends OperatorHarness<OUT, TwoInputOperatorHarness<IN1, IN2, OUT>> {
    private final Function<Output<OUT>, ? extends TwoInputOperator<IN1, IN2>> factory;
    private final TwoInputOperator<IN1, IN2> operator;

    private TwoInputOperatorHarness(Function<Output<OUT>, ? extends TwoInputOperator<IN1, IN2>> factory) {
        super(2);
        this.factory = Objects.requireNonNull(factory, "factory");
        this.operator = Objects.requireNonNull(factory.apply(output), "the factory returned null");
    }

    /** As {@link OneInputOperatorHarness#of}: the factory must build a new operator each time it is called. */
    public static <IN1, IN2, OUT> TwoInputOperatorHarness<IN1, IN2, OUT> of(
            Function<Output<OUT>, ? extends TwoInputOperator<IN1, IN2>> factory) {
        return new TwoInputOperatorHarness<>(factory);
    }

    @Override
    public TwoInputOperator<IN1, IN2> operator() {
        return operator;
    }

    @Override
    public TwoInputOperatorHarness<IN1, IN2, OUT> fresh() {
        TwoInputOperatorHarness<IN1, IN2, OUT> h = new TwoInputOperatorHarness<>(factory);
        h.output.copySettings(output);
        return h;
    }

    /** One element of the left input. */
    public TwoInputOperatorHarness<IN1, IN2, OUT> processElement1(IN1 value, long timestamp, String key)
            throws Exception {
        touch();
        operator.processElement1(value, timestamp, key);
        return this;
    }

    /** One element of the right input. */
    public TwoInputOperatorHarness<IN1, IN2, OUT> processElement2(IN2 value, long timestamp, String key)
            throws Exception {
        touch();
        operator.processElement2(value, timestamp, key);
        return this;
    }

    /** The left input's watermark. */
    public TwoInputOperatorHarness<IN1, IN2, OUT> processWatermark1(long watermark) throws Exception {
        watermark(0, watermark);
        return this;
    }

    /** The right input's watermark. */
    public TwoInputOperatorHarness<IN1, IN2, OUT> processWatermark2(long watermark) throws Exception {
        watermark(1, watermark);
        return this;
    }

    /** Both inputs' watermarks (the operator sees one advance). */
    public TwoInputOperatorHarness<IN1, IN2, OUT> processWatermark(long watermark) throws Exception {
        watermark(-1, watermark);
        return this;
    }

    /** The left input ended: it no longer holds the operator's watermark back. */
    public TwoInputOperatorHarness<IN1, IN2, OUT> endInput1() throws Exception {
        end(0);
        return this;
    }

    /** The right input ended. */
    public TwoInputOperatorHarness<IN1, IN2, OUT> endInput2() throws Exception {
        end(1);
        return this;
    }
}
