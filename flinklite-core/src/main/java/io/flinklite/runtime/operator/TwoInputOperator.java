package io.flinklite.runtime.operator;

/**
 * An operator with two inputs of different types, as Flink's {@code TwoInputStreamOperator}: the stream-stream
 * joins. Its {@link #processWatermark} receives the minimum of the two inputs' watermarks; an input that has ended
 * counts as {@link Long#MAX_VALUE}, so it no longer holds the other back.
 *
 * @param <IN1> the left (first) input's elements
 * @param <IN2> the right (second) input's elements
 */
public interface TwoInputOperator<IN1, IN2> extends Operator {

    /** One element of the left input; {@code key} as in {@link OneInputOperator#processElement}. */
    void processElement1(IN1 element, long timestampMs, String key) throws Exception;

    /** One element of the right input; {@code key} as in {@link OneInputOperator#processElement}. */
    void processElement2(IN2 element, long timestampMs, String key) throws Exception;
}
