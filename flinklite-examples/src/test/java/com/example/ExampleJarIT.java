package com.example;

import org.junit.jupiter.api.extension.ExtendWith;
import io.flinklite.connector.kafka.embedded.SharedKafkaBroker;
import io.flinklite.connector.jdbc.testing.SharedPostgres;
import io.flinklite.connector.jdbc.testing.EmbeddedPostgres;
import io.flinklite.connector.kafka.embedded.EmbeddedKafkaBroker;
import org.apache.kafka.clients.consumer.ConsumerConfig;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerConfig;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.common.serialization.ByteArrayDeserializer;
import org.apache.kafka.common.serialization.StringSerializer;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.Paths;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Properties;
import java.util.concurrent.TimeUnit;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

/**
 * The example jar, as a user would run it: {@code bin/flinklite run --jar target/flinklite-examples.jar ...} in its
 * own JVM, reading a real (embedded) Kafka broker and writing to a real (embedded) PostgreSQL. The jar is this
 * module's own artifact: failsafe runs after {@code package}, and the test dependency on flinklite-app makes the
 * reactor build {@code flinklite.jar} first.
 */
@ExtendWith({SharedKafkaBroker.class, SharedPostgres.class})
class ExampleJarIT {
    private static final long T0 = 1_700_000_000_000L;

    private static EmbeddedKafkaBroker broker;
    private static EmbeddedPostgres pg;

    @TempDir
    Path tmp;

    private Process process;
    private Path log;

    @BeforeAll
    static void shareServers() {
        broker = SharedKafkaBroker.get();
        pg = SharedPostgres.get();
    }

    @AfterEach
    void stopProcess() throws Exception {
        if (process != null && process.isAlive()) {
            process.destroy();
            if (!process.waitFor(60, TimeUnit.SECONDS)) {
                process.destroyForcibly();
            }
        }
    }

    @Test
    void theExampleUserJobWritesSessionAveragesToPostgres() throws Exception {
        broker.createTopic("sessions-in", 1);
        broker.createTopic("sessions-out", 1);
        produce("sessions-in", List.of(
                event(1, T0, "critical", 10),
                event(2, T0 + 500, "important", 1),
                event(3, T0 + 1_000, "critical", 20),
                event(4, T0 + 2_500, "critical", 30),
                event(5, T0 + 4_000, "important", 2),
                event(6, T0 + 3_000, "info", 99),          // a type the job does not select
                event(7, T0 + 30_000, "critical", 7),      // 27.5 s after the last critical: a new session
                event(8, T0 + 120_000, "tick", 0)));       // unselected, but moves event time past every session

        start("--input-topic", "sessions-in", "--output-topic", "sessions-out", "--group-id", "session-avg",
                "--jar", exampleJar().toString(), "--job", "com.example.SessionAverageJob",
                "--job-param", "gap=10s", "--job-param", "out-of-orderness=1s",
                "--job-param", "types=critical,important",
                "--jdbc-url", pg.jdbcUrl(), "--jdbc-table", "session_averages");

        List<String> expected = List.of(
                "session-avg|critical|" + T0 + "|" + (T0 + 12_500) + "|3|20.0",
                "session-avg|critical|" + (T0 + 30_000) + "|" + (T0 + 40_000) + "|1|7.0",
                "session-avg|important|" + (T0 + 500) + "|" + (T0 + 14_000) + "|2|1.5");
        await().atMost(Duration.ofSeconds(120)).pollInterval(Duration.ofMillis(500))
                .failFast(() -> assertThat(process.isAlive()).as(this::logTail).isTrue())
                .untilAsserted(() -> assertThat(rows("session_averages")).as(this::logTail).isEqualTo(expected));
        // Beside the table, the Kafka output got the same three results.
        assertThat(readValues("sessions-out", 3)).hasSize(3)
                .anyMatch(v -> v.contains("\"key\":\"important\"") && v.contains("\"count\":2") && v.contains("\"value\":1.5"));

        int exit = stop();
        String output = Files.readString(log);
        assertThat(output).contains("running user job com.example.SessionAverageJob")
                .contains("events/s").contains("open windows")          // the runtime's status line
                .contains("stopped: output flushed")
                .doesNotContain(pg.password());
        assertThat(exit).as(output).isIn(0, 143);
    }

    @Test
    void theExampleAverageIsTheAggregateOfTheBuiltInJob() throws Exception {
        broker.createTopic("avg-in", 1);
        produce("avg-in", List.of(
                event(1, T0 + 1_000, "critical", 4),
                event(2, T0 + 2_000, "critical", 6),
                event(3, T0 + 3_000, "important", 1000),   // not in --types
                event(4, T0 + 12_000, "critical", 10),
                event(5, T0 + 60_000, "critical", 0)));     // closes the first two windows, its own stays open
        createSchema();

        start("--input-topic", "avg-in", "--output-topic", "none", "--group-id", "avg-builtin",
                "--types", "critical", "--window", "tumbling:10s", "--out-of-orderness", "0s",
                "--jar", exampleJar().toString(), "--aggregate-class", "com.example.Average", "--value-field", "value",
                "--jdbc-url", pg.jdbcUrl(), "--jdbc-table", "analytics.builtin_averages", "--jdbc-job-name", "avg");

        List<String> expected = List.of(
                "avg|critical|" + T0 + "|" + (T0 + 10_000) + "|2|5.0",
                "avg|critical|" + (T0 + 10_000) + "|" + (T0 + 20_000) + "|1|10.0");
        await().atMost(Duration.ofSeconds(120)).pollInterval(Duration.ofMillis(500))
                .failFast(() -> assertThat(process.isAlive()).as(this::logTail).isTrue())
                .untilAsserted(() -> assertThat(rows("analytics.builtin_averages")).as(this::logTail).isEqualTo(expected));
        stop();
        assertThat(Files.readString(log)).contains("built-in job with aggregate class com.example.Average");
    }

