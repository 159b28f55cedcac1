package io.flinklite.app.metrics;

import io.flinklite.runtime.metrics.JobMetrics.PartitionStats;
import io.flinklite.runtime.metrics.JobMetrics;
import io.flinklite.source.InvalidReason;
import io.prometheus.metrics.core.metrics.CounterWithCallback;
import io.prometheus.metrics.core.metrics.GaugeWithCallback;
import io.prometheus.metrics.core.metrics.Histogram;
import io.prometheus.metrics.model.registry.PrometheusRegistry;

import java.util.function.Consumer;
import java.util.function.LongSupplier;

/**
 * Publishes one job's {@link JobMetrics} as Prometheus metrics. Every metric but the latency histogram is a callback
 * that reads {@code JobMetrics} when Prometheus scrapes, so the task thread never touches this library and a scrape
 * always sees the latest numbers. The README lists every metric; keep the two in step.
 *
 * <p>Called once per job, before the job runs, from the thread that starts the metrics server.
 */
public final class JobMetricsCollectors {

    /**
     * Upper bounds of the result latency histogram, in seconds: results are usually written within milliseconds of
     * the watermark passing a window's end, but a slow sink or a long batch can stretch that to seconds.
     */
    static final double[] LATENCY_BUCKETS_SECONDS =
            {0.0005, 0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10, 30};

    private JobMetricsCollectors() {
    }

    /**
     * Registers the job's metrics on {@code registry} and installs the latency histogram as {@code metrics}'
     * {@link JobMetrics#setLatencyObserver latency observer}.
     *
     * @param nowMs the wall clock, epoch ms, for the lag gauges (tests pass a fixed clock)
     */
    public static void register(PrometheusRegistry registry, JobMetrics metrics, LongSupplier nowMs) {
        registerSeedMetrics(registry, metrics);
        registerEventOutcomes(registry, metrics);
        registerWindowsAndResults(registry, metrics);
        registerWatermarks(registry, metrics, nowMs);
        registerTasks(registry, metrics);
        registerCheckpoints(registry, metrics);
        registerJoin(registry, metrics);

        gauge(registry, "flinklite_job_ready",
                "1 while the job is running, its source has input partitions assigned and Kafka answers, else 0",
                cb -> cb.call(metrics.ready() ? 1 : 0));

        Histogram latency = Histogram.builder()
                .name("flinklite_result_latency_seconds")
                .help("Time from the watermark passing a window's end to that window's result being handed to the sink")
                .classicOnly()
                .classicUpperBounds(LATENCY_BUCKETS_SECONDS)
                .register(registry);
        metrics.setLatencyObserver(latency::observe);
    }

    /** The four names of the original FlinkLite, which its dashboards and alerts use: never rename them. */
    private static void registerSeedMetrics(PrometheusRegistry registry, JobMetrics metrics) {
        counter(registry, "flinklite_events_total",
                "Records read from the source, whatever their outcome",
                cb -> cb.call(metrics.eventsTotal()));
        counter(registry, "flinklite_windows_flushed_total",
                "Window results fired, on time and late",
                cb -> cb.call(metrics.windowsFlushed()));
        gauge(registry, "flinklite_watermark_timestamp",
                "The job's combined event-time watermark, epoch milliseconds; absent before the first record and "
                        + "after the end of a bounded input",
                cb -> {
                    long watermarkMs = metrics.watermarkMs();
                    if (isTime(watermarkMs)) {
                        cb.call(watermarkMs);
                    }
                });
        gauge(registry, "flinklite_last_checkpoint_time",
                "When the last successful checkpoint was written, epoch milliseconds; 0 before the first",
                cb -> cb.call(metrics.lastCheckpointTimeMs()));
    }

