package io.flinklite.api;

import java.util.Objects;

/**
 * Names a side output of an operator, as Flink's {@code OutputTag}: late data, dead letters, or any second stream a
 * {@link KeyedProcessFunction} emits. Two tags are the same side output when their ids are equal. Immutable.
 *
 * @param <T> the type of the elements on this side output
 */
public final class OutputTag<T> {
    private final String id;

    /** @param id unique within a job, e.g. {@code "late-data"}; not blank */
    public OutputTag(String id) {
        if (id == null || id.isBlank()) {
            throw new IllegalArgumentException("an output tag needs a non-blank id");
        }
        this.id = id;
    }

    public String id() {
        return id;
    }

    @Override
    public boolean equals(Object o) {
        return o instanceof OutputTag && ((OutputTag<?>) o).id.equals(id);
    }

    @Override
    public int hashCode() {
        return id.hashCode();
    }

    @Override
    public String toString() {
        return "OutputTag(" + id + ")";
    }
}
