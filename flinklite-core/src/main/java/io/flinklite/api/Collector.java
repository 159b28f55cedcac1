package io.flinklite.api;

/**
 * Where a {@link KeyedProcessFunction} emits its main output, as Flink's {@code Collector}. Each element gets the
 * timestamp of what is being processed: the input element's in {@code processElement}, the timer's in
 * {@code onTimer}.
 *
 * <p>Valid only during the call it was passed to, on the task thread. The element is handed on, not copied: do not
 * change it after {@code collect} returns.
 *
 * @param <T> the output type
 */
public interface Collector<T> {

    /** Emits {@code record} (not {@code null}). */
    void collect(T record);
}
