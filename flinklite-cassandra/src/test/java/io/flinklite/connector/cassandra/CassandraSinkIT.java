package io.flinklite.connector.cassandra;

import com.datastax.oss.driver.api.core.CqlSession;
import com.datastax.oss.driver.api.core.cql.Row;
import io.flinklite.api.WindowResult;
import io.flinklite.connector.cassandra.testing.CassandraExtension;
import io.flinklite.connector.cassandra.testing.EmbeddedCassandra;
import io.flinklite.sink.SinkMetrics;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;

import java.net.InetAddress;
import java.net.ServerSocket;
import java.time.Duration;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.atomic.AtomicLong;
import java.util.logging.Handler;
import java.util.logging.LogRecord;
import java.util.logging.Logger;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.awaitility.Awaitility.await;

/**
 * {@link CassandraSink} against a real Cassandra 5.0 node (one per module run, {@link CassandraExtension}): values and
 * upserts, the one-line start-up errors, and a node stopped for 15 s while results are written.
 */
@ExtendWith(CassandraExtension.class)
class CassandraSinkIT {
    private static EmbeddedCassandra node;
    private static CqlSession cql;

    @BeforeAll
    static void connect(EmbeddedCassandra cassandra) {
        node = cassandra;
        cql = node.newSession();
    }

    @AfterAll
    static void disconnect() {
        if (cql != null) cql.close();
    }

    private static Map<String, String> settings(String table) {
        Map<String, String> s = new HashMap<>();
        s.put(CassandraSinkConfig.CONTACT_POINTS, node.contactPoint());
        s.put(CassandraSinkConfig.KEYSPACE, "sinkit");
        s.put(CassandraSinkConfig.TABLE, table);
        s.put(CassandraSinkConfig.CREATE_TABLE, "true");
        s.put(CassandraSinkConfig.USER, EmbeddedCassandra.USER);
        s.put(CassandraSinkConfig.PASSWORD, EmbeddedCassandra.PASSWORD);
        return s;
    }

    /** {@code key|start|end -> count/value} of every row of {@code table}. */
    private static Map<String, String> rows(String table) {
        Map<String, String> out = new TreeMap<>();
        for (Row r : cql.execute("SELECT key, window_start, window_end, count, value FROM sinkit." + table)) {
            out.put(r.getString(0) + "|" + r.getLong(1) + "|" + r.getLong(2),
                    r.getLong(3) + "/" + (r.isNull(4) ? "null" : Double.toString(r.getDouble(4))));
        }
        return out;
    }

    @Test
    void writesEveryResultAndARewriteOverwritesItsRow() {
        Map<String, String> expected = new TreeMap<>();
        try (CassandraSink sink = CassandraSink.open(CassandraSinkConfig.from(settings("values")))) {
            for (int i = 0; i < 2_000; i++) {
                String key = "k" + (i % 7);
                long start = 1_700_000_000_000L + (i / 7) * 5_000L;
                sink.write(i % 3 == 0 ? WindowResult.ofValue(key, start, start + 10_000, i, i * 0.5)
                        : WindowResult.ofCount(key, start, start + 10_000, i));
                expected.put(key + "|" + start + "|" + (start + 10_000), i + "/" + (i % 3 == 0 ? Double.toString(i * 0.5) : "null"));
            }
            sink.flush();
            assertThat(rows("values")).isEqualTo(expected);
            // A replay after a crash, or a late firing: the same window again, with its new count.
            sink.write(WindowResult.ofCount("k0", 1_700_000_000_000L, 1_700_000_010_000L, 99));
            sink.write(WindowResult.ofValue("k1", 1_700_000_000_000L, 1_700_000_010_000L, 5, Double.NaN));
            sink.flush();
            expected.put("k0|1700000000000|1700000010000", "99/null");
            expected.put("k1|1700000000000|1700000010000", "5/null");
            assertThat(rows("values")).isEqualTo(expected);
            assertThat(sink.resultsWritten()).isEqualTo(2_002);
            assertThat(sink.retries()).isZero();
        }
    }

