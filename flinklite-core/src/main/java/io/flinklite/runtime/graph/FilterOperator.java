package io.flinklite.runtime.graph;

import io.flinklite.api.FilterFunction;
import io.flinklite.runtime.metrics.JobMetrics;
import io.flinklite.runtime.operator.ElementFilter;
import io.flinklite.runtime.operator.OneInputOperator;
import io.flinklite.runtime.operator.Output;
import io.flinklite.runtime.operator.ReportsMetrics;

/** A user {@link FilterFunction}: forwards what it accepts, counts what it drops as filtered. Stateless. */
final class FilterOperator implements OneInputOperator<Object>, ElementFilter<Object>, ReportsMetrics {
    private final FilterFunction<Object> filter;
    private final Output<Object> output;
    private long filtered;

    @SuppressWarnings("unchecked")
    FilterOperator(FilterFunction<?> filter, Output<Object> output) {
        this.filter = (FilterFunction<Object>) filter;
        this.output = output;
    }

    @Override
    public void processElement(Object element, long timestampMs, String key) throws Exception {
        if (keep(element)) {
            output.emit(element, timestampMs);
        }
    }

    @Override
    public boolean keep(Object element) throws Exception {
        if (filter.filter(element)) {
            return true;
        }
        filtered++;
        return false;
    }

    @Override
    public void processWatermark(long watermarkMs) throws Exception {
        output.emitWatermark(watermarkMs);
    }

    @Override
    public void publishMetrics(JobMetrics metrics) {
        metrics.addFiltered(filtered);
        filtered = 0;
    }
}
