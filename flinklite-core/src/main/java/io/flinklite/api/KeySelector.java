package io.flinklite.api;

/**
 * Extracts the key an element is grouped by. Called on the task thread, once per element; must be deterministic.
 * Keys are strings so that checkpoints stay readable and key groups are stable across runs.
 */
@FunctionalInterface
public interface KeySelector<T> {
    String getKey(T value);
}
