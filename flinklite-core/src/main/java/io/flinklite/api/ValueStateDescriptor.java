package io.flinklite.api;

/**
 * Declares a {@link ValueState}: its name and the serializer of its value.
 *
 * @param <T> the value type
 */
public final class ValueStateDescriptor<T> extends StateDescriptor {
    private final StateSerializer<T> serializer;

    public ValueStateDescriptor(String name, StateSerializer<T> serializer) {
        super(name);
        this.serializer = checked(serializer, "serializer");
    }

    public StateSerializer<T> serializer() {
        return serializer;
    }

    @Override
    public String kind() {
        return "value";
    }
}
