package io.flinklite.testing;

import io.flinklite.api.OutputTag;
import io.flinklite.runtime.operator.Operator;
import io.flinklite.runtime.operator.Output;
import io.flinklite.runtime.state.MemoryState;
import io.flinklite.runtime.state.StateReader;
import io.flinklite.runtime.state.StateWriter;

import java.util.ArrayList;
import java.util.Arrays;
import java.util.Collections;
import java.util.List;
import java.util.Objects;
import java.util.function.UnaryOperator;

/**
 * What the operator harnesses share ({@link OneInputOperatorHarness}, {@link TwoInputOperatorHarness}): the
 * operator, built by a factory from the harness's {@link Output}; a watermark per input, of which the operator sees
 * the minimum, advanced only when it moves (the runtime's rule, see {@link Operator}); everything the operator
 * emitted, in order; snapshot, and restore into a fresh operator from the same factory. Flink's
 * {@code AbstractStreamOperatorTestHarness} is the model.
 *
 * <p>Elements are not copied unless the test says how ({@link #copyingOutput}, {@link #copyingSideOutput}): an
 * operator may reuse what it emits (the {@code Output} contract), so a test of such an operator gives a copier.
 * Single-threaded, like the task it stands in for.
 *
 * @param <OUT> the operator's main output type
 * @param <H>   the harness's own type, for chaining
 */
public abstract class OperatorHarness<OUT, H extends OperatorHarness<OUT, H>> {
    final HarnessOutput<OUT> output = new HarnessOutput<>();
    private final long[] inputWatermarks;
    private long combinedWatermark = Long.MIN_VALUE;
    private boolean touched;
    private boolean finished;

    OperatorHarness(int inputs) {
        inputWatermarks = new long[inputs];
        Arrays.fill(inputWatermarks, Long.MIN_VALUE);
    }

    /** The operator under test. */
    public abstract Operator operator();

    /** A harness of the same kind, with a fresh operator from the same factory and the same copiers. */
    public abstract H fresh();

    @SuppressWarnings("unchecked")
    private H self() {
        return (H) this;
    }

    /** Keeps each main-output element as {@code copy} returns it (for operators that reuse what they emit). */
    public H copyingOutput(UnaryOperator<OUT> copy) {
        output.copy = Objects.requireNonNull(copy, "copy");
        return self();
    }

    /** Keeps each element of side output {@code tag} as {@code copy} returns it. */
    public <X> H copyingSideOutput(OutputTag<X> tag, UnaryOperator<X> copy) {
        output.sideCopies.put(Objects.requireNonNull(tag, "tag"), Objects.requireNonNull(copy, "copy"));
        return self();
    }

    /** Called by the subclasses before each element or watermark. */
    final void touch() {
        if (finished) {
            throw new IllegalStateException("every input has ended");
        }
        touched = true;
    }

    /**
     * Input {@code input}'s watermark to {@code watermark} (ignored unless it advances that input; {@code input} -1:
     * every input), then the operator's to the minimum, when that advances.
     */
    final void watermark(int input, long watermark) throws Exception {
        touch();
        for (int i = 0; i < inputWatermarks.length; i++) {
            if ((input < 0 || i == input) && watermark > inputWatermarks[i]) {
                inputWatermarks[i] = watermark;
            }
        }
        long min = Long.MAX_VALUE;
        for (long w : inputWatermarks) {
            min = Math.min(min, w);
        }
        if (min > combinedWatermark) {
            combinedWatermark = min;
            operator().processWatermark(min);
        }
    }

    /** Input {@code input} ended: its watermark is {@code Long.MAX_VALUE}; once all have, the operator finishes. */
    final void end(int input) throws Exception {
        watermark(input, Long.MAX_VALUE);
        for (long w : inputWatermarks) {
            if (w != Long.MAX_VALUE) {
                return;
            }
        }
        finished = true;
        operator().finish();
    }

    /** The watermark the operator has seen: the minimum of the inputs'. {@link Long#MIN_VALUE} before the first. */
    public long currentWatermark() {
        return combinedWatermark;
    }

    /**
     * Everything the operator emitted, in order: {@link StreamRecord}s of the main output, {@link SideOutputRecord}s
     * and {@link Watermark}s.
     */
    public List<Object> emitted() {
        return Collections.unmodifiableList(new ArrayList<>(output.emitted));
    }

    /** The main output and the watermarks, in order: {@link StreamRecord}s and {@link Watermark}s. */
    public List<Object> output() {
        List<Object> out = new ArrayList<>();
        for (Object o : output.emitted) {
            if (!(o instanceof SideOutputRecord)) {
                out.add(o);
            }
        }
        return out;
    }

    /** The main output's elements, in order, without timestamps. */
    @SuppressWarnings("unchecked")
    public List<OUT> elements() {
        List<OUT> out = new ArrayList<>();
        for (Object o : output.emitted) {
            if (o instanceof StreamRecord) {
                out.add(((StreamRecord<OUT>) o).value());
            }
        }
        return out;
    }

    /** What the operator sent to side output {@code tag}, in order. */
    @SuppressWarnings("unchecked")
    public <X> List<StreamRecord<X>> sideOutput(OutputTag<X> tag) {
        List<StreamRecord<X>> out = new ArrayList<>();
        for (Object o : output.emitted) {
            if (o instanceof SideOutputRecord && ((SideOutputRecord<?>) o).tag().equals(tag)) {
                SideOutputRecord<X> r = (SideOutputRecord<X>) o;
                out.add(new StreamRecord<>(r.value(), r.timestamp()));
            }
        }
        return out;
    }

    /** The watermarks the operator forwarded, in order. */
    public List<Long> watermarks() {
        List<Long> out = new ArrayList<>();
        for (Object o : output.emitted) {
            if (o instanceof Watermark) {
                out.add(((Watermark) o).timestamp());
            }
        }
        return out;
    }

    /** Forgets everything emitted so far. */
    public H clearOutput() {
        output.emitted.clear();
        return self();
    }

    /** The operator's complete state, with the harness's input watermarks. */
    public HarnessSnapshot snapshot() {
        MemoryState state = new MemoryState();
        StateWriter w = state.writer();
        w.beginObject(null);
        operator().snapshotState(w);
        w.endObject();
        return new HarnessSnapshot(state, inputWatermarks);
    }

    /**
     * Restores {@code snapshot} into this harness, which must be fresh (nothing processed yet): the operator's state
     * and the input watermarks, so that a watermark the operator has already seen is not handed to it again.
     */
    public void restore(HarnessSnapshot snapshot) {
        if (touched) {
            throw new IllegalStateException("restore into a fresh harness, before processing anything");
        }
        long[] watermarks = snapshot.inputWatermarks();
        if (watermarks != null && watermarks.length != inputWatermarks.length) {
            throw new IllegalArgumentException("the snapshot was taken by a harness with " + watermarks.length
                    + " inputs, this one has " + inputWatermarks.length);
        }
        StateReader r = snapshot.state().reader();
        r.beginObject(null);
        operator().restoreState(r);
        r.endObject();
        if (watermarks != null) {
            System.arraycopy(watermarks, 0, inputWatermarks, 0, watermarks.length);
            long min = Long.MAX_VALUE;
            for (long w : watermarks) {
                min = Math.min(min, w);
            }
            combinedWatermark = min;
        }
    }

    /** {@link #fresh()} with {@code snapshot} restored: what a restart from that checkpoint runs. */
    public H restored(HarnessSnapshot snapshot) {
        H h = fresh();
        h.restore(snapshot);
        return h;
    }

    /** Closes the operator. */
    public void close() throws Exception {
        operator().close();
    }
}