    @Test
    void aStoppedNodeIsRetriedAndCountedUntilItIsBackAndNothingIsLost() throws Exception {
        CountingMetrics metrics = new CountingMetrics();
        Map<String, String> s = settings("outage");
        s.put(CassandraSinkConfig.MAX_IN_FLIGHT, "16");
        Map<String, String> expected = new TreeMap<>();
        List<String> log = new CopyOnWriteArrayList<>();
        Logger jul = Logger.getLogger(CassandraSink.class.getName());
        Handler capture = new Handler() {
            @Override
            public void publish(LogRecord record) {
                log.add(java.text.MessageFormat.format(record.getMessage(), record.getParameters()));
            }

            @Override
            public void flush() { }

            @Override
            public void close() { }
        };
        jul.addHandler(capture);
        try (CassandraSink sink = CassandraSink.open(CassandraSinkConfig.from(s), metrics)) {
            node.stop();
            long stoppedAt = System.nanoTime();
            Thread restarter = new Thread(() -> {
                try {
                    Thread.sleep(Math.max(0, 15_000 - (System.nanoTime() - stoppedAt) / 1_000_000));
                    node.restart();
                } catch (Exception e) {
                    throw new IllegalStateException(e);
                }
            });
            restarter.start();
            // Written while the node is away: the writes wait in their slots, retried, until it is back.
            for (int i = 0; i < 200; i++) {
                long start = i * 1_000L;
                sink.write(WindowResult.ofCount("outage", start, start + 10_000, i));
                expected.put("outage|" + start + "|" + (start + 10_000), i + "/null");
            }
            sink.flush();
            restarter.join();
            await().atMost(Duration.ofSeconds(30)).ignoreExceptions().until(() -> rows("outage").equals(expected));
            assertThat(metrics.failed.get()).as("failed attempts").isGreaterThan(0);
            assertThat(metrics.retried.get()).as("retries").isGreaterThan(0).isEqualTo(sink.retries());
            assertThat(metrics.gaveUp.get()).isZero();
        } finally {
            jul.removeHandler(capture);
            if (!node.isRunning()) {
                node.restart();
            }
        }
        assertThat(log).anyMatch(line -> line.contains("retrying"));
        assertThat(log).filteredOn(line -> line.contains("succeeded after")).as("the recovery is logged once").hasSize(1);
    }

    @Test
    void anUnreachableContactPointIsOneLine() throws Exception {
        int closedPort;
        try (ServerSocket socket = new ServerSocket(0, 1, InetAddress.getLoopbackAddress())) {
            closedPort = socket.getLocalPort();
        }
        Map<String, String> s = settings("never");
        s.put(CassandraSinkConfig.CONTACT_POINTS, "127.0.0.1:" + closedPort);
        s.put(CassandraSinkConfig.CONNECT_TIMEOUT, "2s");
        assertThatThrownBy(() -> CassandraSink.open(CassandraSinkConfig.from(s)))
                .isInstanceOf(CassandraSinkException.class)
                .hasMessageStartingWith("cannot reach Cassandra at 127.0.0.1:" + closedPort)
                .hasMessageContaining("--cassandra-contact-points".substring(2))
                .satisfies(e -> assertThat(e.getMessage()).doesNotContain("\n"));
    }

    @Test
    void wrongOrMissingCredentialsAreOneLineWithoutThePassword() {
        Map<String, String> s = settings("never");
        s.put(CassandraSinkConfig.PASSWORD, "wrong-secret-42");
        assertThatThrownBy(() -> CassandraSink.open(CassandraSinkConfig.from(s)))
                .isInstanceOf(CassandraSinkException.class)
                .hasMessage("Cassandra at " + node.contactPoint() + " refused the credentials of user 'cassandra' (check"
                        + " FLINKLITE_CASSANDRA_USER / FLINKLITE_CASSANDRA_PASSWORD or the config file)");
        s.remove(CassandraSinkConfig.USER);
        s.remove(CassandraSinkConfig.PASSWORD);
        assertThatThrownBy(() -> CassandraSink.open(CassandraSinkConfig.from(s)))
                .isInstanceOf(CassandraSinkException.class)
                .hasMessageStartingWith("Cassandra at " + node.contactPoint() + " requires a user and password");
    }

