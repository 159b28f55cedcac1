package io.flinklite.connector.jdbc;

import org.junit.jupiter.api.extension.ExtendWith;
import io.flinklite.connector.jdbc.testing.SharedPostgres;
import io.flinklite.api.WindowResult;
import io.flinklite.connector.jdbc.testing.EmbeddedPostgres;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestInfo;

import java.net.InetAddress;
import java.net.ServerSocket;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.TimeUnit;
import java.util.logging.Handler;
import java.util.logging.LogRecord;
import java.util.logging.Logger;
import java.util.logging.SimpleFormatter;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.awaitility.Awaitility.await;
import static org.junit.jupiter.api.Assertions.assertTimeoutPreemptively;

/** The sink against a real PostgreSQL server, the module's {@link SharedPostgres}. */
@ExtendWith(SharedPostgres.class)
class JdbcSinkIT {
    private static final long T0 = 1_700_000_000_000L;
    /** Generous guard against a hang; failing fast is about not retrying, not about a number of seconds. */
    private static final Duration HANG_GUARD = Duration.ofSeconds(60);

    private static EmbeddedPostgres pg;

    private String table;
    private final List<JdbcSink> opened = new ArrayList<>();
    private final List<String> logLines = new CopyOnWriteArrayList<>();
    private final Handler logCapture = new Handler() {
        private final SimpleFormatter formatter = new SimpleFormatter();

        @Override
        public void publish(LogRecord record) {
            logLines.add(formatter.formatMessage(record));
        }

        @Override
        public void flush() {
        }

        @Override
        public void close() {
        }
    };

    @BeforeAll
    static void sharePostgres() {
        pg = SharedPostgres.get();
    }

    @BeforeEach
    void setUp(TestInfo info) throws Exception {
        if (!pg.isRunning()) {
            pg.restart();
        }
        table = info.getTestMethod().orElseThrow().getName().toLowerCase(Locale.ROOT);
        Logger.getLogger(JdbcSink.class.getName()).addHandler(logCapture);
    }

    @AfterEach
    void tearDown() throws Exception {
        Logger.getLogger(JdbcSink.class.getName()).removeHandler(logCapture);
        if (!pg.isRunning()) {
            pg.restart();
        }
        for (JdbcSink s : opened) {
            try {
                s.close();
            } catch (RuntimeException ignored) {
                // A test that left a failing buffer behind has already checked what it wanted.
            }
        }
        assertThat(logLines).as("log lines").noneMatch(line -> line.contains(pg.password()));
    }

    @Test
    void resultsLandWithTheRightValues() throws Exception {
        JdbcSink sink = open(config().batchSize(3));
        sink.write(WindowResult.ofCount("critical", T0, T0 + 10_000, 42));
        sink.write(WindowResult.ofValue("important", T0, T0 + 10_000, 7, 3.25));
        sink.write(WindowResult.ofValue("it's \"quoted\" ü", T0 + 5_000, T0 + 15_000, 1, -0.5));
        assertThat(sink.batchesCommitted()).as("a full batch is written by write()").isEqualTo(1);
        sink.write(WindowResult.ofValue("empty-avg", T0, T0 + 10_000, 0, Double.NaN));
        assertThat(rowCount()).isEqualTo(3);
        assertThat(sink.buffered()).isEqualTo(1);
        sink.flush();

        assertThat(rows()).containsExactly(
                "flinklite|critical|1700000000000|1700000010000|42|null",
                "flinklite|empty-avg|1700000000000|1700000010000|0|null",
                "flinklite|important|1700000000000|1700000010000|7|3.25",
                "flinklite|it's \"quoted\" ü|1700000005000|1700000015000|1|-0.5");
        assertThat(sink.resultsWritten()).isEqualTo(4);
        assertThat(sink.retries()).isZero();
    }

