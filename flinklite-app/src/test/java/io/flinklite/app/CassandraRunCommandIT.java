package io.flinklite.app;

import io.flinklite.connector.kafka.embedded.SharedKafkaBroker;
import com.datastax.oss.driver.api.core.CqlSession;
import com.datastax.oss.driver.api.core.cql.Row;
import io.flinklite.connector.cassandra.testing.CassandraExtension;
import io.flinklite.connector.cassandra.testing.EmbeddedCassandra;
import io.flinklite.connector.kafka.embedded.EmbeddedKafkaBroker;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;
import org.junit.jupiter.api.io.TempDir;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.Random;
import java.util.TreeMap;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

/**
 * {@code run --cassandra-*} end to end against a real Cassandra 5.0 node (shared by the module's tests,
 * {@link CassandraExtension}) and an in-process Kafka broker: the one-line start-up errors, and a live 3-partition
 * stream written to both a Kafka topic and a Cassandra table through a SIGKILL of the job and then, in the restarted
 * job, a 15 s Cassandra outage. At-least-once checkpoints replay some results after the kill and the upsert turns them into overwrites, so
 * the table holds exactly the replay's results, one row per key and window, and equals the Kafka output's last
 * value of each window.
 */
@ExtendWith({CassandraExtension.class, SharedKafkaBroker.class})
class CassandraRunCommandIT {
    private static final int EVENTS = 45_000;
    private static final long PRODUCE_MS = 45_000;
    private static final long OUTAGE_MS = 15_000;
    private static final String INPUT = "cassandra-crash-in";
    private static final String OUTPUT = "cassandra-crash-out";
    private static final String KEYSPACE = "runit";
    private static final String TABLE = "crash_results";

    private static EmbeddedKafkaBroker broker;
    private static EmbeddedCassandra node;
    private static CqlSession cql;

    @TempDir
    static Path work;

    @BeforeAll
    static void startServers(EmbeddedCassandra cassandra) {
        node = cassandra;
        broker = SharedKafkaBroker.get();
        cql = node.newSession();
    }

    @AfterAll
    static void stopServers() {
        if (cql != null) cql.close();
    }

    @Test
    void aWrongPasswordFromTheConfigFileIsOneLineWithoutIt() throws Exception {
        String wrong = "wrong-" + System.nanoTime();
        Path config = Files.writeString(work.resolve("wrong.properties"), "cassandra-password=" + wrong + "\n");
        String[] args = {"run", "--config", config.toString(), "--cassandra-contact-points", node.contactPoint(),
                "--cassandra-user", EmbeddedCassandra.USER, "--bootstrap-servers", "127.0.0.1:1"};
        CliRun r = CliRun.run(Configuration.load(args, Map.of()), args);

        assertThat(r.code).isEqualTo(1);
        assertThat(r.err.trim()).isEqualTo("flinklite: Cassandra at " + node.contactPoint() + " refused the credentials"
                + " of user 'cassandra' (check FLINKLITE_CASSANDRA_USER / FLINKLITE_CASSANDRA_PASSWORD or the config file)");
    }

    @Test
    void aMissingKeyspaceAndABadConsistencyAreOneLineBeforeKafkaIsTouched() throws Exception {
        Map<String, String> env = Map.of("FLINKLITE_CASSANDRA_USER", EmbeddedCassandra.USER,
                "FLINKLITE_CASSANDRA_PASSWORD", EmbeddedCassandra.PASSWORD);
        String[] args = {"run", "--cassandra-contact-points", node.contactPoint(), "--cassandra-keyspace", "nowhere",
                "--bootstrap-servers", "127.0.0.1:1"};
        CliRun r = CliRun.run(Configuration.load(args, env), args);
        assertThat(r.code).isEqualTo(1);
        assertThat(r.err.trim()).startsWith("flinklite: keyspace 'nowhere' does not exist at " + node.contactPoint())
                .doesNotContain("\n");

        String[] bad = {"run", "--cassandra-contact-points", node.contactPoint(), "--cassandra-consistency", "MOST",
                "--bootstrap-servers", "127.0.0.1:1"};
        CliRun b = CliRun.run(Configuration.load(bad, env), bad);
        // A bad value is a usage error: one line naming the flag, the value and its source, then the hint, exit 2.
        assertThat(b.code).isEqualTo(2);
        assertThat(b.err.trim().split("\n")).hasSize(2);
        assertThat(b.err).startsWith("flinklite: --cassandra-consistency 'MOST' (from the command line): expected one of")
                .contains("see 'flinklite run --help'");
    }