    @Test
    void aMissingKeyspaceOrTableOrATableOfAnotherShapeIsOneLine() {
        Map<String, String> s = settings("missing_table");
        s.put(CassandraSinkConfig.KEYSPACE, "no_such_keyspace");
        s.remove(CassandraSinkConfig.CREATE_TABLE);
        assertThatThrownBy(() -> CassandraSink.open(CassandraSinkConfig.from(s)))
                .hasMessageStartingWith("keyspace 'no_such_keyspace' does not exist at " + node.contactPoint())
                .hasMessageContaining("cassandra-create-table");

        cql.execute("CREATE KEYSPACE IF NOT EXISTS sinkit WITH replication = {'class': 'SimpleStrategy', 'replication_factor': 1}");
        s.put(CassandraSinkConfig.KEYSPACE, "sinkit");
        assertThatThrownBy(() -> CassandraSink.open(CassandraSinkConfig.from(s)))
                .hasMessageStartingWith("table sinkit.missing_table does not exist")
                .hasMessageContaining("CREATE TABLE IF NOT EXISTS sinkit.missing_table");

        cql.execute("CREATE TABLE IF NOT EXISTS sinkit.legacy (key text PRIMARY KEY, n int)");
        s.put(CassandraSinkConfig.TABLE, "legacy");
        s.put(CassandraSinkConfig.CREATE_TABLE, "true");
        assertThatThrownBy(() -> CassandraSink.open(CassandraSinkConfig.from(s)))
                .isInstanceOf(CassandraSinkException.class)
                .hasMessageStartingWith("table sinkit.legacy at " + node.contactPoint() + " does not fit the results")
                .hasMessageContaining("PRIMARY KEY ((\"key\"), \"window_start\", \"window_end\")");
    }

    @Test
    void aWrongLocalDataCentreIsOneLineNamingTheRealOnes() {
        Map<String, String> s = settings("values");
        s.put(CassandraSinkConfig.LOCAL_DC, "dc-typo");
        assertThatThrownBy(() -> CassandraSink.open(CassandraSinkConfig.from(s)))
                .isInstanceOf(CassandraSinkException.class)
                .hasMessageContaining("no data centre 'dc-typo'")
                .hasMessageContaining(EmbeddedCassandra.LOCAL_DC);
    }

    @Test
    void theConsistencyLevelIsTheConfiguredOne() {
        Map<String, String> s = settings("values");
        s.put(CassandraSinkConfig.CONSISTENCY, "all");
        try (CassandraSink sink = CassandraSink.open(CassandraSinkConfig.from(s))) {
            assertThat(sink.config().consistency()).isEqualTo("ALL");
            sink.write(WindowResult.ofCount("all", 0, 10_000, 1));
            sink.flush(); // one replica: ALL is reachable
        }
        // Two replicas cannot answer on a one-node cluster: Cassandra says unavailable, which is retried until the
        // budget is spent; with no budget the first answer fails the flush, naming the level.
        s.put(CassandraSinkConfig.CONSISTENCY, "TWO");
        s.put(CassandraSinkConfig.RETRY_TIMEOUT, "0s");
        CountingMetrics metrics = new CountingMetrics();
        try (CassandraSink sink = CassandraSink.open(CassandraSinkConfig.from(s), metrics)) {
            sink.write(WindowResult.ofCount("two", 0, 10_000, 1));
            assertThatThrownBy(sink::flush).isInstanceOf(CassandraSinkException.class)
                    .hasMessageContaining("still failing writes to sinkit.values").hasMessageContaining("TWO");
        }
        assertThat(metrics.gaveUp.get()).isEqualTo(1);
    }

    /** Counts what the sink reports. */
    static final class CountingMetrics implements SinkMetrics {
        final AtomicLong failed = new AtomicLong();
        final AtomicLong retried = new AtomicLong();
        final AtomicLong gaveUp = new AtomicLong();

        @Override
        public void failedAttempt() { failed.incrementAndGet(); }

        @Override
        public void retried() { retried.incrementAndGet(); }

        @Override
        public void gaveUp() { gaveUp.incrementAndGet(); }
    }
}
