package io.flinklite.app.metrics;

import io.flinklite.app.metrics.DeployFiles.PanelQuery;
import io.flinklite.runtime.metrics.JobMetrics;
import io.flinklite.runtime.metrics.JobMetrics.InvalidReason;
import io.flinklite.runtime.metrics.JobMetrics.JobState;
import io.flinklite.runtime.metrics.JobMetrics.PartitionStats;
import org.junit.jupiter.api.Test;

import java.time.Duration;
import java.util.ArrayList;
import java.util.List;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

/**
 * The dashboard's promise, checked end to end: a real Prometheus scrapes the metrics server of a job under traffic,
 * and every PromQL expression of every panel of {@code deploy/grafana/dashboards/flinklite.json} returns data. A
 * panel whose query returns nothing fails the test with its title and query.
 */
class DashboardQueriesIT {

    @Test
    void everyDashboardQueryReturnsDataFromARealPrometheus() throws Exception {
        List<PanelQuery> queries = DeployFiles.dashboardQueries(DeployFiles.repoRoot());
        JobMetrics metrics = new JobMetrics();
        try (MetricsServer server = MetricsServer.start(new MetricsConfig("127.0.0.1", 0, Duration.ZERO), metrics);
             SimulatedJob job = SimulatedJob.start(metrics);
             PrometheusProcess prometheus = PrometheusProcess.start("127.0.0.1:" + server.port())) {

            await("Prometheus scraping the metrics server").atMost(Duration.ofSeconds(60))
                    .pollInterval(Duration.ofSeconds(1))
                    .until(() -> prometheus.value("up{job=\"flinklite\"}") == 1.0);

            // rate() and increase() need two samples in their range, so a fresh server answers some queries only
            // after a few scrapes: poll until every query has data, and report the ones that never get any.
            await("every dashboard query returns data").atMost(Duration.ofSeconds(90))
                    .pollInterval(Duration.ofSeconds(2))
                    .untilAsserted(() -> assertThat(queriesWithoutData(prometheus, queries))
                            .as("dashboard panels whose query returns no data from Prometheus").isEmpty());

            assertThat(prometheus.value("flinklite_events_total")).isPositive();
            assertThat(prometheus.value("rate(flinklite_events_total[1m])")).isPositive();
            assertThat(prometheus.value("flinklite_windows_flushed_total")).isPositive();
            assertThat(prometheus.value("flinklite_watermark_timestamp")).isGreaterThan(1.6e12);
            assertThat(prometheus.value("flinklite_last_checkpoint_time")).isGreaterThan(1.6e12);
        }
    }

    private static List<PanelQuery> queriesWithoutData(PrometheusProcess prometheus, List<PanelQuery> queries) {
        List<PanelQuery> empty = new ArrayList<>();
        for (PanelQuery query : queries) {
            if (prometheus.query(query.expr()).isEmpty()) {
                empty.add(query);
            }
        }
        return empty;
    }

    /**
     * Drives {@link JobMetrics} the way the task thread does: batches of records with every outcome, a watermark
     * trailing the wall clock by the out-of-orderness bound, windows firing every slide, a checkpoint each second.
     */
    private static final class SimulatedJob implements AutoCloseable {
        private static final long OUT_OF_ORDERNESS_MS = 5_000;

        private final JobMetrics metrics;
        private final Thread thread;
        private volatile boolean running = true;

        private SimulatedJob(JobMetrics metrics) {
            this.metrics = metrics;
            this.thread = new Thread(this::loop, "simulated-task");
        }

        static SimulatedJob start(JobMetrics metrics) {
            SimulatedJob job = new SimulatedJob(metrics);
            job.thread.start();
            return job;
        }

        private void loop() {
            metrics.setJobState(JobState.RUNNING);
            metrics.setSourceAssigned(true);
            long batches = 0;
            long checkpointId = 0;
            long lastCheckpointMs = System.currentTimeMillis();
            while (running) {
                long nowMs = System.currentTimeMillis();
                long watermarkMs = nowMs - OUT_OF_ORDERNESS_MS - 1;
                metrics.addEventsTotal(1_000);
                metrics.addAccepted(700);
                metrics.addFiltered(270);
                metrics.addInvalid(InvalidReason.values()[(int) (batches % InvalidReason.values().length)], 20);
                metrics.addLate(10);
                metrics.setWatermarkMs(watermarkMs);
                metrics.setPartitions(new PartitionStats[] {
                        new PartitionStats("events", 0, watermarkMs, 100 + batches % 50, false),
                        new PartitionStats("events", 1, watermarkMs + 3, 80 + batches % 30, false),
                });
                metrics.setOpenWindows(4);
                metrics.setOpenPanes(6);
                if (batches % 10 == 0) {
                    metrics.addWindowsFlushed(2);
                    metrics.addLateFirings(batches % 20 == 0 ? 1 : 0);
                    metrics.addResultsWritten(2);
                    metrics.observeResultLatency(0.002);
                    metrics.observeResultLatency(0.004);
                }
                if (nowMs - lastCheckpointMs >= 1_000) {
                    metrics.checkpointCompleted(++checkpointId, nowMs, 3_000_000, 16_384);
                    lastCheckpointMs = nowMs;
                }
                batches++;
                try {
                    Thread.sleep(50);
                } catch (InterruptedException e) {
                    return;
                }
            }
        }

        @Override
        public void close() throws InterruptedException {
            running = false;
            thread.interrupt();
            thread.join();
            metrics.setJobState(JobState.FINISHED);
        }
    }
}
