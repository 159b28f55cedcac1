package io.flinklite.runtime.graph;

import io.flinklite.api.Event;
import io.flinklite.runtime.metrics.JobMetrics;
import io.flinklite.runtime.operator.ElementFilter;
import io.flinklite.runtime.operator.OneInputOperator;
import io.flinklite.runtime.operator.Output;
import io.flinklite.runtime.operator.ReportsMetrics;

/**
 * The built-in job's filter: keeps the events whose type (key) the spec selects, and counts events by type
 * (accepted, filtered and, through {@link LateTypeCounter} sharing its {@link SelectionCache}, late). Stateless.
 */
final class TypeFilterOperator implements OneInputOperator<Event>, ElementFilter<Event>, ReportsMetrics {
    private final SelectionCache selection;
    private final Output<Object> output;
    private long filtered;

    TypeFilterOperator(SelectionCache selection, Output<Object> output) {
        this.selection = selection;
        this.output = output;
    }

    @Override
    public void processElement(Event event, long timestampMs, String key) throws Exception {
        if (keep(event)) {
            output.emit(event, timestampMs);
        }
    }

    @Override
    public boolean keep(Event event) {
        if (selection.selectAndCount(event.key())) {
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
        selection.publish(metrics);
    }
}
