package io.flinklite.app;

import org.junit.jupiter.api.extension.ExtendWith;
import io.flinklite.connector.jdbc.testing.SharedPostgres;
import io.flinklite.connector.kafka.embedded.SharedKafkaBroker;
import io.flinklite.connector.jdbc.testing.EmbeddedPostgres;
import io.flinklite.connector.kafka.embedded.EmbeddedKafkaBroker;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.Random;
import java.util.TreeMap;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

/**
 * The PostgreSQL output through crashes, end to end: {@code run --jdbc-url ... --checkpoint-dir ...} as a child
 * process on a live 3-partition stream, SIGKILLed at random moments and restarted, with the database itself
 * stopped and restarted while the job writes. At-least-once checkpoints replay some results after each kill; the
 * upsert turns the replays into overwrites, so the table ends up holding exactly the replay's results: one row per
 * key and window, none missing, none with another count.
 */
@ExtendWith({SharedKafkaBroker.class, SharedPostgres.class})
class JdbcCrashRecoveryIT {
    private static final int EVENTS = Integer.getInteger("flinklite.jdbc.crashtest.events", 60_000);
    private static final int KILLS = 3;
    private static final long PRODUCE_MS = 20_000;
    private static final String INPUT = "jdbc-crash-in";
    private static final String TABLE = "crash_results";

    private static EmbeddedKafkaBroker broker;
    private static EmbeddedPostgres pg;

    @TempDir
    static Path work;

    @BeforeAll
    static void shareServers() {
        broker = SharedKafkaBroker.get();
        pg = SharedPostgres.get();
    }

    @Test
    void sigkillsAndADatabaseRestartLeaveExactlyTheReplaysRows() throws Exception {
        broker.createTopic(INPUT, 3);
        byte[][][] partitions = CrashRecoveryIT.events(EVENTS, 7);
        Map<String, Long> expected = ChildJobs.replayCounts(partitions);
        assertThat(expected).hasSizeGreaterThan(100);

        CompletableFuture<Void> producing = ChildJobs.produceInBackground(broker.bootstrapServers(), INPUT, partitions,
                PRODUCE_MS);
        Path log = Path.of("target", "jdbc-crashtest.log").toAbsolutePath();
        Files.deleteIfExists(log);
        Random random = new Random();
        for (int run = 0; run <= KILLS; run++) {
            long logStart = Files.exists(log) ? Files.size(log) : 0;
            Process job = start(log);
            try {
                ChildJobs.awaitLog(log, logStart, "assigned partitions", job);
                if (run == 0) {
                    // While results flow: the database goes away, the sink retries, the database comes back.
                    pg.stop();
                    ChildJobs.awaitLog(log, logStart, "retrying in", job);
                    pg.restart();
                }
                if (run < KILLS) {
                    long lifeMs = 500 + random.nextInt(3_000);
                    assertThat(job.waitFor(lifeMs, TimeUnit.MILLISECONDS)).as("job died on its own; see " + log).isFalse();
                    job.destroyForcibly(); // SIGKILL: no shutdown hook, no final checkpoint, a batch maybe half-written
                    job.waitFor(30, TimeUnit.SECONDS);
                    Files.writeString(log, "---- SIGKILL " + lifeMs + " ms after the partitions were assigned ----\n",
                            StandardOpenOption.APPEND);
                } else {
                    producing.get(2, TimeUnit.MINUTES);
                    await().atMost(Duration.ofMinutes(3)).pollInterval(Duration.ofMillis(500))
                            .until(() -> rows().size() >= expected.size() || !job.isAlive());
                    job.destroy(); // SIGTERM: clean stop
                    assertThat(job.waitFor(60, TimeUnit.SECONDS)).as("clean stop; see " + log).isTrue();
                }
            } finally {
                if (job.isAlive()) {
                    job.destroyForcibly();
                }
            }
        }

        Map<String, Long> table = rows();
        assertThat(table).as("the table equals the replay: no row missing, none extra, every count right; see " + log)
                .isEqualTo(expected);
        assertThat(queryLong("SELECT count(*) FROM " + TABLE)).as("one row per key and window").isEqualTo(expected.size());
        assertThat(Files.readString(log)).doesNotContain(pg.password());
    }

    private static Process start(Path log) throws IOException {
        return ChildJobs.startRun(log, "384m", Map.of("FLINKLITE_JDBC_USER", pg.user(), "FLINKLITE_JDBC_PASSWORD", pg.password()),
                List.of("--bootstrap-servers", broker.bootstrapServers(),
                "--input-topic", INPUT, "--output-topic", "none", "--group-id", "jdbc-crash", "--idle-timeout", "0s",
                "--checkpoint-dir", work.resolve("checkpoints").toString(), "--checkpoint-interval", "1s",
                "--delivery", "at-least-once", "--metrics-host", "127.0.0.1", "--metrics-port", "0",
                "--jdbc-url", pg.jdbcUrl(), "--jdbc-table", TABLE, "--jdbc-batch-size", "100"));
    }

    /** {@code key|start|end -> count} of every row; empty while the table does not exist. */
    private static Map<String, Long> rows() throws SQLException {
        Map<String, Long> out = new TreeMap<>();
        try (Connection c = DriverManager.getConnection(pg.jdbcUrl(), pg.user(), pg.password());
             Statement s = c.createStatement()) {
            try (ResultSet exists = s.executeQuery("SELECT to_regclass('" + TABLE + "') IS NOT NULL")) {
                exists.next();
                if (!exists.getBoolean(1)) {
                    return out;
                }
            }
            try (ResultSet rs = s.executeQuery("SELECT key, window_start, window_end, count FROM " + TABLE)) {
                while (rs.next()) {
                    out.put(rs.getString(1) + "|" + rs.getLong(2) + "|" + rs.getLong(3), rs.getLong(4));
                }
            }
        }
        return out;
    }

    private static long queryLong(String sql) throws SQLException {
        try (Connection c = DriverManager.getConnection(pg.jdbcUrl(), pg.user(), pg.password());
             Statement s = c.createStatement(); ResultSet rs = s.executeQuery(sql)) {
            rs.next();
            return rs.getLong(1);
        }
    }
}
