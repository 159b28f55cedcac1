package io.flinklite.testing;

/**
 * An element of an operator's main output in a harness, with the timestamp it was emitted with (Flink's
 * {@code StreamRecord}).
 *
 * @param value     the element as the harness kept it (copied when the harness was told how)
 * @param timestamp its event time
 */
public record StreamRecord<T>(T value, long timestamp) {
}
