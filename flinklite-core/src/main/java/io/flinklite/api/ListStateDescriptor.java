package io.flinklite.api;

/**
 * Declares a {@link ListState}: its name and the serializer of its elements.
 *
 * @param <T> the element type
 */
public final class ListStateDescriptor<T> extends StateDescriptor {
    private final StateSerializer<T> serializer;

    public ListStateDescriptor(String name, StateSerializer<T> elementSerializer) {
        super(name);
        this.serializer = checked(elementSerializer, "elementSerializer");
    }

    public StateSerializer<T> elementSerializer() {
        return serializer;
    }

    @Override
    public String kind() {
        return "list";
    }
}
