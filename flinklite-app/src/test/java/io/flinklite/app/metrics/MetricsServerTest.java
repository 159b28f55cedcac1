package io.flinklite.app.metrics;

import io.flinklite.runtime.metrics.JobMetrics.JobState;
import io.flinklite.runtime.metrics.JobMetrics.PartitionStats;
import io.flinklite.runtime.metrics.JobMetrics;
import io.flinklite.source.InvalidReason;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

import java.time.Duration;
import java.util.Map;
import java.util.concurrent.atomic.AtomicLong;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

class MetricsServerTest {

    private static final long NOW_MS = 1_800_000_000_000L;

    private final JobMetrics metrics = new JobMetrics();
    private final AtomicLong clockMs = new AtomicLong(NOW_MS);
    private MetricsServer server;

    @BeforeEach
    void startServer() {
        server = MetricsServer.start(new MetricsConfig("127.0.0.1", 0, Duration.ZERO), metrics, clockMs::get);
    }

    @AfterEach
    void stopServer() {
        server.close();
    }

    @Test
    void theFourSeedMetricsMoveAsTheJobRuns() {
        Map<String, Double> before = Http.scrape(server.port());
        assertThat(before).containsEntry("flinklite_events_total", 0.0)
                .containsEntry("flinklite_windows_flushed_total", 0.0)
                .containsEntry("flinklite_last_checkpoint_time", 0.0)
                .doesNotContainKey("flinklite_watermark_timestamp");

        metrics.addEventsTotal(1_000);
        metrics.addWindowsFlushed(4);
        metrics.setWatermarkMs(NOW_MS - 5_001);
        metrics.checkpointCompleted(1, NOW_MS - 2_000, 3_000_000, 4_096);
        Map<String, Double> first = Http.scrape(server.port());
        assertThat(first).containsEntry("flinklite_events_total", 1_000.0)
                .containsEntry("flinklite_windows_flushed_total", 4.0)
                .containsEntry("flinklite_watermark_timestamp", (double) (NOW_MS - 5_001))
                .containsEntry("flinklite_last_checkpoint_time", (double) (NOW_MS - 2_000));

        metrics.addEventsTotal(500);
        metrics.addWindowsFlushed(2);
        metrics.setWatermarkMs(NOW_MS - 1);
        metrics.checkpointCompleted(2, NOW_MS, 1_000_000, 4_000);
        Map<String, Double> second = Http.scrape(server.port());
        assertThat(second.get("flinklite_events_total")).isEqualTo(1_500.0);
        assertThat(second.get("flinklite_windows_flushed_total")).isEqualTo(6.0);
        assertThat(second.get("flinklite_watermark_timestamp"))
                .isGreaterThan(first.get("flinklite_watermark_timestamp"));
        assertThat(second.get("flinklite_last_checkpoint_time")).isEqualTo((double) NOW_MS);
    }

    @Test
    void theEndOfABoundedInputHidesTheWatermarkInsteadOfPublishingInfinity() {
        metrics.setWatermarkMs(Long.MAX_VALUE);
        assertThat(Http.scrape(server.port()))
                .doesNotContainKey("flinklite_watermark_timestamp")
                .doesNotContainKey("flinklite_watermark_lag_seconds");
    }

