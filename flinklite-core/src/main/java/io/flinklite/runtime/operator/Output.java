package io.flinklite.runtime.operator;

import io.flinklite.api.OutputTag;

/**
 * Where an operator sends what it produces: elements of its main output, elements of tagged side outputs (late data,
 * dead letters, a second result stream), and its output watermark. The graph wires each output to the inputs of the
 * next operators (a direct call when they are chained on one thread), to sinks, or to a repartition topic; an operator
 * never knows which.
 *
 * <p>Called on the task thread only, from inside {@code processElement}, {@code processWatermark} or {@code finish}
 * of the operator that owns it. Elements are handed over, not copied: an operator that reuses an element object (the
 * decoder's {@code Event}) may change it once the call returns, so a downstream operator that keeps an element past
 * the call must copy what it needs.
 *
 * @param <T> the type of the main output's elements
 */
public interface Output<T> {

    /**
     * Sends one element of the main output.
     *
     * @param timestampMs the element's event time (a window result's is its window's max timestamp, {@code end - 1},
     *                    as in Flink)
     */
    void emit(T element, long timestampMs) throws Exception;

    /**
     * Sends one element to the side output {@code tag}. A side output nobody consumes drops the element; whoever
     * builds the graph decides that, and the producing operator counts what it sends either way.
     */
    <X> void emitSide(OutputTag<X> tag, X element, long timestampMs) throws Exception;

    /**
     * Advances the output watermark: no element with a timestamp at or below it follows on any output of this
     * operator. Watermarks passed on must not go backwards; the consumer ignores one that does not advance.
     */
    void emitWatermark(long watermarkMs) throws Exception;
}
