package io.flinklite.api;

/**
 * An incremental window aggregate, as Flink's {@code AggregateFunction}: elements are folded into an accumulator as
 * they arrive; a firing turns the accumulator into the result.
 *
 * <p>Called only on the task thread. FlinkLite keeps one accumulator per slide-sized <em>pane</em> and combines the
 * panes of a window with {@link #merge} when it fires; session windows merge their accumulators when sessions join.
 * So the contract of {@code merge} is stricter than Flink's: it may modify and return {@code a}, but must not modify
 * {@code b} (a pane is shared by several windows).
 *
 * @param <IN>  the element type
 * @param <ACC> the accumulator type; must have an {@link AccumulatorSerializer} so that checkpoints can store it
 * @param <OUT> the result type
 */
public interface AggregateFunction<IN, ACC, OUT> {

    /** A new, empty accumulator. */
    ACC createAccumulator();

    /** Adds one element; returns the updated accumulator (which may be {@code accumulator} itself). */
    ACC add(IN value, ACC accumulator);

    /** The result for a window whose contents are {@code accumulator}; must not modify it. */
    OUT getResult(ACC accumulator);

    /** Combines two accumulators; may modify and return {@code a}, must leave {@code b} unchanged. */
    ACC merge(ACC a, ACC b);
}