    @Test
    void anOutageAndASigkillLeaveExactlyOneRowPerWindowWithTheFinalValue() throws Exception {
        broker.createTopic(INPUT, 3);
        broker.createTopic(OUTPUT, 1);
        byte[][][] partitions = CrashRecoveryIT.events(EVENTS, 11);
        Map<String, Long> expected = ChildJobs.replayCounts(partitions);
        assertThat(expected).hasSizeGreaterThan(100);

        CompletableFuture<Void> producing = ChildJobs.produceInBackground(broker.bootstrapServers(), INPUT, partitions,
                PRODUCE_MS);
        Path log = Path.of("target", "cassandra-crashtest.log").toAbsolutePath();
        Files.deleteIfExists(log);

        // Run 1: killed (SIGKILL: no shutdown hook, no final checkpoint, writes maybe in flight) while results flow.
        Process job = start(log, 0);
        try {
            ChildJobs.awaitLog(log, 0, "assigned partitions", job);
            awaitRows(1);
            long lifeMs = 1_500 + new Random().nextInt(2_000); // after the first checkpoint (every 1 s)
            assertThat(job.waitFor(lifeMs, TimeUnit.MILLISECONDS)).as("job died on its own; see " + log).isFalse();
            job.destroyForcibly();
            job.waitFor(30, TimeUnit.SECONDS);
            Files.writeString(log, "---- SIGKILL " + lifeMs + " ms after the first row ----\n", StandardOpenOption.APPEND);
        } finally {
            if (job.isAlive()) job.destroyForcibly();
        }
        assertThat(producing).as("the kill came before the end of the input").isNotDone();

        // Run 2: restarted from the last checkpoint; Cassandra goes away for 15 s while it writes, the sink retries
        // and /metrics counts it; then to the end of the input, and a clean stop.
        long logStart = Files.size(log);
        int metricsPort = io.flinklite.testing.ScratchSpace.freeLoopbackPorts(1)[0];
        Process restarted = start(log, metricsPort);
        try {
            ChildJobs.awaitLog(log, logStart, "restoring checkpoint", restarted);
            ChildJobs.awaitLog(log, logStart, "assigned partitions", restarted);
            node.stop();
            long stoppedAt = System.nanoTime();
            ChildJobs.awaitLog(log, logStart, "retrying", restarted);
            Thread.sleep(Math.max(0, OUTAGE_MS - (System.nanoTime() - stoppedAt) / 1_000_000));
            node.restart();
            ChildJobs.awaitLog(log, logStart, "succeeded after", restarted);
            Map<String, Double> metrics = KafkaTestSupport.scrape("http://127.0.0.1:" + metricsPort + "/metrics");
            assertThat(metrics.get("flinklite_sink_errors_total{sink=\"cassandra\"}")).as("failed attempts")
                    .isGreaterThan(0);
            assertThat(metrics.get("flinklite_sink_retries_total{sink=\"cassandra\"}")).as("retries").isGreaterThan(0);
            assertThat(metrics.get("flinklite_sink_give_ups_total{sink=\"cassandra\"}")).isEqualTo(0.0);

            producing.get(2, TimeUnit.MINUTES);
            await().atMost(Duration.ofMinutes(3)).pollInterval(Duration.ofMillis(500)).ignoreExceptions()
                    .until(() -> rows().size() >= expected.size() || !restarted.isAlive());
            assertThat(restarted.isAlive()).as("job died on its own; see " + log).isTrue();
            restarted.destroy(); // SIGTERM: clean stop
            assertThat(restarted.waitFor(60, TimeUnit.SECONDS)).as("clean stop; see " + log).isTrue();
        } finally {
            if (restarted.isAlive()) restarted.destroyForcibly();
            if (!node.isRunning()) node.restart();
        }

        Map<String, Long> table = rows();
        assertThat(table).as("the table equals the replay: no row missing, none extra, every count right; see " + log)
                .isEqualTo(expected);
        assertThat(cql.execute("SELECT count(*) FROM " + KEYSPACE + "." + TABLE).one().getLong(0))
                .as("one row per key and window").isEqualTo(expected.size());
        assertThat(lastValueOfEachWindow(KafkaTestSupport.readTopic(broker.bootstrapServers(), OUTPUT, expected.size())))
                .as("the table equals the Kafka output (its last value of each window)").isEqualTo(table);
        assertThat(Files.readString(log)).doesNotContain("password=").doesNotContain("PASSWORD=");
    }