    @Test
    void outcomesReasonsAndWindowStateAreLabelledCounters() {
        metrics.addEventsTotal(17);
        metrics.addAccepted(10);
        metrics.addFiltered(3);
        metrics.addInvalid(InvalidReason.NOT_JSON, 2);
        metrics.addInvalid(InvalidReason.MISSING_TIMESTAMP, 1);
        metrics.addLate(1);
        metrics.addLateFirings(1);
        metrics.addResultsWritten(5);
        metrics.addSinkErrors(1);
        JobMetrics.SinkCounters jdbc = metrics.sink("jdbc");
        for (int i = 0; i < 7; i++) {
            jdbc.failedAttempt();
            jdbc.retried();
        }
        jdbc.failedAttempt();
        jdbc.gaveUp();
        // Two window operators (a user job with two windows): each its own series, the unlabelled ones their sum.
        metrics.windowOperator("windows").set(5, 6);
        metrics.windowOperator("windows-2").set(2, 3);
        metrics.addTypeCounts("critical", 6, 0, 1);
        metrics.addTypeCounts("normal", 0, 3, 0);

        Map<String, Double> samples = Http.scrape(server.port());
        assertThat(samples)
                .containsEntry("flinklite_events_outcome_total{outcome=\"accepted\"}", 10.0)
                .containsEntry("flinklite_events_outcome_total{outcome=\"filtered\"}", 3.0)
                .containsEntry("flinklite_events_outcome_total{outcome=\"invalid\"}", 3.0)
                .containsEntry("flinklite_events_outcome_total{outcome=\"late\"}", 1.0)
                .containsEntry("flinklite_events_invalid_total{reason=\"not_json\"}", 2.0)
                .containsEntry("flinklite_events_by_type_total{outcome=\"accepted\",type=\"critical\"}", 6.0)
                .containsEntry("flinklite_events_by_type_total{outcome=\"late\",type=\"critical\"}", 1.0)
                .containsEntry("flinklite_events_by_type_total{outcome=\"filtered\",type=\"normal\"}", 3.0)
                .containsEntry("flinklite_events_invalid_total{reason=\"missing_timestamp\"}", 1.0)
                .containsEntry("flinklite_events_invalid_total{reason=\"oversized\"}", 0.0)
                .containsEntry("flinklite_late_firings_total", 1.0)
                .containsEntry("flinklite_results_written_total", 5.0)
                .containsEntry("flinklite_sink_errors_total{sink=\"kafka\"}", 1.0)
                .containsEntry("flinklite_sink_errors_total{sink=\"jdbc\"}", 8.0)
                .containsEntry("flinklite_sink_retries_total{sink=\"jdbc\"}", 7.0)
                .containsEntry("flinklite_sink_give_ups_total{sink=\"jdbc\"}", 1.0)
                .containsEntry("flinklite_open_windows", 7.0)
                .containsEntry("flinklite_open_panes", 9.0)
                .containsEntry("flinklite_operator_open_windows{operator=\"windows\"}", 5.0)
                .containsEntry("flinklite_operator_open_windows{operator=\"windows-2\"}", 2.0)
                .containsEntry("flinklite_operator_open_panes{operator=\"windows\"}", 6.0)
                .containsEntry("flinklite_operator_open_panes{operator=\"windows-2\"}", 3.0);
        double outcomes = samples.entrySet().stream()
                .filter(e -> e.getKey().startsWith("flinklite_events_outcome_total{"))
                .mapToDouble(Map.Entry::getValue).sum();
        assertThat(outcomes).as("every record has exactly one outcome").isEqualTo(samples.get("flinklite_events_total"));
    }

    @Test
    void joinMetricsAppearOnlyForAJoinWithPairsStateAndLatePerSide() {
        assertThat(Http.scrape(server.port()).keySet()).as("a window job shows no join zeros")
                .noneMatch(name -> name.startsWith("flinklite_join_"));
        metrics.addJoinPairs(12);
        metrics.addJoinLate(JobMetrics.LEFT, 2);
        metrics.addJoinLate(JobMetrics.RIGHT, 5);
        metrics.setJoinState(40, 4_096);
        assertThat(Http.scrape(server.port()))
                .containsEntry("flinklite_join_pairs_total", 12.0)
                .containsEntry("flinklite_join_late_total{side=\"left\"}", 2.0)
                .containsEntry("flinklite_join_late_total{side=\"right\"}", 5.0)
                .containsEntry("flinklite_join_state_elements", 40.0)
                .containsEntry("flinklite_join_state_bytes", 4_096.0);
    }

    @Test
    void taskMetricsAppearOnlyForAScaledOutJob() {
        assertThat(Http.scrape(server.port()).keySet()).as("a fused job shows no task zeros")
                .noneMatch(name -> name.startsWith("flinklite_task"));
        metrics.setTasks(new JobMetrics.TaskCounts(4, 3, 1_500_000_000L, 8_192));
        assertThat(Http.scrape(server.port()))
                .containsEntry("flinklite_tasks_owned", 4.0)
                .containsEntry("flinklite_task_rebalances_total", 3.0)
                .containsEntry("flinklite_task_restore_seconds_total", 1.5)
                .containsEntry("flinklite_task_restored_bytes_total", 8_192.0);
        metrics.windowTask("in-repartition/0").set(3, 5);
        metrics.windowTask("in-repartition/2").set(4, 6);
        assertThat(Http.scrape(server.port()))
                .containsEntry("flinklite_task_open_windows{task=\"in-repartition/0\"}", 3.0)
                .containsEntry("flinklite_task_open_windows{task=\"in-repartition/2\"}", 4.0)
                .containsEntry("flinklite_task_open_panes{task=\"in-repartition/2\"}", 6.0)
                .containsEntry("flinklite_open_windows", 7.0)
                .containsEntry("flinklite_open_panes", 11.0);
        metrics.removeWindowTask("in-repartition/0");
        assertThat(Http.scrape(server.port())).doesNotContainKey("flinklite_task_open_windows{task=\"in-repartition/0\"}")
                .containsEntry("flinklite_open_windows", 4.0);
    }

