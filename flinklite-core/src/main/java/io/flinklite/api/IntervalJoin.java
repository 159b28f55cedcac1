package io.flinklite.api;

import java.time.Duration;
import java.util.Objects;

/**
 * An interval join being built ({@link KeyedStream#intervalJoin}): give the bounds with {@link #between}.
 *
 * @param <T1> the left elements
 * @param <T2> the right elements
 */
public final class IntervalJoin<T1, T2> {
    private final JobDraft left;
    private final Job.Stream right;
    private final KeySelector<?> rightKey;

    IntervalJoin(JobDraft left, Job.Stream right, KeySelector<?> rightKey) {
        this.left = left;
        this.right = right;
        this.rightKey = rightKey;
    }

    /**
     * A left element at {@code l} pairs with a right element of its key at {@code r} when
     * {@code l + lower <= r <= l + upper} (both inclusive unless made exclusive; either bound may be negative).
     *
     * @throws IllegalArgumentException when {@code lower} is above {@code upper}
     */
    public IntervalJoined<T1, T2> between(Duration lower, Duration upper) {
        long lowerMs = Objects.requireNonNull(lower, "lower").toMillis();
        long upperMs = Objects.requireNonNull(upper, "upper").toMillis();
        if (lowerMs > upperMs) {
            throw new IllegalArgumentException("an interval join's lower bound " + lower + " is above its upper bound "
                    + upper);
        }
        return new IntervalJoined<>(left, right, rightKey, lowerMs, upperMs, false, false);
    }

    /**
     * An interval join with its bounds: optionally make them exclusive, send late elements somewhere, then
     * {@link #process} each pair. Immutable.
     *
     * <p>An element is late when its timestamp is below the join's watermark (the minimum of the two inputs'): it is
     * counted and, with {@link #sideOutputLateData}, written out; it never pairs. Interval joins have no allowed
     * lateness (as in Flink).
     *
     * @param <T1> the left elements
     * @param <T2> the right elements
     */
    public static final class IntervalJoined<T1, T2> {
        private final JobDraft left;
        private final Job.Stream right;
        private final KeySelector<?> rightKey;
        private final long lowerMs;
        private final long upperMs;
        private final boolean lowerExclusive;
        private final boolean upperExclusive;

        IntervalJoined(JobDraft left, Job.Stream right, KeySelector<?> rightKey, long lowerMs, long upperMs,
                       boolean lowerExclusive, boolean upperExclusive) {
            this.left = left;
            this.right = right;
            this.rightKey = rightKey;
            this.lowerMs = lowerMs;
            this.upperMs = upperMs;
            this.lowerExclusive = lowerExclusive;
            this.upperExclusive = upperExclusive;
        }

        /** {@code l + lower < r} instead of {@code <=}. */
        public IntervalJoined<T1, T2> lowerBoundExclusive() {
            return new IntervalJoined<>(left, right, rightKey, lowerMs, upperMs, true, upperExclusive);
        }

        /** {@code r < l + upper} instead of {@code <=}. */
        public IntervalJoined<T1, T2> upperBoundExclusive() {
            return new IntervalJoined<>(left, right, rightKey, lowerMs, upperMs, lowerExclusive, true);
        }

        /**
         * Late elements of either input are written, as their original payload bytes, to {@code lateSink}; called
         * again, each goes to every late sink. Without one they are only counted.
         */
        public IntervalJoined<T1, T2> sideOutputLateData(Sink<byte[]> lateSink) {
            return new IntervalJoined<>(left.withLateSink(Objects.requireNonNull(lateSink, "lateSink")), right,
                    rightKey, lowerMs, upperMs, lowerExclusive, upperExclusive);
        }

        /**
         * Calls {@code function} for each pair. Each input's buffered elements are checkpointed with its serializer
         * ({@link StateSerializer#events()} for {@link Event}s).
         *
         * @throws IllegalArgumentException when the exclusive bounds leave no interval
         */
        public <OUT> JoinedStream<OUT> process(ProcessJoinFunction<? super T1, ? super T2, OUT> function,
                                               StateSerializer<T1> leftSerializer,
                                               StateSerializer<T2> rightSerializer) {
            // Timestamps are whole milliseconds, so an exclusive bound is the inclusive one a millisecond inside
            // (what Flink does too).
            long lower = lowerExclusive ? lowerMs + 1 : lowerMs;
            long upper = upperExclusive ? upperMs - 1 : upperMs;
            if (lower > upper) {
                throw new IllegalArgumentException("the interval join's bounds [" + lowerMs + ", " + upperMs
                        + "] ms with " + (lowerExclusive ? "an exclusive lower" : "an inclusive lower") + " and "
                        + (upperExclusive ? "an exclusive upper" : "an inclusive upper") + " bound pair nothing");
            }
            return new JoinedStream<>(left.withJoin(new Job.Join(right, rightKey, true, lower, upper,
                    Objects.requireNonNull(function, "function"), leftSerializer, rightSerializer)));
        }
    }
}
