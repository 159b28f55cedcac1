package io.flinklite.runtime.window;

import io.flinklite.api.AccumulatorSerializer;
import io.flinklite.api.AggregateFunction;
import io.flinklite.api.Windowed;
import io.flinklite.runtime.operator.Output;
import io.flinklite.runtime.state.ByteArrayWriter;
import io.flinklite.runtime.state.StateReader;
import io.flinklite.runtime.state.StateWriter;

import java.nio.charset.StandardCharsets;
import java.util.Arrays;
import java.util.Objects;

/**
 * A user {@link AggregateFunction}: one accumulator object per slot. A firing folds the window's pane accumulators
 * into a fresh accumulator with {@link AggregateFunction#merge} (which must leave its second argument unchanged) and
 * emits a {@link Windowed} result with the window's max timestamp {@code end - 1}.
 */
public final class UserAggregator<T, ACC, OUT> extends WindowAggregator {
    private final AggregateFunction<? super T, ACC, OUT> function;
    private final AccumulatorSerializer<ACC> serializer;
    private final Output<? super Windowed<OUT>> output;
    private Object[] accumulators = new Object[64];

    public UserAggregator(AggregateFunction<? super T, ACC, OUT> function, AccumulatorSerializer<ACC> serializer,
                          Output<? super Windowed<OUT>> output) {
        this.function = Objects.requireNonNull(function, "function");
        this.serializer = Objects.requireNonNull(serializer, "serializer");
        this.output = Objects.requireNonNull(output, "output");
    }

    @SuppressWarnings("unchecked")
    private ACC acc(int slot) {
        return (ACC) accumulators[slot];
    }

    @Override
    protected void ensureCapacity(int slots) {
        if (slots > accumulators.length) {
            accumulators = Arrays.copyOf(accumulators, Math.max(slots, accumulators.length * 2));
        }
    }

    @Override
    protected void reset(int slot) {
        accumulators[slot] = function.createAccumulator();
    }

    @Override
    protected void release(int slot) {
        accumulators[slot] = null;
    }

    @Override
    @SuppressWarnings("unchecked")
    public void add(int slot, Object element) {
        accumulators[slot] = function.add((T) element, acc(slot));
    }

    @Override
    public void merge(int target, int source) {
        accumulators[target] = function.merge(acc(target), acc(source));
    }

    @Override
    public void emit(String key, long start, long end, int[] slots, int count) throws Exception {
        ACC result;
        if (count == 1) {
            result = acc(slots[0]);
        } else {
            result = function.createAccumulator();
            for (int i = 0; i < count; i++) {
                result = function.merge(result, acc(slots[i]));
            }
        }
        output.emit(new Windowed<>(key, start, end, function.getResult(result)), end - 1);
    }

    /** The accumulator's text ({@link AccumulatorSerializer#toText}) in UTF-8: the same form snapshots keep. */
    @Override
    public void writePartial(int slot, ByteArrayWriter out) {
        out.putUtf8(serializer.toText(acc(slot)));
    }

    /** {@link AggregateFunction#merge} of the slot's accumulator and the decoded partial. */
    @Override
    public void mergePartial(int slot, byte[] b, int off, int len) {
        ACC partial = serializer.fromText(new String(b, off, len, StandardCharsets.UTF_8));
        accumulators[slot] = function.merge(acc(slot), partial);
    }

    @Override
    public void writeSlot(int slot, StateWriter out) {
        out.writeString("accumulator", serializer.toText(acc(slot)));
    }

    @Override
    protected void readInto(int slot, StateReader in) {
        accumulators[slot] = serializer.fromText(in.readString("accumulator"));
    }
}
