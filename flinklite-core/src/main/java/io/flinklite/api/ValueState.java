package io.flinklite.api;

/**
 * One value per key, as Flink's {@code ValueState}: reads and writes the value of the key being processed. Task
 * thread only, inside {@link KeyedProcessFunction#processElement} and {@link KeyedProcessFunction#onTimer}.
 *
 * @param <T> the value type
 */
public interface ValueState<T> {

    /** The current key's value; {@code null} when it has none. */
    T value();

    /** Sets the current key's value; {@code null} clears it, as {@link #clear()}. */
    void update(T value);

    /** Removes the current key's value. */
    void clear();
}
