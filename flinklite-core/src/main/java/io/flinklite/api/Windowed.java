package io.flinklite.api;

import java.util.Objects;

/**
 * The result of one firing of one window for one key in a user job: the key, the window {@code [start, end)} and
 * the aggregate's result. Immutable.
 */
public final class Windowed<T> {
    private final String key;
    private final long windowStart;
    private final long windowEnd;
    private final T value;

    public Windowed(String key, long windowStart, long windowEnd, T value) {
        this.key = Objects.requireNonNull(key, "key");
        this.windowStart = windowStart;
        this.windowEnd = windowEnd;
        this.value = value;
    }

    public String key() { return key; }

    /** Inclusive start, epoch ms. */
    public long windowStart() { return windowStart; }

    /** Exclusive end, epoch ms. */
    public long windowEnd() { return windowEnd; }

    public T value() { return value; }

    @Override
    public boolean equals(Object o) {
        if (!(o instanceof Windowed)) return false;
        Windowed<?> w = (Windowed<?>) o;
        return windowStart == w.windowStart && windowEnd == w.windowEnd && key.equals(w.key) && Objects.equals(value, w.value);
    }

    @Override
    public int hashCode() {
        return Objects.hash(key, windowStart, windowEnd, value);
    }

    @Override
    public String toString() {
        return key + "@[" + windowStart + "," + windowEnd + ")=" + value;
    }
}
