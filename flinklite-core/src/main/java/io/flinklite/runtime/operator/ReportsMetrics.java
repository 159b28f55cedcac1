package io.flinklite.runtime.operator;

import io.flinklite.runtime.metrics.JobMetrics;

/**
 * An operator that counts something the job's metrics show (filtered events, late events, firings, open windows).
 * The task calls {@link #publishMetrics} on every such operator between batches, on the task thread; the operator adds
 * what it counted since the previous call (and sets its gauges), so the per-record path touches plain fields only.
 */
public interface ReportsMetrics {

    /** Adds the counts since the previous call to {@code metrics} and sets the gauges. Task thread, between batches. */
    void publishMetrics(JobMetrics metrics);
}