    @Test
    void watermarkLagAndPartitionsAreMeasuredAgainstTheWallClock() {
        metrics.setWatermarkMs(NOW_MS - 5_001);
        metrics.setPartitions(new PartitionStats[] {
                new PartitionStats("events", 0, NOW_MS - 5_001, 42, false),
                new PartitionStats("events", 1, Long.MIN_VALUE, -1, true),
        });
        Map<String, Double> samples = Http.scrape(server.port());
        assertThat(samples.get("flinklite_watermark_lag_seconds")).isEqualTo(5.001);
        assertThat(samples)
                .containsEntry("flinklite_partition_watermark_timestamp{partition=\"0\",topic=\"events\"}",
                        (double) (NOW_MS - 5_001))
                .doesNotContainKey("flinklite_partition_watermark_timestamp{partition=\"1\",topic=\"events\"}")
                .containsEntry("flinklite_consumer_lag_records{partition=\"0\",topic=\"events\"}", 42.0)
                .doesNotContainKey("flinklite_consumer_lag_records{partition=\"1\",topic=\"events\"}")
                .containsEntry("flinklite_partition_idle{partition=\"0\",topic=\"events\"}", 0.0)
                .containsEntry("flinklite_partition_idle{partition=\"1\",topic=\"events\"}", 1.0);

        clockMs.addAndGet(10_000);
        assertThat(Http.scrape(server.port()).get("flinklite_watermark_lag_seconds")).isEqualTo(15.001);
    }

    @Test
    void resultLatencyIsAHistogramFedThroughJobMetrics() {
        metrics.observeResultLatency(0.003);
        metrics.observeResultLatency(0.2);
        Map<String, Double> samples = Http.scrape(server.port());
        assertThat(samples)
                .containsEntry("flinklite_result_latency_seconds_count", 2.0)
                .containsEntry("flinklite_result_latency_seconds_bucket{le=\"0.0025\"}", 0.0)
                .containsEntry("flinklite_result_latency_seconds_bucket{le=\"0.005\"}", 1.0)
                .containsEntry("flinklite_result_latency_seconds_bucket{le=\"+Inf\"}", 2.0);
        assertThat(samples.get("flinklite_result_latency_seconds_sum")).isCloseTo(0.203, org.assertj.core.data.Offset.offset(1e-9));
    }

    @Test
    void checkpointDurationSizeAndFailuresAreInBaseUnits() {
        metrics.checkpointCompleted(3, NOW_MS, 250_000_000, 1 << 20);
        metrics.checkpointFailed();
        metrics.addCheckpointsSkipped(2);
        Map<String, Double> samples = Http.scrape(server.port());
        assertThat(samples)
                .containsEntry("flinklite_last_checkpoint_duration_seconds", 0.25)
                .containsEntry("flinklite_last_checkpoint_size_bytes", (double) (1 << 20))
                .containsEntry("flinklite_checkpoints_completed_total", 1.0)
                .containsEntry("flinklite_checkpoint_failures_total", 1.0)
                .containsEntry("flinklite_checkpoints_skipped_total", 2.0);
    }

    @Test
    void jvmMetricsAreExposedBesideTheJobs() {
        assertThat(Http.scrape(server.port()).keySet())
                .anyMatch(name -> name.startsWith("jvm_memory_used_bytes"))
                .anyMatch(name -> name.startsWith("process_cpu_seconds_total"));
    }

    @Test
    void readinessFollowsTheJobStateAndSourceAssignment() {
        String base = "http://127.0.0.1:" + server.port();
        assertThat(Http.get(base + "/health/live").status()).isEqualTo(200);
        Http.Response starting = Http.get(base + "/health/ready");
        assertThat(starting.status()).isEqualTo(503);
        assertThat(starting.body()).contains("starting");

        metrics.setJobState(JobState.RUNNING);
        assertThat(Http.get(base + "/health/ready").status()).as("running, no partitions").isEqualTo(503);
        metrics.setSourceAssigned(true);
        assertThat(Http.get(base + "/health/ready").status()).isEqualTo(200);
        assertThat(Http.scrape(server.port())).containsEntry("flinklite_job_ready", 1.0);

        metrics.setJobState(JobState.FAILED);
        assertThat(Http.get(base + "/health/ready").status()).isEqualTo(503);
        assertThat(Http.get(base + "/health/live").status()).isEqualTo(503);
        assertThat(Http.scrape(server.port())).containsEntry("flinklite_job_ready", 0.0);
    }

    @Test
    void unknownPathsAre404AndTheWebUiLinksTheEndpoints() {
        String base = "http://127.0.0.1:" + server.port();
        assertThat(Http.get(base + "/nope").status()).isEqualTo(404);
        assertThat(Http.get(base + "/").body()).contains("/metrics", "/health/live", "/health/ready");
    }

    @Test
    void anUnknownHostIsReportedWithTheAddress() {
        MetricsConfig unknown = new MetricsConfig("no-such-host.invalid", 0, Duration.ZERO);
        assertThatThrownBy(() -> MetricsServer.start(unknown, new JobMetrics()))
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessageContaining("no-such-host.invalid:0");
    }

    @Test
    void aBusyPortIsReportedWithTheAddress() {
        MetricsConfig taken = new MetricsConfig("127.0.0.1", server.port(), Duration.ZERO);
        assertThatThrownBy(() -> MetricsServer.start(taken, new JobMetrics()))
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessageContaining("127.0.0.1:" + server.port());
    }
}