    @Test
    void theOrderPaymentJoinJobReadsTwoTopicsAsItsTwoSourcesAndWritesOneRecordPerPaidOrder() throws Exception {
        broker.createTopic("join-orders", 2);
        broker.createTopic("join-payments", 1);
        broker.createTopic("join-paid", 1);
        produce("join-orders", List.of(
                "{\"timestamp\":" + T0 + ",\"orderId\":\"o-1\",\"total\":25.0}",
                "{\"timestamp\":" + (T0 + 1_000) + ",\"orderId\":\"o-2\",\"total\":10.0}",
                "{\"timestamp\":" + (T0 + 2_000) + ",\"orderId\":\"o-3\",\"total\":7.0}"));
        produce("join-payments", List.of(
                "{\"timestamp\":" + (T0 + 60_000) + ",\"orderId\":\"o-1\",\"amount\":25.0}",
                // 10 min and 1 ms after its order: outside [0, 10 min].
                "{\"timestamp\":" + (T0 + 1_000 + 600_001) + ",\"orderId\":\"o-2\",\"amount\":10.0}",
                // Before its order: outside. Then exactly at the order's time: the lower bound, inclusive.
                "{\"timestamp\":" + (T0 + 1_999) + ",\"orderId\":\"o-3\",\"amount\":1.0}",
                "{\"timestamp\":" + (T0 + 2_000) + ",\"orderId\":\"o-3\",\"amount\":6.0}"));

        start("--input-topic", "join-orders,join-payments", "--output-topic", "join-paid", "--group-id", "paid-orders",
                "--jar", exampleJar().toString(), "--job", "com.example.OrderPaymentJoinJob");

        List<String> values = new ArrayList<>();
        await().atMost(Duration.ofSeconds(120)).pollInterval(Duration.ofMillis(500))
                .failFast(() -> assertThat(process.isAlive()).as(this::logTail).isTrue())
                .untilAsserted(() -> {
                    values.addAll(readValues("join-paid", 2 - values.size()));
                    assertThat(values).as(this::logTail).hasSize(2);
                });
        assertThat(values).containsExactlyInAnyOrder(
                "{\"orderId\":\"o-1\",\"orderTime\":" + T0 + ",\"paymentTime\":" + (T0 + 60_000)
                        + ",\"total\":25.0,\"paid\":25.0}",
                "{\"orderId\":\"o-3\",\"orderTime\":" + (T0 + 2_000) + ",\"paymentTime\":" + (T0 + 2_000)
                        + ",\"total\":7.0,\"paid\":6.0}");
        int exit = stop();
        String output = Files.readString(log);
        assertThat(output).contains("running user job com.example.OrderPaymentJoinJob")
                .contains("join interval[0,600000]").contains("stopped: output flushed");
        assertThat(exit).as(output).isIn(0, 143);
    }

    @Test
    void aUserJobGivenFewerTopicsThanItHasSourcesIsRefusedNamingBoth() throws Exception {
        broker.createTopic("join-only-orders", 1);
        broker.createTopic("join-only-out", 1);
        start("--input-topic", "join-only-orders", "--output-topic", "join-only-out", "--group-id", "paid-orders-2",
                "--jar", exampleJar().toString(), "--job", "com.example.OrderPaymentJoinJob");
        assertThat(process.waitFor(120, TimeUnit.SECONDS)).isTrue();
        String output = Files.readString(log);
        assertThat(process.exitValue()).as(output).isNotZero();
        assertThat(output).contains("reads 2 source(s) [orders, payments] but run reads 1 topic(s) [join-only-orders]");
    }

    @Test
    void aClassThatIsNotInTheJarIsAClearErrorBeforeAnythingRuns() throws Exception {
        start("--jar", exampleJar().toString(), "--job", "com.example.NoSuchJob");
        assertThat(process.waitFor(120, TimeUnit.SECONDS)).isTrue();
        String output = Files.readString(log);
        // A class the jar does not hold is a usage error: one line naming --job and its value, the hint, exit 2.
        assertThat(process.exitValue()).as(output).isEqualTo(2);
        assertThat(output).contains("flinklite: --job 'com.example.NoSuchJob' (from the command line): job class "
                + "com.example.NoSuchJob is not in flinklite-examples.jar").contains("see 'flinklite run --help'");
    }

    // --- helpers ---

