package io.flinklite.api;

import java.util.Objects;
import java.util.function.Function;

/**
 * Turns a value of user state (a {@link ValueState}'s value, a list element, a map key or value, a window
 * accumulator) into text for a checkpoint and back: Flink's {@code TypeSerializer} idea, kept tiny. The text is stored
 * as a JSON string in the checkpoint file, so a short, human-readable form is best, e.g. {@code "12,340.5"} for a
 * count and a sum. The serializers of the common types are here ({@link #longs()}, {@link #strings()}, ...).
 *
 * <p>Called on the task thread, while a checkpoint is taken and while one is restored; implementations should keep no
 * state.
 *
 * @param <T> the type of the values
 */
public interface StateSerializer<T> {

    /** {@code value} (never {@code null}) as text; {@link #fromText} of it must give an equal value. */
    String toText(T value);

    /** @throws IllegalArgumentException when the text was not produced by {@link #toText} */
    T fromText(String text);

    /** A serializer from two functions, e.g. {@code StateSerializer.of(Instant::toString, Instant::parse)}. */
    static <T> StateSerializer<T> of(Function<? super T, String> toText, Function<String, ? extends T> fromText) {
        Objects.requireNonNull(toText, "toText");
        Objects.requireNonNull(fromText, "fromText");
        return new StateSerializer<>() {
            @Override
            public String toText(T value) {
                return toText.apply(value);
            }

            @Override
            public T fromText(String text) {
                return fromText.apply(text);
            }
        };
    }

    /** Strings as they are. */
    static StateSerializer<String> strings() {
        return BuiltinSerializers.STRINGS;
    }

    /** Longs in decimal. */
    static StateSerializer<Long> longs() {
        return BuiltinSerializers.LONGS;
    }

    /** Integers in decimal. */
    static StateSerializer<Integer> integers() {
        return BuiltinSerializers.INTEGERS;
    }

    /** Doubles as {@link Double#toString} writes them (exact round trip, {@code NaN} and infinities included). */
    static StateSerializer<Double> doubles() {
        return BuiltinSerializers.DOUBLES;
    }

    /**
     * {@link Event}s, every field and the payload bytes included, e.g. {@code 1700000000000,7,12.5,eyJ...,=critical}
     * (timestamp, id, value, payload in base64, key; {@code -} for a missing one): what a join of events keeps.
     */
    static StateSerializer<Event> events() {
        return EventSerializer.INSTANCE;
    }

    /** {@code true} and {@code false}. */
    static StateSerializer<Boolean> booleans() {
        return BuiltinSerializers.BOOLEANS;
    }
}
