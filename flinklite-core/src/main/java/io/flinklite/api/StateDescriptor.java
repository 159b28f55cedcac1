package io.flinklite.api;

import java.util.Objects;

/**
 * Names a keyed state of a {@link KeyedProcessFunction} and says how its contents go into a checkpoint, as Flink's
 * {@code StateDescriptor}. Immutable. The subclasses are the kinds: {@link ValueStateDescriptor},
 * {@link ListStateDescriptor}, {@link MapStateDescriptor}.
 */
public abstract sealed class StateDescriptor permits ValueStateDescriptor, ListStateDescriptor, MapStateDescriptor {
    private final String name;

    StateDescriptor(String name) {
        if (name == null || name.isBlank()) {
            throw new IllegalArgumentException("a state needs a non-blank name");
        }
        this.name = name;
    }

    /** Unique among the function's states; what checkpoints file the state under. */
    public String name() {
        return name;
    }

    /** The kind as checkpoints name it: {@code "value"}, {@code "list"} or {@code "map"}. */
    public abstract String kind();

    static <T> StateSerializer<T> checked(StateSerializer<T> serializer, String what) {
        return Objects.requireNonNull(serializer, what);
    }

    @Override
    public String toString() {
        return kind() + " state '" + name + "'";
    }
}
