package io.flinklite.api;

/**
 * Processes each element of a keyed stream with keyed state and event-time timers, as Flink's
 * {@code KeyedProcessFunction} (keys are strings here, see {@link KeySelector}). The lowest-level operation of the
 * API: what windows and aggregates do not cover (timeouts, deduplication, custom triggers, state machines).
 *
 * <pre>{@code
 * // Emits an alert when a key has seen no event for 30 s of event time.
 * class Silence extends KeyedProcessFunction<Event, String> {
 *     private ValueState<Long> lastSeen;
 *
 *     public void open(RuntimeContext context) {
 *         lastSeen = context.getState(new ValueStateDescriptor<>("last-seen", StateSerializer.longs()));
 *     }
 *
 *     public void processElement(Event e, Context ctx, Collector<String> out) {
 *         Long previous = lastSeen.value();
 *         if (previous != null) {
 *             ctx.timerService().deleteEventTimeTimer(previous + 30_000);
 *         }
 *         lastSeen.update(ctx.timestamp());
 *         ctx.timerService().registerEventTimeTimer(ctx.timestamp() + 30_000);
 *     }
 *
 *     public void onTimer(long timestamp, OnTimerContext ctx, Collector<String> out) {
 *         out.collect(ctx.getCurrentKey() + " silent since " + lastSeen.value());
 *         lastSeen.clear();
 *     }
 * }
 * }</pre>
 *
 * <p><b>Lifecycle.</b> The engine calls {@link #open} once, before any other method and before a checkpoint is
 * restored into the function's state; state is declared there. Then, on the task thread, one call at a time:
 * {@link #processElement} per element, {@link #onTimer} per timer the watermark reaches. Every element is processed,
 * whatever its timestamp: a process function has no lateness of its own (read
 * {@link TimerService#currentWatermark()} to tell late elements apart).
 *
 * <p><b>State.</b> Each state handle reads and writes the state of the key being processed. A key whose states are
 * all empty and which has no timer holds nothing; clear what you no longer need. State and timers are part of every
 * checkpoint, through the serializers of their descriptors.
 *
 * @param <IN>  the input elements
 * @param <OUT> the main output's elements
 */
public abstract class KeyedProcessFunction<IN, OUT> {

    /**
     * Declares the function's state ({@link RuntimeContext#getState} and its siblings), once, before anything else.
     * State handles obtained here stay valid for the function's life. The default declares nothing.
     */
    public void open(RuntimeContext context) throws Exception {
    }

    /**
     * Releases what {@link #open} acquired; called once when the task ends (input ended, failed or stopped), after
     * the last element, timer and checkpoint, also when {@code open} or a later call failed. An exception here is
     * logged and reported, but never hides the error that ended the task. The default does nothing.
     */
    public void close() throws Exception {
    }

    /**
     * Processes one element; may read and change the current key's state, register and delete its timers, and
     * emit to {@code out} and side outputs, with the element's timestamp.
     */
    public abstract void processElement(IN value, Context ctx, Collector<OUT> out) throws Exception;

    /**
     * A timer of the current key fired: the watermark reached {@code timestamp}. Output gets {@code timestamp}. The
     * default does nothing.
     */
    public void onTimer(long timestamp, OnTimerContext ctx, Collector<OUT> out) throws Exception {
    }

    /** What {@link #processElement} may ask about the element and do besides emitting. Valid only during the call. */
    public interface Context {

        /** The element's event time; in {@link #onTimer}, the timer's. */
        long timestamp();

        /** The key being processed. */
        String getCurrentKey();

        /** The current key's timers and the watermark. */
        TimerService timerService();

        /** Emits {@code value} (not {@code null}) to the side output {@code tag}, with {@link #timestamp()}. */
        <X> void output(OutputTag<X> tag, X value);
    }

    /** The context of {@link #onTimer}: the timer's key and timestamp. */
    public interface OnTimerContext extends Context {
    }
}
