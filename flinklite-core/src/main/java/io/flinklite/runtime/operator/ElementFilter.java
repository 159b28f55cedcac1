package io.flinklite.runtime.operator;

/**
 * A one-input operator that, per element, either emits that same element with the same timestamp on its main output
 * or drops it, and does nothing else with it (no side outputs, no use of the key, no timers; watermarks pass
 * unchanged, as for every {@link ForwardsWatermarks}). Filters, the built-in job's type filter.
 *
 * <p>The runtime may call {@link #keep} instead of {@link OneInputOperator#processElement} and hand a kept element
 * straight to what follows the operator, one call fewer per record; so {@code processElement(e, t, k)} must be
 * exactly {@code if (keep(e)) output.emit(e, t)}.
 *
 * @param <T> the element type
 */
public interface ElementFilter<T> extends ForwardsWatermarks {

    /** Whether {@code element} goes on; counts what the operator counts (e.g. a dropped element). */
    boolean keep(T element) throws Exception;
}
