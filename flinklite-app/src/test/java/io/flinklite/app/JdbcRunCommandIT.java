package io.flinklite.app;

import org.junit.jupiter.api.extension.ExtendWith;
import io.flinklite.connector.jdbc.testing.SharedPostgres;
import io.flinklite.connector.jdbc.testing.EmbeddedPostgres;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.net.InetAddress;
import java.net.ServerSocket;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Map;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * {@code run}'s PostgreSQL flags against a real server: mistakes are one line on stderr and exit code 1, checked
 * before Kafka is touched (the broker address here leads nowhere), and never show the password.
 */
@ExtendWith(SharedPostgres.class)
class JdbcRunCommandIT {
    private static EmbeddedPostgres pg;

    @TempDir
    Path dir;

    @BeforeAll
    static void sharePostgres() {
        pg = SharedPostgres.get();
    }

    @Test
    void aWrongPasswordFromTheConfigFileIsOneLineNamingTheUser() throws Exception {
        String wrong = "wrong-" + System.nanoTime();
        Path config = Files.writeString(dir.resolve("flinklite.properties"), "jdbc-password=" + wrong + "\n");
        String[] args = {"run", "--config", config.toString(), "--jdbc-url", pg.jdbcUrl(), "--jdbc-user", pg.user(),
                "--bootstrap-servers", "127.0.0.1:1"};
        CliRun r = CliRun.run(Configuration.load(args, Map.of()), args);

        assertThat(r.code).isEqualTo(1);
        assertThat(r.err.trim()).startsWith("flinklite: PostgreSQL at " + pg.jdbcUrl() + " refused the credentials of user '"
                        + pg.user() + "'")
                .contains("28P01").contains("FLINKLITE_JDBC_PASSWORD")
                .doesNotContain(wrong).doesNotContain("\n").doesNotContain("Exception");
    }

    @Test
    void anUnreachableDatabaseIsOneLine() throws Exception {
        int closedPort;
        try (ServerSocket s = new ServerSocket(0, 1, InetAddress.getLoopbackAddress())) {
            closedPort = s.getLocalPort();
        }
        String url = "jdbc:postgresql://127.0.0.1:" + closedPort + "/postgres";
        String[] args = {"run", "--jdbc-url", url, "--bootstrap-servers", "127.0.0.1:1"};
        CliRun r = CliRun.run(Configuration.empty(), args);

        assertThat(r.code).isEqualTo(1);
        assertThat(r.err.trim()).startsWith("flinklite: cannot connect to PostgreSQL at " + url)
                .contains("Is the server running").doesNotContain("\n");
    }

    @Test
    void aTableOfAnotherShapeIsOneLineOfCauseAndTheExpectedTable() throws Exception {
        try (var c = java.sql.DriverManager.getConnection(pg.jdbcUrl(), pg.user(), pg.password());
             var s = c.createStatement()) {
            s.execute("CREATE TABLE IF NOT EXISTS legacy_results (key text, n int)");
        }
        Path config = Files.writeString(dir.resolve("flinklite.properties"), "jdbc-password=" + pg.password() + "\n");
        String[] args = {"run", "--config", config.toString(), "--jdbc-url", pg.jdbcUrl(), "--jdbc-user", pg.user(),
                "--jdbc-table", "legacy_results", "--bootstrap-servers", "127.0.0.1:1"};
        CliRun r = CliRun.run(Configuration.load(args, Map.of()), args);

        assertThat(r.code).isEqualTo(1);
        assertThat(r.err).contains("flinklite: table legacy_results at " + pg.jdbcUrl() + " cannot take FlinkLite results")
                .contains("CREATE TABLE IF NOT EXISTS \"legacy_results\"").doesNotContain(pg.password());
    }
}
