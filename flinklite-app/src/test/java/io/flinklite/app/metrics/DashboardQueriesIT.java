package io.flinklite.app.metrics;

import io.flinklite.connector.kafka.embedded.SharedKafkaBroker;
import io.flinklite.app.CheckpointSettings;
import io.flinklite.app.KafkaJob;
import io.flinklite.app.metrics.DeployFiles.PanelQuery;
import io.flinklite.connector.kafka.KafkaConnection;
import io.flinklite.connector.kafka.Simulator;
import io.flinklite.connector.kafka.TrafficGenerator;
import io.flinklite.connector.kafka.TrafficGenerator.Disorder;
import io.flinklite.connector.kafka.TrafficGenerator.InvalidKind;
import io.flinklite.connector.kafka.embedded.EmbeddedKafkaBroker;
import io.flinklite.job.JobSpec;
import io.flinklite.job.WindowSpec;
import io.flinklite.runtime.checkpoint.Delivery;
import io.flinklite.runtime.metrics.JobMetrics;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.atomic.AtomicReference;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

/**
 * The dashboard's promise, checked end to end: the built-in job runs on an embedded Kafka broker fed by the simulator
 * (disordered, partly late, partly invalid traffic) and checkpoints every second, a real Prometheus scrapes its
 * metrics server, and every PromQL
 * expression of every panel of {@code deploy/grafana/dashboards/flinklite.json} must return data. A panel whose query
 * returns nothing fails the test with its title and query.
 */
@org.junit.jupiter.api.extension.ExtendWith(SharedKafkaBroker.class)
class DashboardQueriesIT {

    /** Short windows and bounds, so results, late firings and late drops all happen within seconds. */
    private static final JobSpec SPEC = JobSpec.defaults()
            .withWindow(WindowSpec.tumbling(2_000, 0))
            .withOutOfOrdernessMs(1_000)
            .withAllowedLatenessMs(1_000);

    @TempDir
    Path checkpointDir;

    @Test
    void everyDashboardQueryReturnsDataWhileTheJobRunsOnKafka() throws Exception {
        List<PanelQuery> queries = DeployFiles.dashboardQueries(DeployFiles.repoRoot());
        JobMetrics metrics = new JobMetrics();
        EmbeddedKafkaBroker broker = SharedKafkaBroker.get();
        try (MetricsServer server = MetricsServer.start(new MetricsConfig("127.0.0.1", 0, Duration.ZERO), metrics);
             PrometheusProcess prometheus = PrometheusProcess.start("127.0.0.1:" + server.port())) {
            broker.createTopic("dash-in", 2);
            broker.createTopic("dash-out", 1);
            broker.createTopic("dash-late", 1);
            broker.createTopic("dash-dead", 1);
            KafkaConnection connection = KafkaConnection.of(broker.bootstrapServers());
            KafkaJob job = new KafkaJob(new KafkaJob.Settings(connection, SPEC).inputTopic("dash-in")
                    .outputTopic("dash-out").lateTopic("dash-late").deadLetterTopic("dash-dead").groupId("dash")
                    .checkpoints(new CheckpointSettings(checkpointDir, 1_000, Delivery.AT_LEAST_ONCE, true, null)),
                    metrics);
            // Up to 3 s of disorder against 1 s of out-of-orderness and 1 s of allowed lateness: some records fire
            // windows again, some are dropped as late. Two percent are invalid, of three kinds.
            TrafficGenerator traffic = new TrafficGenerator(7, Disorder.UNIFORM, 3_000,
                    List.of("important", "normal", "critical"), new double[] {1, 1, 1}, 0.02,
                    new InvalidKind[] {InvalidKind.NOT_JSON, InvalidKind.MISSING_TIMESTAMP, InvalidKind.BAD_TIMESTAMP});
            try (Simulator simulator = new Simulator(connection, "dash-in", false, traffic, System::currentTimeMillis);
                 Running running = Running.start(job, simulator)) {
                await("the job reading and firing windows").atMost(Duration.ofSeconds(60))
                        .until(() -> metrics.windowsFlushed() > 0 || running.failure() != null);
                assertThat(running.failure()).as("job or simulator failure").isNull();
                await("Prometheus scraping the metrics server").atMost(Duration.ofSeconds(60))
                        .pollInterval(Duration.ofSeconds(1))
                        .until(() -> prometheus.value("up{job=\"flinklite\"}") == 1.0);

                // rate() and increase() need two samples in their range, so some queries answer only after a few
                // scrapes: poll until every query has data, and report the ones that never get any.
                await("every dashboard query returns data").atMost(Duration.ofSeconds(90))
                        .pollInterval(Duration.ofSeconds(2))
                        .untilAsserted(() -> assertThat(queriesWithoutData(prometheus, queries))
                                .as("dashboard panels whose query returns no data from Prometheus").isEmpty());

                assertThat(running.failure()).as("job or simulator failure").isNull();
                assertThat(prometheus.value("rate(flinklite_events_total[1m])")).isPositive();
                assertThat(prometheus.value("flinklite_windows_flushed_total")).isPositive();
                assertThat(prometheus.value("flinklite_watermark_timestamp"))
                        .isGreaterThan(System.currentTimeMillis() - 60_000.0);
                assertThat(prometheus.value("sum(flinklite_events_invalid_total)")).isPositive();
                assertThat(prometheus.value("flinklite_result_latency_seconds_count")).isPositive();
                assertThat(prometheus.value("flinklite_job_ready")).isEqualTo(1.0);
                assertThat(prometheus.value("flinklite_last_checkpoint_time"))
                        .isGreaterThan(System.currentTimeMillis() - 60_000.0);
                assertThat(prometheus.value("flinklite_checkpoints_completed_total")).isPositive();
                assertThat(prometheus.value("flinklite_last_checkpoint_size_bytes")).isPositive();
            }
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

    /** The job and the simulator, each on its own thread; closing stops both and waits for them. */
    private static final class Running implements AutoCloseable {
        private final KafkaJob job;
        private final Simulator simulator;
        private final Thread jobThread;
        private final Thread simulatorThread;
        private final AtomicReference<Throwable> failure = new AtomicReference<>();

        private Running(KafkaJob job, Simulator simulator) {
            this.job = job;
            this.simulator = simulator;
            this.jobThread = new Thread(() -> guard(job::run), "dashboard-it-job");
            this.simulatorThread = new Thread(() -> guard(() -> simulator.run(-1, 500, null, 0)), "dashboard-it-simulator");
        }

        static Running start(KafkaJob job, Simulator simulator) {
            Running running = new Running(job, simulator);
            running.simulatorThread.start();
            running.jobThread.start();
            return running;
        }

        Throwable failure() {
            return failure.get();
        }

        private void guard(ThrowingRunnable body) {
            try {
                body.run();
            } catch (Throwable e) {
                failure.compareAndSet(null, e);
            }
        }

        @Override
        public void close() throws InterruptedException {
            simulator.stop();
            job.stop();
            assertThat(job.awaitStopped(30_000)).as("job stopped").isTrue();
            simulatorThread.join(30_000);
            jobThread.join(30_000);
        }
    }

    @FunctionalInterface
    private interface ThrowingRunnable {
        void run() throws Exception;
    }
}
