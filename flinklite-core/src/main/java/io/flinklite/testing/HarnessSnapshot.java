package io.flinklite.testing;

import io.flinklite.runtime.state.MemoryState;

/**
 * The complete state of a harness's operator at one moment, to restore into a fresh harness. Immutable once taken;
 * {@link #toJson()} shows the same tree a checkpoint file holds.
 */
public final class HarnessSnapshot {
    private final MemoryState state;

    HarnessSnapshot(MemoryState state) {
        this.state = state;
    }

    MemoryState state() {
        return state;
    }

    public String toJson() {
        return state.toJson();
    }

    @Override
    public String toString() {
        return toJson();
    }
}