    @Test
    void replayAfterACrashOverwritesAndLeavesNoDuplicateAndNoGap() throws Exception {
        // Before the crash: results 0..9 committed, the last checkpoint covered 0..5 only.
        JdbcSink before = open(config().batchSize(4));
        for (int i = 0; i < 10; i++) {
            before.write(WindowResult.ofCount("critical", T0 + i * 5_000L, T0 + i * 5_000L + 10_000, 100 + i));
        }
        before.flush();

        // After the restart the job replays from the checkpoint: 6..9 again (with the counts the replay computes,
        // here higher because late data arrived in the meantime), then new results 10..11.
        JdbcSink after = open(config().batchSize(4));
        for (int i = 6; i < 12; i++) {
            after.write(WindowResult.ofCount("critical", T0 + i * 5_000L, T0 + i * 5_000L + 10_000, 200 + i));
        }
        after.flush();

        assertThat(rowCount()).isEqualTo(12);
        assertThat(queryLong("SELECT count(DISTINCT (job, key, window_start, window_end)) FROM " + table)).isEqualTo(12);
        for (int i = 0; i < 12; i++) {
            long expected = i < 6 ? 100 + i : 200 + i;
            assertThat(queryLong("SELECT count FROM " + table + " WHERE window_start = " + (T0 + i * 5_000L)))
                    .as("window %d", i).isEqualTo(expected);
        }
        assertThat(queryLong("SELECT count(*) FROM " + table + " WHERE updated_at > (SELECT max(updated_at) FROM "
                + table + " WHERE window_start < " + (T0 + 6 * 5_000L) + ")"))
                .as("rows rewritten after the crash").isEqualTo(6);
    }

    @Test
    void aLateFiringInTheSameBatchLeavesTheLastCount() throws Exception {
        JdbcSink sink = open(config());
        sink.write(WindowResult.ofCount("critical", T0, T0 + 10_000, 5));
        sink.write(WindowResult.ofCount("critical", T0, T0 + 10_000, 6));
        sink.write(WindowResult.ofCount("critical", T0, T0 + 10_000, 7));
        sink.flush();
        assertThat(rows()).containsExactly("flinklite|critical|1700000000000|1700000010000|7|null");
    }

    @Test
    void twoJobsShareATableWithoutOverwritingEachOther() throws Exception {
        JdbcSink a = open(config().jobName("job-a"));
        JdbcSink b = open(config().jobName("job-b"));
        a.write(WindowResult.ofCount("critical", T0, T0 + 10_000, 1));
        b.write(WindowResult.ofCount("critical", T0, T0 + 10_000, 2));
        a.flush();
        b.flush();
        assertThat(rows()).containsExactly(
                "job-a|critical|1700000000000|1700000010000|1|null",
                "job-b|critical|1700000000000|1700000010000|2|null");
    }

    @Test
    void survivesTheDatabaseStoppingAndStartingWithoutLosingABatch() throws Exception {
        JdbcSink sink = open(config().batchSize(100));
        writeRange(sink, 0, 250);
        sink.flush();

        pg.stop();
        // Restart the server once the sink has failed at least once, from another thread: flush() blocks meanwhile.
        CompletableFuture<Void> restarter = CompletableFuture.runAsync(() -> {
            await().atMost(Duration.ofSeconds(60)).until(() -> sink.retries() >= 2);
            try {
                pg.restart();
            } catch (Exception e) {
                throw new IllegalStateException(e);
            }
        });
        writeRange(sink, 250, 400);
        sink.flush();
        restarter.get(60, TimeUnit.SECONDS);

        assertThat(sink.retries()).isGreaterThanOrEqualTo(2);
        assertAllRowsOfRange(0, 400);
        assertThat(logLines).anyMatch(line -> line.contains("retrying in"));
    }

    @Test
    void survivesADatabaseCrashWhileWritingContinuously() throws Exception {
        JdbcSink sink = open(config().batchSize(200));
        CompletableFuture<Void> crasher = CompletableFuture.runAsync(() -> {
            await().atMost(Duration.ofSeconds(60)).until(() -> sink.batchesCommitted() >= 3);
            try {
                pg.crash();
                pg.restart();
            } catch (Exception e) {
                throw new IllegalStateException(e);
            }
        });
        int written = 0;
        // Keep writing until the crash and restart are over, and then some more.
        while (!crasher.isDone() || written < 6_000) {
            writeRange(sink, written, written + 200);
            written += 200;
            assertThat(written).as("the crash thread should have finished long ago").isLessThan(2_000_000);
        }
        sink.flush();
        crasher.get(60, TimeUnit.SECONDS);

        assertThat(sink.retries()).isGreaterThanOrEqualTo(1);
        assertAllRowsOfRange(0, written);
    }

