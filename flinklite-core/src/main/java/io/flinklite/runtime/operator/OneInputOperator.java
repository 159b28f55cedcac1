package io.flinklite.runtime.operator;

/**
 * An operator with one input (which may be the union of several streams): filter, map, process function, window
 * aggregation, the sink end of a graph.
 *
 * @param <IN> the input elements' type
 */
public interface OneInputOperator<IN> extends Operator {

    /**
     * One element, in the order its input produced it.
     *
     * @param timestampMs the element's event time
     * @param key         the element's key when the edge into this operator is keyed ({@code keyBy}): computed once
     *                    by the runtime with the edge's key selector; {@code null} on an unkeyed edge
     */
    void processElement(IN element, long timestampMs, String key) throws Exception;
}
