package io.flinklite.api;

/**
 * The serializers {@link StateSerializer#longs()} and its siblings return: one instance each. A text that does not
 * parse is an {@link IllegalArgumentException} naming it, as the contract asks ({@link NumberFormatException} is
 * one).
 */
final class BuiltinSerializers {
    static final StateSerializer<String> STRINGS = StateSerializer.of(s -> s, s -> s);
    static final StateSerializer<Long> LONGS = StateSerializer.of(v -> Long.toString(v), Long::valueOf);
    static final StateSerializer<Integer> INTEGERS = StateSerializer.of(v -> Integer.toString(v), Integer::valueOf);
    static final StateSerializer<Double> DOUBLES = StateSerializer.of(v -> Double.toString(v), Double::valueOf);
    static final StateSerializer<Boolean> BOOLEANS = StateSerializer.of(v -> Boolean.toString(v),
            BuiltinSerializers::parseBoolean);

    private BuiltinSerializers() {
    }

    private static Boolean parseBoolean(String text) {
        switch (text) {
            case "true": return Boolean.TRUE;
            case "false": return Boolean.FALSE;
            default: throw new IllegalArgumentException("not a boolean: '" + text + "'");
        }
    }
}