    @Test
    void aBatchThatOutlivesTheRetryTimeoutFailsAndIsKeptForTheNextFlush() throws Exception {
        JdbcSink sink = open(config().retryTimeoutMs(500));
        writeRange(sink, 0, 10);
        pg.stop();
        assertThatThrownBy(sink::flush)
                .isInstanceOf(JdbcSinkException.class)
                .hasMessageContaining("still unavailable after")
                .hasMessageContaining("jdbc-retry-timeout")
                .hasMessageContaining("10 results are not written");
        assertThat(sink.buffered()).isEqualTo(10);

        pg.restart();
        sink.flush();
        assertAllRowsOfRange(0, 10);
    }

    @Test
    void closingAfterAFailedWriteDoesNotRetryAgain() throws Exception {
        JdbcSink sink = open(config().retryTimeoutMs(300));
        writeRange(sink, 0, 5);
        pg.stop();
        assertThatThrownBy(sink::flush).isInstanceOf(JdbcSinkException.class);
        long retriesBefore = sink.retries();
        sink.close();
        assertThat(sink.retries()).as("close made no further attempt").isEqualTo(retriesBefore);
        assertThat(logLines).anyMatch(line -> line.contains("closing after a failed write: 5 results not written"));
    }

    @Test
    void wrongPasswordFailsFastNamingTheUserAndNotThePassword() {
        String wrong = "not-the-password-" + System.nanoTime();
        assertTimeoutPreemptively(HANG_GUARD, () ->
                assertThatThrownBy(() -> JdbcSink.open(config().password(wrong).build()))
                        .isInstanceOf(JdbcSinkException.class)
                        .hasMessageContaining("refused the credentials of user 'flinklite'")
                        .hasMessageContaining("28P01")
                        .hasMessageContaining("FLINKLITE_JDBC_PASSWORD")
                        .hasMessageNotContaining(wrong));
    }

    @Test
    void unknownUserFailsFast() {
        assertTimeoutPreemptively(HANG_GUARD, () ->
                assertThatThrownBy(() -> JdbcSink.open(config().user("nobody").build()))
                        .isInstanceOf(JdbcSinkException.class)
                        .hasMessageContaining("refused the credentials of user 'nobody'"));
    }

    @Test
    void unreachableServerFailsFastWithoutRetrying() throws Exception {
        int closedPort;
        try (ServerSocket s = new ServerSocket(0, 1, InetAddress.getLoopbackAddress())) {
            closedPort = s.getLocalPort();
        }
        String url = "jdbc:postgresql://127.0.0.1:" + closedPort + "/postgres?password=in-url-secret";
        assertTimeoutPreemptively(HANG_GUARD, () ->
                assertThatThrownBy(() -> JdbcSink.open(JdbcSinkConfig.builder(url).build()))
                        .isInstanceOf(JdbcSinkException.class)
                        .hasMessageContaining("cannot connect to PostgreSQL at jdbc:postgresql://127.0.0.1:" + closedPort)
                        .hasMessageContaining("password=****")
                        .hasMessageContaining("Is the server running")
                        .hasMessageNotContaining("in-url-secret"));
    }

    @Test
    void missingDatabaseIsNamed() {
        assertThatThrownBy(() -> JdbcSink.open(JdbcSinkConfig.builder(pg.jdbcUrl("nosuchdb"))
                .user(pg.user()).password(pg.password()).build()))
                .isInstanceOf(JdbcSinkException.class)
                .hasMessageContaining("\"nosuchdb\" does not exist")
                .hasMessageContaining("3D000");
    }

    @Test
    void theTableIsCreatedWhenMissingEvenInASchema() throws Exception {
        execute("CREATE SCHEMA IF NOT EXISTS analytics");
        JdbcSink sink = open(config().table("Analytics.Window_Counts"));
        sink.write(WindowResult.ofCount("critical", T0, T0 + 10_000, 3));
        sink.flush();
        assertThat(queryLong("SELECT count FROM analytics.window_counts")).isEqualTo(3);
        assertThat(queryStrings("SELECT column_name || ':' || data_type FROM information_schema.columns"
                + " WHERE table_schema = 'analytics' AND table_name = 'window_counts' ORDER BY ordinal_position"))
                .containsExactly("job:text", "key:text", "window_start:bigint", "window_end:bigint", "count:bigint",
                        "value:double precision", "updated_at:timestamp with time zone");
        assertThat(queryStrings("SELECT a.attname FROM pg_index i JOIN pg_attribute a ON a.attrelid = i.indrelid"
                + " AND a.attnum = ANY(i.indkey) WHERE i.indrelid = 'analytics.window_counts'::regclass"
                + " AND i.indisprimary ORDER BY a.attnum"))
                .containsExactly("job", "key", "window_start", "window_end");
    }

