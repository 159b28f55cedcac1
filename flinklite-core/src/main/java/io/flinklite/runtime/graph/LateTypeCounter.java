package io.flinklite.runtime.graph;

import io.flinklite.api.Event;
import io.flinklite.runtime.operator.OneInputOperator;

/**
 * Counts the built-in job's late events by type, on the window operator's late side output; the counts are published
 * with the others of its {@link SelectionCache} by {@link TypeFilterOperator}. Emits nothing.
 */
final class LateTypeCounter implements OneInputOperator<Event> {
    private final SelectionCache selection;

    LateTypeCounter(SelectionCache selection) {
        this.selection = selection;
    }

    @Override
    public void processElement(Event event, long timestampMs, String key) {
        selection.countLate(event.key());
    }

    @Override
    public void processWatermark(long watermarkMs) {
    }
}
