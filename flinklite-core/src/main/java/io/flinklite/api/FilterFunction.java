package io.flinklite.api;

/** Keeps the elements for which {@link #filter} returns true. Called on the task thread, once per element. */
@FunctionalInterface
public interface FilterFunction<T> {
    boolean filter(T value);
}
