package io.flinklite.app.web;

import io.flinklite.runtime.metrics.JobMetrics;

/**
 * The {@link JobMetrics} counters a node of the job graph reads its records in and out from. Naming them here, not
 * computing them in the UI, keeps one meaning per number: the graph, the rates and {@code /metrics} agree.
 */
public enum Counter {
    /** Records read from the source ({@code flinklite_events_total}). */
    READ,
    /** Records that decoded into an event: read minus invalid. */
    VALID,
    /** Valid records of a selected type: accepted plus late. */
    SELECTED,
    /** Records that reached a window ({@code outcome="accepted"}). */
    ACCEPTED,
    /** Records later than the allowed lateness ({@code outcome="late"}). */
    LATE,
    /** Records rejected by reason ({@code outcome="invalid"}). */
    INVALID,
    /** Window results fired, on time and late ({@code flinklite_windows_flushed_total}). */
    FIRED,
    /** Window results the sinks accepted ({@code flinklite_results_written_total}). */
    WRITTEN;

    /** The counter's current value; any thread. */
    public long read(JobMetrics m) {
        return switch (this) {
            case READ -> m.eventsTotal();
            case VALID -> m.eventsTotal() - m.eventsInvalidTotal();
            case SELECTED -> m.eventsAccepted() + m.eventsLate();
            case ACCEPTED -> m.eventsAccepted();
            case LATE -> m.eventsLate();
            case INVALID -> m.eventsInvalidTotal();
            case FIRED -> m.windowsFlushed();
            case WRITTEN -> m.resultsWritten();
        };
    }
}
