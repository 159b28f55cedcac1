package io.flinklite.runtime.graph;

import io.flinklite.api.MapFunction;
import io.flinklite.runtime.operator.OneInputOperator;
import io.flinklite.runtime.operator.Output;

/** A user {@link MapFunction}: one output element per input element, same timestamp. Stateless. */
final class MapOperator implements OneInputOperator<Object> {
    private final MapFunction<Object, Object> mapper;
    private final Output<Object> output;

    @SuppressWarnings("unchecked")
    MapOperator(MapFunction<?, ?> mapper, Output<Object> output) {
        this.mapper = (MapFunction<Object, Object>) mapper;
        this.output = output;
    }

    @Override
    public void processElement(Object element, long timestampMs, String key) throws Exception {
        output.emit(mapper.map(element), timestampMs);
    }

    @Override
    public void processWatermark(long watermarkMs) throws Exception {
        output.emitWatermark(watermarkMs);
    }
}