    private static void registerEventOutcomes(PrometheusRegistry registry, JobMetrics metrics) {
        counter(registry, "flinklite_events_outcome_total",
                "Records read, by outcome: accepted (reached a window), filtered (type not selected), "
                        + "invalid (see flinklite_events_invalid_total), late (beyond the allowed lateness)",
                cb -> {
                    cb.call(metrics.eventsAccepted(), "accepted");
                    cb.call(metrics.eventsFiltered(), "filtered");
                    cb.call(metrics.eventsInvalidTotal(), "invalid");
                    cb.call(metrics.eventsLate(), "late");
                }, "outcome");
        counter(registry, "flinklite_events_invalid_total",
                "Records rejected before the windows, by reason",
                cb -> {
                    for (InvalidReason reason : InvalidReason.values()) {
                        cb.call(metrics.eventsInvalid(reason), reason.label());
                    }
                }, "reason");
        counter(registry, "flinklite_events_by_type_total",
                "Valid records of the built-in job by type (the key field's value; at most "
                        + JobMetrics.MAX_TYPES + " types, the rest as '" + JobMetrics.OTHER_TYPE + "') and outcome",
                cb -> metrics.eventsByType().forEach((type, counts) -> {
                    cb.call(counts[0], type, "accepted");
                    cb.call(counts[1], type, "filtered");
                    cb.call(counts[2], type, "late");
                }), "type", "outcome");
    }

    private static void registerWindowsAndResults(PrometheusRegistry registry, JobMetrics metrics) {
        counter(registry, "flinklite_late_firings_total",
                "Window firings caused by a late record within the allowed lateness (each also counts as flushed)",
                cb -> cb.call(metrics.lateFirings()));
        counter(registry, "flinklite_results_written_total",
                "Window results the outputs acknowledged (flushed, or committed in the checkpoint's transaction)",
                cb -> cb.call(metrics.resultsWritten()));
        counter(registry, "flinklite_output_write_failures_total",
                "Records (results, late events, dead letters) Kafka refused or never acknowledged; the job stops at the first",
                cb -> cb.call(metrics.outputWriteFailures()));
        counter(registry, "flinklite_output_records_too_large_total",
                "Records larger than their topic's max.message.bytes or the producer's max.request.size",
                cb -> cb.call(metrics.outputRecordsTooLarge()));
        counter(registry, "flinklite_shuffle_duplicates_skipped_total",
                "Repartition records keyed tasks skipped as resends of a source task restored from an older snapshot",
                cb -> cb.call(metrics.shuffleDuplicatesSkipped()));
        counter(registry, "flinklite_shuffle_late_partials_total",
                "Pre-aggregated partials keyed tasks dropped because all windows of their pane had closed (a source"
                        + " partition behind the job's watermark, e.g. one added to the input while running)",
                cb -> cb.call(metrics.shuffleLatePartials()));
        counter(registry, "flinklite_transactions_committed_total",
                "Kafka transactions a scaled-out exactly-once instance committed (one per checkpoint of its tasks)",
                cb -> cb.call(metrics.transactionsCommitted()));
        counter(registry, "flinklite_transactions_aborted_total",
                "Kafka transactions a scaled-out exactly-once instance aborted (partitions lost, commit fenced, a"
                        + " failed write); its tasks were re-created from their last committed snapshots",
                cb -> cb.call(metrics.transactionsAborted()));
        counter(registry, "flinklite_sink_errors_total",
                "Failed attempts to write to a sink, retried or not: kafka (the job's topics, and a user job's own "
                        + "sinks) and each plug-in sink (jdbc, cassandra)",
                cb -> {
                    cb.call(metrics.sinkErrors(), "kafka");
                    metrics.sinks().forEach((name, counters) -> cb.call(counters.failedAttempts(), name));
                }, "sink");
        counter(registry, "flinklite_sink_retries_total",
                "Failed writes a plug-in sink tried again (after a backoff)",
                cb -> metrics.sinks().forEach((name, counters) -> cb.call(counters.retries(), name)), "sink");
        counter(registry, "flinklite_sink_give_ups_total",
                "Writes a plug-in sink abandoned: the job stopped, and recomputes those results when restarted",
                cb -> metrics.sinks().forEach((name, counters) -> cb.call(counters.giveUps(), name)), "sink");
        // The unlabelled two are the totals, which for the built-in job's one window operator they always were.
        gauge(registry, "flinklite_open_windows",
                "Windows (per key) holding state, waiting for the watermark, over all window operators",
                cb -> cb.call(metrics.openWindows()));
        gauge(registry, "flinklite_open_panes",
                "Panes (slide-sized slices per key) holding state, over all window operators",
                cb -> cb.call(metrics.openPanes()));
        gauge(registry, "flinklite_operator_open_windows",
                "Windows (per key) one window operator holds, by its id in the job graph",
                cb -> metrics.windowOperators().forEach((id, g) -> cb.call(g.openWindows(), id)), "operator");
        gauge(registry, "flinklite_operator_open_panes",
                "Panes (or session windows) one window operator holds, by its id in the job graph",
                cb -> metrics.windowOperators().forEach((id, g) -> cb.call(g.openPanes(), id)), "operator");
    }

