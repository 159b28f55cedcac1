package io.flinklite.api;

/**
 * What an interval join does with each pair, as Flink's {@code ProcessJoinFunction}
 * ({@code a.keyBy(..).intervalJoin(b.keyBy(..)).between(lower, upper).process(function)}): called once per pair of a
 * left and a right element of the same key whose timestamps are within the bounds, as soon as the second of them
 * arrives.
 *
 * <p>Called on the task thread. The elements are the join's buffered copies: read them, never change them. The
 * context and the collector are valid only during the call.
 *
 * @param <IN1> the left elements
 * @param <IN2> the right elements
 * @param <OUT> what the function emits
 */
public abstract class ProcessJoinFunction<IN1, IN2, OUT> {

    /**
     * One pair. Emit any number of results with {@code out}; each gets the pair's timestamp
     * ({@link Context#timestamp()}).
     */
    public abstract void processElement(IN1 left, IN2 right, Context ctx, Collector<OUT> out) throws Exception;

    /** The pair being processed. */
    public abstract static class Context {
        /** The left element's event time. */
        public abstract long leftTimestamp();

        /** The right element's event time. */
        public abstract long rightTimestamp();

        /** The pair's event time, which its results get: the larger of the two (Flink's rule). */
        public abstract long timestamp();
    }
}
