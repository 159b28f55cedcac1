package io.flinklite.runtime.join;

import io.flinklite.api.Collector;
import io.flinklite.api.JoinFunction;
import io.flinklite.api.ProcessJoinFunction;
import io.flinklite.runtime.operator.ForwardsWatermarks;
import io.flinklite.runtime.operator.OneInputOperator;
import io.flinklite.runtime.operator.EmitFailure;
import io.flinklite.runtime.operator.Output;

import java.util.Objects;

/**
 * Runs a user job's join function on each pair a join operator emits ({@link JoinedPair}, chained right after it):
 * an interval join's {@link ProcessJoinFunction} with the pair's timestamps in its context, or a window join's
 * {@link JoinFunction}, one result per pair. Results get the pair's timestamp (an interval pair's {@code max(l, r)},
 * a window pair's window max timestamp). Stateless: the join operator before it holds the state.
 */
public final class UserJoinFunctionOperator extends ProcessJoinFunction.Context
        implements OneInputOperator<JoinedPair<Object, Object>>, ForwardsWatermarks, Collector<Object> {
    private final ProcessJoinFunction<Object, Object, Object> process;
    private final JoinFunction<Object, Object, Object> join;
    private final Output<Object> output;
    private JoinedPair<Object, Object> current;
    private long currentTimestampMs;

    /** @param function a {@link ProcessJoinFunction} or a {@link JoinFunction} */
    @SuppressWarnings("unchecked")
    public UserJoinFunctionOperator(Object function, Output<Object> output) {
        Objects.requireNonNull(function, "function");
        if (function instanceof ProcessJoinFunction) {
            this.process = (ProcessJoinFunction<Object, Object, Object>) function;
            this.join = null;
        } else if (function instanceof JoinFunction) {
            this.process = null;
            this.join = (JoinFunction<Object, Object, Object>) function;
        } else {
            throw new IllegalArgumentException("not a join function: " + function.getClass().getName());
        }
        this.output = Objects.requireNonNull(output, "output");
    }

    @Override
    public void processElement(JoinedPair<Object, Object> pair, long timestampMs, String key) throws Exception {
        if (join != null) {
            Object result = join.join(pair.left(), pair.right());
            if (result == null) {
                throw new NullPointerException("the join function " + join.getClass().getName()
                        + " returned null for " + pair);
            }
            output.emit(result, timestampMs);
            return;
        }
        current = pair;
        currentTimestampMs = timestampMs;
        try {
            process.processElement(pair.left(), pair.right(), this, this);
        } catch (EmitFailure e) {
            throw e.cause;
        } finally {
            current = null;
        }
    }

    @Override
    public void processWatermark(long watermarkMs) throws Exception {
        output.emitWatermark(watermarkMs);
    }

    @Override
    public long leftTimestamp() {
        return pairInProgress().leftTimestampMs();
    }

    @Override
    public long rightTimestamp() {
        return pairInProgress().rightTimestampMs();
    }

    @Override
    public long timestamp() {
        pairInProgress();
        return currentTimestampMs;
    }

    private JoinedPair<Object, Object> pairInProgress() {
        if (current == null) {
            throw new IllegalStateException("the join context is only valid while processElement runs");
        }
        return current;
    }

    @Override
    public void collect(Object record) {
        Objects.requireNonNull(record, "an output element");
        pairInProgress();
        try {
            output.emit(record, currentTimestampMs);
        } catch (RuntimeException e) {
            throw e;
        } catch (Exception e) {
            throw new EmitFailure(e);
        }
    }
}
