package io.flinklite.api;

import java.util.Objects;

/**
 * A window join being built ({@link DataStream#join}), as Flink's {@code JoinedStreams}: the left key
 * ({@link #where}), the right key ({@link Where#equalTo}), the window ({@link EqualTo#window}), then the function.
 *
 * @param <T1> the left elements
 * @param <T2> the right elements
 */
public final class JoinedStreams<T1, T2> {
    private final JobDraft left;
    private final Job.Stream right;

    JoinedStreams(JobDraft left, Job.Stream right) {
        this.left = left;
        this.right = right;
    }

    /** The left elements' key. */
    public Where<T1, T2> where(KeySelector<? super T1> leftKey) {
        return new Where<>(left.withKeySelector(Objects.requireNonNull(leftKey, "leftKey")), right);
    }

    /** A window join with its left key: give the right key. */
    public static final class Where<T1, T2> {
        private final JobDraft left;
        private final Job.Stream right;

        Where(JobDraft left, Job.Stream right) {
            this.left = left;
            this.right = right;
        }

        /** The right elements' key: a pair's two elements have equal keys. */
        public EqualTo<T1, T2> equalTo(KeySelector<? super T2> rightKey) {
            return new EqualTo<>(left, right, Objects.requireNonNull(rightKey, "rightKey"));
        }
    }

    /** A window join with both keys: give the window. */
    public static final class EqualTo<T1, T2> {
        private final JobDraft left;
        private final Job.Stream right;
        private final KeySelector<?> rightKey;

        EqualTo(JobDraft left, Job.Stream right, KeySelector<?> rightKey) {
            this.left = left;
            this.right = right;
            this.rightKey = rightKey;
        }

        /** Tumbling, sliding or session windows; a session is merged by elements of either side. */
        public WithWindow<T1, T2> window(WindowAssigner assigner) {
            return new WithWindow<>(left.withAssigner(Objects.requireNonNull(assigner, "assigner")), right, rightKey);
        }
    }

    /**
     * A window join with its window: set the allowed lateness and the late-data side output, then {@link #apply}.
     * Immutable.
     */
    public static final class WithWindow<T1, T2> {
        private final JobDraft left;
        private final Job.Stream right;
        private final KeySelector<?> rightKey;

        WithWindow(JobDraft left, Job.Stream right, KeySelector<?> rightKey) {
            this.left = left;
            this.right = right;
            this.rightKey = rightKey;
        }

        /**
         * Keeps each window's elements for {@code allowedLatenessMs} after it fired, as on a windowed stream: an
         * element arriving in that time joins, and the window fires again with its full contents (every pair again).
         * Default 0.
         */
        public WithWindow<T1, T2> allowedLateness(long allowedLatenessMs) {
            return new WithWindow<>(left.withAllowedLateness(
                    io.flinklite.job.Durations.checkAllowedLateness(allowedLatenessMs)), right, rightKey);
        }

        /**
         * Elements of either input later than the allowed lateness are written, as their original payload bytes, to
         * {@code lateSink}; called again, each goes to every late sink. Without one they are only counted.
         */
        public WithWindow<T1, T2> sideOutputLateData(Sink<byte[]> lateSink) {
            return new WithWindow<>(left.withLateSink(Objects.requireNonNull(lateSink, "lateSink")), right, rightKey);
        }

        /**
         * Calls {@code function} for every pair of the left and right elements of a key in a window when the window
         * fires. Each input's buffered elements are checkpointed with its serializer ({@link StateSerializer#events()}
         * for {@link Event}s).
         */
        public <OUT> JoinedStream<OUT> apply(JoinFunction<? super T1, ? super T2, OUT> function,
                                             StateSerializer<T1> leftSerializer, StateSerializer<T2> rightSerializer) {
            return new JoinedStream<>(left.withJoin(new Job.Join(right, rightKey, false, 0, 0,
                    Objects.requireNonNull(function, "function"), leftSerializer, rightSerializer)));
        }
    }
}
