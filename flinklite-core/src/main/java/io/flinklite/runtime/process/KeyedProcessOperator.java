package io.flinklite.runtime.process;

import io.flinklite.api.Collector;
import io.flinklite.api.KeyedProcessFunction;
import io.flinklite.api.OutputTag;
import io.flinklite.api.TimerService;
import io.flinklite.runtime.operator.OneInputOperator;
import io.flinklite.runtime.operator.EmitFailure;
import io.flinklite.runtime.operator.Output;
import io.flinklite.runtime.state.StateFormatException;
import io.flinklite.runtime.state.StateReader;
import io.flinklite.runtime.state.StateWriter;

import java.util.Objects;

/**
 * Runs a {@link KeyedProcessFunction} on a keyed edge, as Flink's {@code KeyedProcessOperator}: keyed state and
 * event-time timers on the heap ({@link KeyedStateBackend}).
 *
 * <ol>
 *   <li><b>Elements.</b> Each element is handed to {@code processElement} with its key current, whatever its
 *       timestamp (a process function has no lateness); what it emits gets the element's timestamp.</li>
 *   <li><b>Watermarks.</b> An advance to {@code W} first fires, in timestamp order (then key order), every timer at
 *       or below {@code W}, including those that firing registers at or below {@code W}; {@code onTimer} sees
 *       {@code W} as the current watermark and its output gets the timer's timestamp. Then {@code W} is forwarded.
 *       Timers are deduplicated per key and time, as Flink's.</li>
 *   <li><b>Cleanup.</b> A key whose states are all empty and which has no timer left is dropped after the call
 *       that emptied it.</li>
 * </ol>
 *
 * <p><b>State.</b> The snapshot holds the watermark, the declared states and, by key group, every key's timers and
 * state contents as its descriptors' serializers write them; a restore accepts any subset of key groups and rebuilds
 * the timer order. The function's {@code open} runs in the constructor, before any restore.
 *
 * <p>Task thread only (the {@link io.flinklite.runtime.operator.Operator} contract). Per element: one hash lookup of
 * the key and the function's own work; the operator allocates only when a key gets its first state or timer (and
 * for list and map contents as they grow).
 *
 * @param <IN>  the input elements
 * @param <OUT> the main output's elements
 */
public final class KeyedProcessOperator<IN, OUT> implements OneInputOperator<IN> {
    private final KeyedProcessFunction<IN, OUT> function;
    private final Output<OUT> output;
    private final KeyedStateBackend backend = new KeyedStateBackend();
    private final Calls calls = new Calls();
    private long watermark = Long.MIN_VALUE;
    private long currentTimestamp;
    private long elements;
    private long firedTimers;

    /**
     * Calls the function's {@code open}.
     *
     * @throws IllegalStateException when {@code open} fails, with its exception as the cause
     */
    public KeyedProcessOperator(KeyedProcessFunction<IN, OUT> function, Output<OUT> output) {
        this.function = Objects.requireNonNull(function, "function");
        this.output = Objects.requireNonNull(output, "output");
        try {
            function.open(backend);
        } catch (RuntimeException e) {
            throw closedAfter(e);
        } catch (Exception e) {
            throw closedAfter(new IllegalStateException(function.getClass().getName() + ".open failed: " + e.getMessage(), e));
        } finally {
            backend.seal();
        }
    }

    /** A failed open still gets its close (no operator exists to close it later), which must not hide the failure. */
    private RuntimeException closedAfter(RuntimeException openFailure) {
        try {
            function.close();
        } catch (Exception e) {
            openFailure.addSuppressed(e);
        }
        return openFailure;
    }

    /** Closes the function, once: the task calls this once when it ends. */
    @Override
    public void close() throws Exception {
        function.close();
    }

    /** The operator's watermark; {@link Long#MIN_VALUE} before the first. */
    public long currentWatermark() {
        return watermark;
    }

    /** Keys holding state or timers. */
    public int keys() {
        return backend.keys();
    }

    /** Timers registered and neither fired nor deleted yet. */
    public long pendingTimers() {
        return backend.pendingTimers();
    }

    /** Timers fired so far. */
    public long firedTimers() {
        return firedTimers;
    }

    /** Elements processed so far. */
    public long elements() {
        return elements;
    }

    /** @param key the element's key; a process function needs a keyed edge, so never {@code null} */
    @Override
    public void processElement(IN element, long timestampMs, String key) throws Exception {
        if (key == null) {
            throw new IllegalArgumentException("a keyed process function got an element without a key: the edge "
                    + "into it must be keyed (keyBy)");
        }
        elements++;
        currentTimestamp = timestampMs;
        backend.enter(key);
        try {
            function.processElement(element, calls, calls);
        } catch (EmitFailure f) {
            throw f.cause;
        } finally {
            backend.leave();
        }
    }

    @Override
    public void processWatermark(long watermarkMs) throws Exception {
        if (watermarkMs <= watermark) {
            return;
        }
        watermark = watermarkMs;
        while (backend.pollDue(watermarkMs)) {
            long time = backend.polledTime;
            currentTimestamp = time;
            firedTimers++;
            try {
                function.onTimer(time, calls, calls);
            } catch (EmitFailure f) {
                throw f.cause;
            } finally {
                backend.leave();
            }
        }
        output.emitWatermark(watermarkMs);
    }

    /**
     * Writes {@code "watermark"} and the backend's {@code "states"} and {@code "keyGroups"} (see
     * {@link KeyedStateBackend#snapshot}).
     */
    @Override
    public void snapshotState(StateWriter out) {
        out.writeLong("watermark", watermark);
        backend.snapshot(out);
    }

    /**
     * @throws StateFormatException when the snapshot is malformed or holds state the function does not declare
     */
    @Override
    public void restoreState(StateReader in) {
        watermark = Math.max(watermark, in.readLong("watermark"));
        backend.restore(in);
    }

    /** The one object behind every context, the timer service and the collector the function gets. */
    private final class Calls implements KeyedProcessFunction.OnTimerContext, TimerService, Collector<OUT> {

        @Override
        public long timestamp() {
            return currentTimestamp;
        }

        @Override
        public String getCurrentKey() {
            String key = backend.currentKey();
            if (key == null) {
                throw new IllegalStateException("the context is only valid while processElement or onTimer runs");
            }
            return key;
        }

        @Override
        public TimerService timerService() {
            return this;
        }

        @Override
        public <X> void output(OutputTag<X> tag, X value) {
            Objects.requireNonNull(tag, "tag");
            Objects.requireNonNull(value, "a side output element");
            try {
                output.emitSide(tag, value, currentTimestamp);
            } catch (RuntimeException e) {
                throw e;
            } catch (Exception e) {
                throw new EmitFailure(e);
            }
        }

        @Override
        public void collect(OUT record) {
            Objects.requireNonNull(record, "an output element");
            try {
                output.emit(record, currentTimestamp);
            } catch (RuntimeException e) {
                throw e;
            } catch (Exception e) {
                throw new EmitFailure(e);
            }
        }

        @Override
        public long currentWatermark() {
            return watermark;
        }

        @Override
        public void registerEventTimeTimer(long timestampMs) {
            backend.registerTimer(timestampMs);
        }

        @Override
        public void deleteEventTimeTimer(long timestampMs) {
            backend.deleteTimer(timestampMs);
        }
    }
}
