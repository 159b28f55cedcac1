package io.flinklite.connector.kafka;

import io.flinklite.runtime.metrics.JobMetrics;
import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.clients.admin.DescribeClusterOptions;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.time.Duration;
import java.util.concurrent.TimeUnit;

/**
 * Watches whether the Kafka cluster answers, for {@code /health/ready} and the log: every {@value #PROBE_INTERVAL_MS}
 * ms a thread of its own asks the cluster for its nodes (an admin request, answered by any live broker, waiting at
 * most {@value #PROBE_TIMEOUT_MS} ms). While the cluster does not answer, {@link JobMetrics#kafkaUnreachableSinceMs()}
 * says since when (the job is then not ready), and one WARN says for how long, then one more every
 * {@value #REPEAT_MS} ms; an INFO says when it answers again.
 *
 * <p>Why a probe of its own: the consumer and producer retry quietly behind {@code poll} and {@code send}, so the task
 * loop alone cannot tell a quiet topic from a cluster that went away.
 *
 * <p>Threading: constructed and closed by the job's thread; the probe runs on a daemon thread.
 */
public final class BrokerWatch implements AutoCloseable {
    private static final Logger LOG = LoggerFactory.getLogger(BrokerWatch.class);

    static final long PROBE_INTERVAL_MS = 5_000;
    static final int PROBE_TIMEOUT_MS = 5_000;
    static final long REPEAT_MS = 60_000;

    private final String servers;
    private final JobMetrics metrics;
    private final Admin admin;
    private final Thread thread;
    private final Tracker tracker = new Tracker();
    private volatile boolean closed;

    /** Starts watching {@code connection}'s cluster. */
    public BrokerWatch(KafkaConnection connection, JobMetrics metrics) {
        this.servers = connection.bootstrapServers();
        this.metrics = metrics;
        this.admin = connection.admin("flinklite-broker-watch", PROBE_TIMEOUT_MS, PROBE_TIMEOUT_MS);
        this.thread = new Thread(this::run, "flinklite-broker-watch");
        thread.setDaemon(true);
        thread.start();
    }

    private void run() {
        while (!closed) {
            long start = System.currentTimeMillis();
            String cause = null;
            try {
                admin.describeCluster(new DescribeClusterOptions().timeoutMs(PROBE_TIMEOUT_MS)).nodes()
                        .get(PROBE_TIMEOUT_MS + 1_000L, TimeUnit.MILLISECONDS);
            } catch (InterruptedException e) {
                return;
            } catch (Exception e) {
                cause = KafkaConnection.rootMessage(e);
            }
            if (closed) {
                return;
            }
            long now = System.currentTimeMillis();
            String line = tracker.observe(cause == null, cause == null ? now : start, now, cause, servers);
            metrics.setKafkaUnreachableSinceMs(tracker.unreachableSinceMs());
            if (line != null) {
                if (cause == null) {
                    LOG.info(line);
                } else {
                    LOG.warn(line);
                }
            }
            try {
                Thread.sleep(Math.max(0, PROBE_INTERVAL_MS - (System.currentTimeMillis() - start)));
            } catch (InterruptedException e) {
                return;
            }
        }
    }

    /** Stops the probe thread and its admin client. */
    @Override
    public void close() {
        closed = true;
        thread.interrupt();
        try {
            thread.join(PROBE_TIMEOUT_MS + 2_000L);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
        admin.close(Duration.ofSeconds(1));
        metrics.setKafkaUnreachableSinceMs(0);
    }

    /**
     * What the probes' outcomes mean for readiness and the log; pure, so the timing of the log lines is testable
     * without a cluster. One thread.
     */
    static final class Tracker {
        private long lastAnsweredMs = -1;
        private long unreachableSinceMs;
        private long lastWarnMs;

        /**
         * @param answered    whether the probe got an answer
         * @param failedAtMs  when the failed probe started (so the outage counts from the first unanswered request)
         * @return the line to log now, or null
         */
        String observe(boolean answered, long failedAtMs, long nowMs, String cause, String servers) {
            if (answered) {
                String line = unreachableSinceMs == 0 ? null : "Kafka at " + servers + " answers again after "
                        + seconds(nowMs - unreachableSinceMs) + " unreachable";
                unreachableSinceMs = 0;
                lastAnsweredMs = nowMs;
                return line;
            }
            if (unreachableSinceMs == 0) {
                unreachableSinceMs = lastAnsweredMs > 0 ? Math.max(lastAnsweredMs, 1) : Math.max(failedAtMs, 1);
                lastWarnMs = nowMs;
                return "cannot reach Kafka at " + servers + " for " + seconds(nowMs - unreachableSinceMs) + " (" + cause
                        + "); /health/ready reports not ready until it answers (repeated every "
                        + REPEAT_MS / 1_000 + " s)";
            }
            if (nowMs - lastWarnMs >= REPEAT_MS) {
                lastWarnMs = nowMs;
                return "still cannot reach Kafka at " + servers + ": unreachable for " + seconds(nowMs - unreachableSinceMs)
                        + " (" + cause + ")";
            }
            return null;
        }

        /** Epoch ms since which the cluster has not answered; 0 while it answers. */
        long unreachableSinceMs() {
            return unreachableSinceMs;
        }

        private static String seconds(long ms) {
            return Math.max(0, ms / 1_000) + " s";
        }
    }
}
