package io.flinklite.api;

import java.util.Objects;

/**
 * A stream partitioned by a string key; {@link #window} groups each key's elements into event-time windows.
 *
 * @param <T> the element type
 */
public final class KeyedStream<T> {
    private final JobDraft draft;

    KeyedStream(JobDraft draft) {
        this.draft = draft;
    }

    public WindowedStream<T> window(WindowAssigner assigner) {
        return new WindowedStream<>(draft.withAssigner(Objects.requireNonNull(assigner, "assigner")));
    }
}
