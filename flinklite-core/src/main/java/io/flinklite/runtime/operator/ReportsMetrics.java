package io.flinklite.runtime.operator;

import io.flinklite.runtime.metrics.JobMetrics;

/**
 * An operator that counts something the job's metrics show (filtered events, late events, firings, open windows).
 * The task calls {@link #publishMetrics} on every such operator between batches, on the task thread; the operator adds
 * what it counted since the previous call (and sets its gauges), so the per-record path touches plain fields only.
 */
public interface ReportsMetrics {

    /**
     * Called once by the task as it wires the graph, before any {@link #publishMetrics}: the operator's id, under which
     * it files gauges of its own (e.g. {@link JobMetrics#windowOperator}), so that two operators of one kind keep
     * theirs apart. The default files nothing.
     */
    default void registerMetrics(String operatorId, JobMetrics metrics) {
    }

    /** Adds the counts since the previous call to {@code metrics} and sets the gauges. Task thread, between batches. */
    void publishMetrics(JobMetrics metrics);
}
