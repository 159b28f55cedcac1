package io.flinklite.testing;

import io.flinklite.runtime.state.MemoryState;

/**
 * The complete state of a harness's operator at one moment, to restore into a fresh harness, with the harness's own
 * input watermarks (which a running job keeps in its watermark tracker, outside the operator). Immutable once taken;
 * {@link #toJson()} shows the same tree a checkpoint file holds for the operator.
 */
public final class HarnessSnapshot {
    private final MemoryState state;
    private final long[] inputWatermarks;

    HarnessSnapshot(MemoryState state) {
        this(state, null);
    }

    HarnessSnapshot(MemoryState state, long[] inputWatermarks) {
        this.state = state;
        this.inputWatermarks = inputWatermarks == null ? null : inputWatermarks.clone();
    }

    MemoryState state() {
        return state;
    }

    /** The inputs' watermarks when it was taken; {@code null} when the harness that took it does not track them. */
    long[] inputWatermarks() {
        return inputWatermarks == null ? null : inputWatermarks.clone();
    }

    public String toJson() {
        return state.toJson();
    }

    @Override
    public String toString() {
        return toJson();
    }
}
