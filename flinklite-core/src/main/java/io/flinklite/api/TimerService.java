package io.flinklite.api;

/**
 * Event time and timers of the current key, as Flink's {@code TimerService} restricted to event time: FlinkLite jobs
 * are deterministic functions of their input, so there are no processing-time timers.
 *
 * <p>A timer is a pair (current key, timestamp): registering it again is a no-op, and {@link #deleteEventTimeTimer}
 * removes it whatever registered it. It fires once the watermark reaches it ({@code watermark >= timestamp}), calling
 * {@link KeyedProcessFunction#onTimer} with the key it was registered for; timers due at one watermark fire in
 * timestamp order (keys in order among equal timestamps). A timer at or below the current watermark fires at the next
 * advance of the watermark, and one registered while timers fire, at or below the new watermark, fires in the same
 * advance. Timers are part of checkpoints. Task thread only, during the call that was handed the context.
 */
public interface TimerService {

    /** The operator's watermark: no element at or below it is expected. {@link Long#MIN_VALUE} before the first. */
    long currentWatermark();

    /** Registers a timer for the current key at {@code timestampMs}; no-op when it is registered already. */
    void registerEventTimeTimer(long timestampMs);

    /** Deletes the current key's timer at {@code timestampMs}; no-op when there is none. */
    void deleteEventTimeTimer(long timestampMs);
}