    /** Starts {@code run} as a child process; {@code metricsPort} 0 for any free port (when the test does not scrape). */
    private static Process start(Path log, int metricsPort) throws IOException {
        // Default consumer settings, session.timeout.ms included: the restarted job takes its partitions back at once
        // through static membership (group.instance.id), as a production deployment would.
        return ChildJobs.startRun(log, "384m", Map.of("FLINKLITE_CASSANDRA_USER", EmbeddedCassandra.USER,
                "FLINKLITE_CASSANDRA_PASSWORD", EmbeddedCassandra.PASSWORD), List.of(
                "--bootstrap-servers", broker.bootstrapServers(),
                "--input-topic", INPUT, "--output-topic", OUTPUT, "--group-id", "cassandra-crash", "--idle-timeout", "0s",
                "--kafka-property", "group.instance.id=cassandra-crash-1",
                "--checkpoint-dir", work.resolve("checkpoints").toString(), "--checkpoint-interval", "1s",
                "--delivery", "at-least-once", "--metrics-host", "127.0.0.1", "--metrics-port", Integer.toString(metricsPort),
                "--cassandra-contact-points", node.contactPoint(), "--cassandra-keyspace", KEYSPACE,
                "--cassandra-table", TABLE, "--cassandra-create-table", "--cassandra-max-in-flight", "64"));
    }

    private static void awaitRows(int n) {
        await().atMost(Duration.ofMinutes(1)).pollInterval(Duration.ofMillis(200)).ignoreExceptions()
                .until(() -> rows().size() >= n);
    }


    /** {@code key|start|end -> count} of every row; empty while the table does not exist. */
    private static Map<String, Long> rows() {
        Map<String, Long> out = new TreeMap<>();
        if (cql.getMetadata().getKeyspace(KEYSPACE).flatMap(k -> k.getTable(TABLE)).isEmpty()) {
            cql.refreshSchema();
            if (cql.getMetadata().getKeyspace(KEYSPACE).flatMap(k -> k.getTable(TABLE)).isEmpty()) {
                return out;
            }
        }
        for (Row r : cql.execute("SELECT key, window_start, window_end, count FROM " + KEYSPACE + "." + TABLE)) {
            out.put(r.getString(0) + "|" + r.getLong(1) + "|" + r.getLong(2), r.getLong(3));
        }
        return out;
    }

    /** The output topic's results as {@code key|start|end -> count}, the last one of each window winning. */
    private static Map<String, Long> lastValueOfEachWindow(List<ConsumerRecord<byte[], byte[]>> records) {
        Pattern result = Pattern.compile("\"key\":\"([^\"]*)\",\"windowStart\":(\\d+),\"windowEnd\":(\\d+),\"count\":(\\d+)");
        Map<String, Long> out = new TreeMap<>();
        for (String value : KafkaTestSupport.values(records)) {
            Matcher m = result.matcher(value);
            assertThat(m.find()).as(value).isTrue();
            out.put(m.group(1) + "|" + m.group(2) + "|" + m.group(3), Long.parseLong(m.group(4)));
        }
        return out;
    }
}