    private static void registerWatermarks(PrometheusRegistry registry, JobMetrics metrics, LongSupplier nowMs) {
        gauge(registry, "flinklite_watermark_lag_seconds",
                "Wall clock minus the combined watermark, seconds; absent while the watermark gauge is",
                cb -> {
                    long watermarkMs = metrics.watermarkMs();
                    if (isTime(watermarkMs)) {
                        cb.call((nowMs.getAsLong() - watermarkMs) / 1000.0);
                    }
                });
        gauge(registry, "flinklite_partition_watermark_timestamp",
                "Watermark of one input partition, epoch milliseconds; absent until it has seen a record",
                cb -> {
                    for (PartitionStats p : metrics.partitions()) {
                        if (isTime(p.watermarkMs())) {
                            cb.call(p.watermarkMs(), p.topic(), Integer.toString(p.partition()));
                        }
                    }
                }, "topic", "partition");
        gauge(registry, "flinklite_partition_idle",
                "1 while an input partition is idle (excluded from the combined watermark), else 0",
                cb -> {
                    for (PartitionStats p : metrics.partitions()) {
                        cb.call(p.idle() ? 1 : 0, p.topic(), Integer.toString(p.partition()));
                    }
                }, "topic", "partition");
        gauge(registry, "flinklite_consumer_lag_records",
                "Records between the consumer's position and the end of an input partition",
                cb -> {
                    for (PartitionStats p : metrics.partitions()) {
                        if (p.lag() >= 0) {
                            cb.call(p.lag(), p.topic(), Integer.toString(p.partition()));
                        }
                    }
                }, "topic", "partition");
    }

    /**
     * Only for a scaled-out job ({@code --scale-out}): absent otherwise. Each task's watermark and lag are the
     * partition gauges of its topic (the input's for a source task, the repartition topic's for a keyed task).
     */
    private static void registerTasks(PrometheusRegistry registry, JobMetrics metrics) {
        gauge(registry, "flinklite_tasks_owned",
                "Tasks (input and repartition partitions) this instance of a scaled-out job owns",
                cb -> ifScaledOut(metrics, t -> cb.call(t.ownedTasks())));
        counter(registry, "flinklite_task_rebalances_total",
                "Assignment changes (assignments and revocations) a scaled-out instance went through",
                cb -> ifScaledOut(metrics, t -> cb.call(t.rebalances())));
        counter(registry, "flinklite_task_restore_seconds_total",
                "Time spent restoring the snapshots of tasks that moved to this instance",
                cb -> ifScaledOut(metrics, t -> cb.call(t.restoreNanos() / 1e9)));
        counter(registry, "flinklite_task_restored_bytes_total",
                "State bytes restored from the snapshots of tasks that moved to this instance",
                cb -> ifScaledOut(metrics, t -> cb.call(t.restoredBytes())));
        // The unlabelled flinklite_open_windows and flinklite_open_panes are these summed over the owned keyed tasks.
        gauge(registry, "flinklite_task_open_windows",
                "Windows (per key) one keyed task of a scaled-out job holds, by task (<topic>/<partition>)",
                cb -> metrics.windowTasks().forEach((task, g) -> cb.call(g.openWindows(), task)), "task");
        gauge(registry, "flinklite_task_open_panes",
                "Panes (or session windows) one keyed task of a scaled-out job holds, by task (<topic>/<partition>)",
                cb -> metrics.windowTasks().forEach((task, g) -> cb.call(g.openPanes(), task)), "task");
    }

