package io.flinklite.runtime.window;

import io.flinklite.api.Event;
import io.flinklite.api.WindowResult;
import io.flinklite.job.AggregateSpec;
import io.flinklite.runtime.operator.Output;
import io.flinklite.runtime.state.ByteArrayWriter;
import io.flinklite.runtime.state.StateReader;
import io.flinklite.runtime.state.StateWriter;

import java.util.Arrays;
import java.util.Objects;

/**
 * The built-in aggregates of {@link AggregateSpec}: every accumulator is a count plus, for value aggregates, one
 * double (the sum for {@code sum} and {@code avg}, else the running min or max), in two primitive arrays. Elements are
 * {@link Event}s; value aggregates read {@link Event#value()}. Results are {@link WindowResult}s, emitted with the
 * window's max timestamp {@code end - 1}.
 */
public final class BuiltinAggregator extends WindowAggregator {
    private final AggregateSpec.Kind kind;
    private final Output<? super WindowResult> output;
    private long[] counts = new long[64];
    private double[] values = new double[64];
    /** Snapshot scratch: one key's pane counts, in pane order. */
    private long[] countScratch = new long[16];

    public BuiltinAggregator(AggregateSpec.Kind kind, Output<? super WindowResult> output) {
        this.kind = Objects.requireNonNull(kind, "kind");
        this.output = Objects.requireNonNull(output, "output");
    }

    private double identity() {
        switch (kind) {
            case MIN: return Double.POSITIVE_INFINITY;
            case MAX: return Double.NEGATIVE_INFINITY;
            default: return 0.0;
        }
    }

    @Override
    protected void ensureCapacity(int slots) {
        if (slots > counts.length) {
            int n = Math.max(slots, counts.length * 2);
            counts = Arrays.copyOf(counts, n);
            values = Arrays.copyOf(values, n);
        }
    }

    @Override
    protected void reset(int slot) {
        counts[slot] = 0;
        values[slot] = identity();
    }

    @Override
    public void add(int slot, Object element) {
        counts[slot]++;
        switch (kind) {
            case COUNT:
                break;
            case SUM:
            case AVG:
                values[slot] += ((Event) element).value();
                break;
            case MIN:
                values[slot] = Math.min(values[slot], ((Event) element).value());
                break;
            case MAX:
                values[slot] = Math.max(values[slot], ((Event) element).value());
                break;
            default:
                throw new IllegalStateException("unknown aggregate " + kind);
        }
    }

    @Override
    public void merge(int target, int source) {
        counts[target] += counts[source];
        values[target] = combine(values[target], values[source]);
    }

    private double combine(double a, double b) {
        switch (kind) {
            case MIN: return Math.min(a, b);
            case MAX: return Math.max(a, b);
            default: return a + b;
        }
    }

    @Override
    public void emit(String key, long start, long end, int[] slots, int count) throws Exception {
        long n = 0;
        double v = identity();
        for (int i = 0; i < count; i++) {
            n += counts[slots[i]];
            v = combine(v, values[slots[i]]);
        }
        if (kind == AggregateSpec.Kind.COUNT) {
            output.emit(WindowResult.ofCount(key, start, end, n), end - 1);
        } else {
            output.emit(WindowResult.ofValue(key, start, end, n, kind == AggregateSpec.Kind.AVG ? v / n : v), end - 1);
        }
    }

    /** Counts take the one-step path of {@link StateWriter#writeLongPairArray}; value aggregates the default one. */
    @Override
    public void writePanes(StateWriter out, String name, String startField, long[] starts, int[] slots, int count) {
        if (kind != AggregateSpec.Kind.COUNT) {
            super.writePanes(out, name, startField, starts, slots, count);
            return;
        }
        if (countScratch.length < count) {
            countScratch = new long[Math.max(count, countScratch.length * 2)];
        }
        for (int i = 0; i < count; i++) {
            countScratch[i] = counts[slots[i]];
        }
        out.writeLongPairArray(name, startField, starts, "count", countScratch, count);
    }

    /** The count (8 bytes), then for value aggregates the sum, min or max (8 bytes, an IEEE double). */
    @Override
    public void writePartial(int slot, ByteArrayWriter out) {
        out.putLong(counts[slot]);
        if (kind != AggregateSpec.Kind.COUNT) {
            out.putDouble(values[slot]);
        }
    }

    @Override
    public void mergePartial(int slot, byte[] b, int off, int len) {
        int expected = kind == AggregateSpec.Kind.COUNT ? 8 : 16;
        if (len != expected) {
            throw new IllegalArgumentException("a " + kind + " partial has " + expected + " bytes, got " + len);
        }
        counts[slot] += ByteArrayWriter.getLong(b, off);
        if (expected == 16) {
            values[slot] = combine(values[slot], ByteArrayWriter.getDouble(b, off + 8));
        }
    }

    @Override
    public void writeSlot(int slot, StateWriter out) {
        out.writeLong("count", counts[slot]);
        if (kind != AggregateSpec.Kind.COUNT) {
            out.writeDouble("value", values[slot]);
        }
    }

    @Override
    protected void readInto(int slot, StateReader in) {
        counts[slot] = in.readLong("count");
        if (kind != AggregateSpec.Kind.COUNT) {
            values[slot] = in.readDouble("value");
        }
    }
}
