package io.flinklite.testing;

import io.flinklite.api.OutputTag;

/**
 * An element an operator sent to the side output {@code tag}, in a harness's {@link OperatorHarness#emitted()}.
 *
 * @param value     the element as the harness kept it (copied when the harness was told how)
 * @param timestamp its event time
 */
public record SideOutputRecord<T>(OutputTag<T> tag, T value, long timestamp) {
}
