package io.flinklite.api;

/**
 * Transforms one element into another. Called on the task thread, once per element. The input may be a reused
 * {@link Event}; return a value that does not depend on it being unchanged later.
 */
@FunctionalInterface
public interface MapFunction<T, R> {
    R map(T value);
}
