package io.flinklite.runtime.window;

import io.flinklite.runtime.state.ByteArrayWriter;
import io.flinklite.runtime.state.StateReader;
import io.flinklite.runtime.state.StateWriter;

import java.util.Arrays;

/**
 * Accumulator storage and result emission for the {@link WindowOperator}. Accumulators live in numbered
 * <em>slots</em> (one per pane, or per session window) so that the operator's maps hold plain ints, and the built-in
 * aggregates keep their accumulators in primitive arrays.
 *
 * <p>Task thread only. Slot numbers are reused after {@link #free}.
 */
public abstract class WindowAggregator {
    private int[] freeSlots = new int[16];
    private int freeCount;
    private int nextSlot;
    private int liveSlots;

    /** An empty accumulator's slot. */
    public final int newSlot() {
        liveSlots++;
        int slot = freeCount > 0 ? freeSlots[--freeCount] : nextSlot++;
        ensureCapacity(slot + 1);
        reset(slot);
        return slot;
    }

    /** Returns {@code slot} for reuse. */
    public final void free(int slot) {
        liveSlots--;
        release(slot);
        if (freeCount == freeSlots.length) {
            freeSlots = Arrays.copyOf(freeSlots, freeCount * 2);
        }
        freeSlots[freeCount++] = slot;
    }

    /** Slots in use: the number of open panes or session accumulators. */
    public final int liveSlots() {
        return liveSlots;
    }

    /** Grows the accumulator arrays to hold at least {@code slots} slots. */
    protected abstract void ensureCapacity(int slots);

    /** Makes {@code slot} an empty accumulator. */
    protected abstract void reset(int slot);

    /** Drops references held by {@code slot}. */
    protected void release(int slot) {
    }

    /** Adds one element (the per-record call: no allocation for built-in aggregates). */
    public abstract void add(int slot, Object element);

    /** {@code target} becomes the combination of both; {@code source} is unchanged (the caller frees it). */
    public abstract void merge(int target, int source);

    /**
     * Emits one firing: the result over the accumulators in {@code slots[0..count)} for window {@code [start, end)}
     * of {@code key}, emitted through the operator's output.
     */
    public abstract void emit(String key, long start, long end, int[] slots, int count) throws Exception;

    /**
     * Writes the array {@code name} of panes {@code {startField: starts[i], <the accumulator of slots[i]>}} for
     * {@code i < count}. This default writes each pane's object with {@link #writeSlot}; an aggregator may record them
     * in one step (same content).
     */
    public void writePanes(StateWriter out, String name, String startField, long[] starts, int[] slots, int count) {
        out.beginArray(name);
        for (int i = 0; i < count; i++) {
            out.beginObject(null);
            out.writeLong(startField, starts[i]);
            writeSlot(slots[i], out);
            out.endObject();
        }
        out.endArray();
    }

    /**
     * Appends the accumulator of {@code slot} in the shuffle's binary form (the body of a partial record, see
     * {@code runtime.shuffle.ShuffleRecords}), for {@link #mergePartial} on the keyed side of a two-stage job.
     *
     * @throws UnsupportedOperationException when this aggregator's accumulators cannot be pre-aggregated
     */
    public void writePartial(int slot, ByteArrayWriter out) {
        throw new UnsupportedOperationException(getClass().getSimpleName() + " takes no partial accumulators");
    }

    /**
     * Merges the accumulator {@link #writePartial} wrote into {@code b[off, off + len)} into {@code slot}.
     *
     * @throws IllegalArgumentException when the bytes are not such an accumulator
     */
    public void mergePartial(int slot, byte[] b, int off, int len) {
        throw new UnsupportedOperationException(getClass().getSimpleName() + " takes no partial accumulators");
    }

    /** Writes the accumulator of {@code slot} as fields of the current object. */
    public abstract void writeSlot(int slot, StateWriter out);

    /** Reads fields written by {@link #writeSlot} into a new slot and returns it. */
    public final int readSlot(StateReader in) {
        int slot = newSlot();
        readInto(slot, in);
        return slot;
    }

    protected abstract void readInto(int slot, StateReader in);
}
