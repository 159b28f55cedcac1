package io.flinklite.runtime.operator;

import io.flinklite.runtime.state.Snapshottable;
import io.flinklite.runtime.state.StateReader;
import io.flinklite.runtime.state.StateWriter;

/**
 * One node of a job graph: receives elements (see {@link OneInputOperator}, {@link TwoInputOperator}) and event time,
 * and emits through the {@link Output} it was constructed with. The model is Flink's {@code StreamOperator}, made
 * smaller: an operator gets its dependencies (output, functions, settings) in its constructor; there is no
 * {@code open()}.
 *
 * <p><b>Event time.</b> The runtime keeps one watermark per input of the operator and calls {@link #processWatermark}
 * with their minimum whenever that minimum advances (Flink's rule for operators with several inputs). The operator
 * fires what the watermark makes due (its timers), then passes its output watermark on with
 * {@link Output#emitWatermark}, usually the same value. {@link Long#MAX_VALUE} means every input has ended.
 *
 * <p><b>State.</b> Everything an operator would lose in a crash is written by {@link #snapshotState} and read back by
 * {@link #restoreState} into a fresh instance built from the same graph; the runtime files it under the operator's
 * stable id, so adding an operator to a job does not disturb the state of the others. Keyed state is written by key
 * group ({@link io.flinklite.runtime.state.KeyGroups}), so that a restore can take any subset of groups.
 *
 * <p><b>Threading.</b> Every method is called on the task thread, one at a time; between two calls the operator is
 * quiescent, so a snapshot needs no locks or barriers. The per-element path of built-in operators allocates nothing.
 */
public interface Operator extends Snapshottable {

    /**
     * The minimum of the input watermarks advanced to {@code watermarkMs} (never called with a value that does not
     * advance it): fire what is due, then forward the output watermark.
     */
    void processWatermark(long watermarkMs) throws Exception;

    /**
     * Every input has ended, after {@link #processWatermark}{@code (Long.MAX_VALUE)}: emit anything still held back
     * (buffered output). Not called when a job merely stops; its state then goes into the last checkpoint.
     */
    default void finish() throws Exception {
    }

    /** Writes the operator's whole state as fields of the current object. The default: a stateless operator. */
    @Override
    default void snapshotState(StateWriter out) {
    }

    /** Restores what {@link #snapshotState} wrote into this fresh operator, before its first element. */
    @Override
    default void restoreState(StateReader in) {
    }

    /**
     * Releases resources and closes the user functions the operator runs: called once, last (after the final
     * checkpoint), whether the task ended, failed or was stopped; the task closes its operators in reverse graph order.
     */
    default void close() throws Exception {
    }
}