    /** FlinkLite creates a missing table, not a missing schema. */
    private static void createSchema() throws SQLException {
        try (Connection c = DriverManager.getConnection(pg.jdbcUrl(), pg.user(), pg.password());
             Statement s = c.createStatement()) {
            s.execute("CREATE SCHEMA IF NOT EXISTS analytics");
        }
    }

    private static Path exampleJar() {
        Path jar = Paths.get("target", "flinklite-examples.jar").toAbsolutePath();
        assertThat(jar).as("the example jar, built by `package` before failsafe runs").exists();
        return jar;
    }

    private void start(String... args) throws IOException {
        Path flinklite = Paths.get("..", "bin", "flinklite").toAbsolutePath().normalize();
        List<String> command = new ArrayList<>();
        command.add(flinklite.toString());
        command.add("run");
        command.add("--bootstrap-servers");
        command.add(broker.bootstrapServers());
        // Each run its own checkpoints (the default directory is ./checkpoints, shared by every test).
        command.add("--checkpoint-dir");
        command.add(tmp.resolve("checkpoints").toString());
        // Metrics on a free loopback port, and the status line often enough to see it.
        command.addAll(List.of("--metrics-host", "127.0.0.1", "--metrics-port", "0", "--status-interval", "1s"));
        command.addAll(List.of(args));
        log = tmp.resolve("flinklite.log");
        ProcessBuilder pb = new ProcessBuilder(command).redirectErrorStream(true).redirectOutput(log.toFile());
        Map<String, String> env = pb.environment();
        // Credentials as a user passes them: never on the command line.
        env.put("FLINKLITE_JDBC_USER", pg.user());
        env.put("FLINKLITE_JDBC_PASSWORD", pg.password());
        env.put("FLINKLITE_JAVA_OPTS", "-Xmx256m");
        process = pb.start();
    }

    /** SIGTERM, as Ctrl-C or a container stop: the job stops cleanly. Returns the exit code. */
    private int stop() throws Exception {
        process.destroy();
        assertThat(process.waitFor(60, TimeUnit.SECONDS)).as("stopped within 60 s").isTrue();
        return process.exitValue();
    }

    private String logTail() {
        try {
            List<String> lines = Files.readAllLines(log, StandardCharsets.UTF_8);
            return "flinklite output:\n" + String.join("\n", lines.subList(Math.max(0, lines.size() - 40), lines.size()));
        } catch (IOException e) {
            return "(no output: " + e.getMessage() + ")";
        }
    }

    private static String event(long id, long timestamp, String message, double value) {
        return "{\"id\":" + id + ",\"timestamp\":" + timestamp + ",\"message\":\"" + message + "\",\"value\":" + value + "}";
    }

    private static void produce(String topic, List<String> events) throws Exception {
        Properties props = new Properties();
        props.put(ProducerConfig.BOOTSTRAP_SERVERS_CONFIG, broker.bootstrapServers());
        try (KafkaProducer<String, String> producer = new KafkaProducer<>(props, new StringSerializer(), new StringSerializer())) {
            for (String e : events) {
                producer.send(new ProducerRecord<>(topic, e)).get(30, TimeUnit.SECONDS);
            }
        }
    }

    private static List<String> readValues(String topic, int expected) {
        Properties props = new Properties();
        props.put(ConsumerConfig.BOOTSTRAP_SERVERS_CONFIG, broker.bootstrapServers());
        props.put(ConsumerConfig.AUTO_OFFSET_RESET_CONFIG, "earliest");
        props.put(ConsumerConfig.GROUP_ID_CONFIG, "example-it-reader-" + topic);
        List<String> out = new ArrayList<>();
        try (KafkaConsumer<byte[], byte[]> consumer = new KafkaConsumer<>(props, new ByteArrayDeserializer(), new ByteArrayDeserializer())) {
            consumer.subscribe(List.of(topic));
            long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(60);
            while (out.size() < expected && System.nanoTime() < deadline) {
                for (ConsumerRecord<byte[], byte[]> r : consumer.poll(Duration.ofMillis(500))) {
                    out.add(new String(r.value(), StandardCharsets.UTF_8));
                }
            }
        }
        return out;
    }

    /** Every row, as {@code job|key|window_start|window_end|count|value}, in key order; empty while no table. */
    private static List<String> rows(String table) throws SQLException {
        List<String> out = new ArrayList<>();
        try (Connection c = DriverManager.getConnection(pg.jdbcUrl(), pg.user(), pg.password());
             Statement s = c.createStatement()) {
            try (ResultSet exists = s.executeQuery("SELECT to_regclass('" + table + "') IS NOT NULL")) {
                exists.next();
                if (!exists.getBoolean(1)) {
                    return out;
                }
            }
            try (ResultSet rs = s.executeQuery("SELECT job, key, window_start, window_end, count, value FROM " + table
                    + " ORDER BY job, key, window_start")) {
                while (rs.next()) {
                    out.add(rs.getString(1) + "|" + rs.getString(2) + "|" + rs.getLong(3) + "|" + rs.getLong(4) + "|"
                            + rs.getLong(5) + "|" + rs.getDouble(6));
                }
            }
        }
        return out;
    }
}