    @Test
    void anExistingTableOfAnotherShapeIsRejectedAtStartUp() throws Exception {
        execute("CREATE TABLE " + table + " (job text, key text, window_start bigint, window_end bigint, count bigint)");
        assertThatThrownBy(() -> JdbcSink.open(config().build()))
                .isInstanceOf(JdbcSinkException.class)
                .hasMessageContaining("cannot take FlinkLite results")
                .hasMessageContaining("Expected:")
                .hasMessageContaining("--jdbc-table");
    }

    @Test
    void aPermanentWriteErrorFailsAtOnceWithTheServersReason() throws Exception {
        execute("CREATE TABLE " + table + " (job text, key text, window_start bigint, window_end bigint,"
                + " count bigint CHECK (count < 1000), value double precision, updated_at timestamptz,"
                + " PRIMARY KEY (job, key, window_start, window_end))");
        JdbcSink sink = open(config());
        sink.write(WindowResult.ofCount("critical", T0, T0 + 10_000, 5_000));
        assertThatThrownBy(sink::flush)
                .isInstanceOf(JdbcSinkException.class)
                .hasMessageContaining("23514")
                .hasMessageContaining(table);
        assertThat(sink.retries()).isZero();
    }

    // --- helpers ---

    private JdbcSinkConfig.Builder config() {
        return JdbcSinkConfig.builder(pg.jdbcUrl()).table(table).user(pg.user()).password(pg.password());
    }

    private JdbcSink open(JdbcSinkConfig.Builder config) {
        JdbcSink sink = JdbcSink.open(config.build());
        opened.add(sink);
        return sink;
    }

    /** Result i: key k(i % 3), window starting at T0 + i * 1000, count i, value i / 4. */
    private static void writeRange(JdbcSink sink, int from, int to) {
        for (int i = from; i < to; i++) {
            sink.write(WindowResult.ofValue("k" + (i % 3), T0 + i * 1_000L, T0 + i * 1_000L + 10_000, i, i / 4.0));
        }
    }

    private void assertAllRowsOfRange(int from, int to) throws SQLException {
        assertThat(rowCount()).isEqualTo(to - from);
        assertThat(queryLong("SELECT count(*) FROM " + table + " WHERE count = (window_start - " + T0 + ") / 1000"
                + " AND value = count / 4.0 AND key = 'k' || (count % 3)")).isEqualTo(to - from);
        assertThat(queryLong("SELECT min(count) FROM " + table)).isEqualTo(from);
        assertThat(queryLong("SELECT max(count) FROM " + table)).isEqualTo(to - 1);
    }

    private List<String> rows() throws SQLException {
        return queryStrings("SELECT job || '|' || key || '|' || window_start || '|' || window_end || '|' || count"
                + " || '|' || coalesce(value::text, 'null') FROM " + table + " ORDER BY job, key, window_start");
    }

    private long rowCount() throws SQLException {
        return queryLong("SELECT count(*) FROM " + table);
    }

    private static Connection admin() throws SQLException {
        return DriverManager.getConnection(pg.jdbcUrl(), pg.user(), pg.password());
    }

    private static void execute(String sql) throws SQLException {
        try (Connection c = admin(); Statement s = c.createStatement()) {
            s.execute(sql);
        }
    }

    private static long queryLong(String sql) throws SQLException {
        try (Connection c = admin(); Statement s = c.createStatement(); ResultSet rs = s.executeQuery(sql)) {
            assertThat(rs.next()).as(sql).isTrue();
            return rs.getLong(1);
        }
    }

    private static List<String> queryStrings(String sql) throws SQLException {
        List<String> out = new ArrayList<>();
        try (Connection c = admin(); Statement s = c.createStatement(); ResultSet rs = s.executeQuery(sql)) {
            while (rs.next()) {
                out.add(rs.getString(1));
            }
        }
        return out;
    }
}