    private static void ifScaledOut(JobMetrics metrics, Consumer<JobMetrics.TaskCounts> report) {
        JobMetrics.TaskCounts t = metrics.tasks();
        if (t != null) {
            report.accept(t);
        }
    }

    /** Only for a join job: absent otherwise, so a window job's scrape does not show join zeros. */
    private static void registerJoin(PrometheusRegistry registry, JobMetrics metrics) {
        counter(registry, "flinklite_join_pairs_total",
                "Pairs a stream-stream join emitted",
                cb -> {
                    if (metrics.isJoin()) {
                        cb.call(metrics.joinPairs());
                    }
                });
        counter(registry, "flinklite_join_late_total",
                "Elements too late to join, by side (left: --input-topic, right: --join-topic), sent to the late output",
                cb -> {
                    if (metrics.isJoin()) {
                        cb.call(metrics.joinLate(JobMetrics.LEFT), "left");
                        cb.call(metrics.joinLate(JobMetrics.RIGHT), "right");
                    }
                }, "side");
        gauge(registry, "flinklite_join_state_elements",
                "Elements a join buffers, waiting for partners or for their window to fire",
                cb -> {
                    if (metrics.isJoin()) {
                        cb.call(metrics.joinStateElements());
                    }
                });
        gauge(registry, "flinklite_join_state_bytes",
                "Bytes of the elements a join buffers, as kept (their encoded form)",
                cb -> {
                    if (metrics.isJoin()) {
                        cb.call(metrics.joinStateBytes());
                    }
                });
    }

    private static void registerCheckpoints(PrometheusRegistry registry, JobMetrics metrics) {
        counter(registry, "flinklite_checkpoints_completed_total",
                "Checkpoints written successfully",
                cb -> cb.call(metrics.checkpointsCompleted()));
        counter(registry, "flinklite_checkpoint_failures_total",
                "Checkpoints that failed to be written",
                cb -> cb.call(metrics.checkpointFailures()));
        counter(registry, "flinklite_checkpoints_skipped_total",
                "Damaged checkpoints skipped at start, falling back to an older one",
                cb -> cb.call(metrics.checkpointsSkipped()));
        gauge(registry, "flinklite_last_checkpoint_duration_seconds",
                "How long the last successful checkpoint took to write, seconds",
                cb -> cb.call(metrics.lastCheckpointDurationNanos() / 1e9));
        gauge(registry, "flinklite_last_checkpoint_size_bytes",
                "Size of the last successful checkpoint, bytes",
                cb -> cb.call(metrics.lastCheckpointSizeBytes()));
    }

    /**
     * Whether a watermark is a point in time: not {@link Long#MIN_VALUE} (nothing seen yet) nor
     * {@link Long#MAX_VALUE} (end of a bounded input), either of which would wreck every graph of it.
     */
    static boolean isTime(long watermarkMs) {
        return watermarkMs != Long.MIN_VALUE && watermarkMs != Long.MAX_VALUE;
    }

    private static void counter(PrometheusRegistry registry, String name, String help,
                                Consumer<CounterWithCallback.Callback> callback, String... labelNames) {
        CounterWithCallback.builder().name(name).help(help).labelNames(labelNames).callback(callback).register(registry);
    }

    private static void gauge(PrometheusRegistry registry, String name, String help,
                              Consumer<GaugeWithCallback.Callback> callback, String... labelNames) {
        GaugeWithCallback.builder().name(name).help(help).labelNames(labelNames).callback(callback).register(registry);
    }
}
