package io.flinklite.connector.jdbc;

import org.junit.jupiter.api.Test;

import java.util.Map;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

class JdbcSinkConfigTest {
    private static final String URL = "jdbc:postgresql://db.example:5432/results";

    @Test
    void defaultsNeedOnlyTheUrl() {
        JdbcSinkConfig c = JdbcSinkConfig.from(Map.of("jdbc-url", URL), Map.of());
        assertThat(c.url()).isEqualTo(URL);
        assertThat(c.table()).isEqualTo("flinklite_results");
        assertThat(c.schema()).isNull();
        assertThat(c.quotedTable()).isEqualTo("\"flinklite_results\"");
        assertThat(c.jobName()).isEqualTo("flinklite");
        assertThat(c.batchSize()).isEqualTo(500);
        assertThat(c.retryTimeoutMs()).isEqualTo(60_000);
        assertThat(c.user()).isNull();
        assertThat(c.password()).isNull();
    }

    @Test
    void readsEveryKeyAndIgnoresOtherFlags() {
        JdbcSinkConfig c = JdbcSinkConfig.from(Map.of("jdbc-url", URL, "jdbc-table", "Analytics.Window_Counts",
                "jdbc-user", "bob", "jdbc-job-name", "orders", "jdbc-batch-size", "50", "jdbc-retry-timeout", "2m",
                "jdbc-connect-timeout", "3s", "bootstrap-servers", "localhost:9092"), Map.of());
        assertThat(c.schema()).isEqualTo("analytics");
        assertThat(c.table()).isEqualTo("window_counts");
        assertThat(c.quotedTable()).isEqualTo("\"analytics\".\"window_counts\"");
        assertThat(c.qualifiedTable()).isEqualTo("analytics.window_counts");
        assertThat(c.user()).isEqualTo("bob");
        assertThat(c.jobName()).isEqualTo("orders");
        assertThat(c.batchSize()).isEqualTo(50);
        assertThat(c.retryTimeoutMs()).isEqualTo(120_000);
        assertThat(c.connectTimeoutMs()).isEqualTo(3_000);
    }

    @Test
    void credentialsComeFromFlinkLiteVariablesBeforePgVariables() {
        Map<String, String> env = Map.of("FLINKLITE_JDBC_USER", "fl-user", "FLINKLITE_JDBC_PASSWORD", "fl-secret",
                "PGUSER", "pg-user", "PGPASSWORD", "pg-secret");
        JdbcSinkConfig c = JdbcSinkConfig.from(Map.of("jdbc-url", URL), env);
        assertThat(c.user()).isEqualTo("fl-user");
        assertThat(c.password()).isEqualTo("fl-secret");

        JdbcSinkConfig pg = JdbcSinkConfig.from(Map.of("jdbc-url", URL), Map.of("PGUSER", "pg-user", "PGPASSWORD", "pg-secret"));
        assertThat(pg.user()).isEqualTo("pg-user");
        assertThat(pg.password()).isEqualTo("pg-secret");

        JdbcSinkConfig explicit = JdbcSinkConfig.from(Map.of("jdbc-url", URL, "jdbc-user", "cli-user"), env);
        assertThat(explicit.user()).isEqualTo("cli-user");
        assertThat(explicit.password()).isEqualTo("fl-secret");
    }

    @Test
    void printedFormsNeverShowThePassword() {
        JdbcSinkConfig c = JdbcSinkConfig.from(Map.of("jdbc-url", URL + "?ssl=false&password=url-secret&tcpKeepAlive=true"),
                Map.of("FLINKLITE_JDBC_PASSWORD", "env-secret"));
        assertThat(c.toString()).doesNotContain("url-secret").doesNotContain("env-secret").contains("****");
        assertThat(c.maskedUrl()).isEqualTo(URL + "?ssl=false&password=****&tcpKeepAlive=true");
        assertThat(c.describe().values()).noneMatch(v -> v.contains("secret"));
    }

    @Test
    void badUrlIsRejectedWithTheExpectedForm() {
        assertThatThrownBy(() -> JdbcSinkConfig.from(Map.of("jdbc-url", "postgres://localhost/db"), Map.of()))
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessageContaining("postgres://localhost/db").hasMessageContaining("jdbc:postgresql://HOST");
        assertThatThrownBy(() -> JdbcSinkConfig.from(Map.of("jdbc-url", "jdbc:mysql://h/db?password=x1"), Map.of()))
                .hasMessageNotContaining("x1");
        assertThatThrownBy(() -> JdbcSinkConfig.from(Map.of(), Map.of()))
                .hasMessageContaining("jdbc-url is required");
        assertThatThrownBy(() -> JdbcSinkConfig.from(Map.of("jdbc-url", URL + "?reWriteBatchedInserts=true"), Map.of()))
                .hasMessageContaining("reWriteBatchedInserts");
    }

    @Test
    void tableNamesThatCouldInjectSqlAreRejected() {
        for (String bad : new String[] {"results; drop table x", "a.b.c", "\"quoted\"", "1results", "", "a-b",
                "x".repeat(64), "s.", ".t"}) {
            assertThatThrownBy(() -> JdbcSinkConfig.builder(URL).table(bad).build())
                    .as(bad).isInstanceOf(IllegalArgumentException.class).hasMessageContaining("jdbc-table");
        }
        assertThat(JdbcSinkConfig.builder(URL).table("x".repeat(63)).build().table()).hasSize(63);
    }

    @Test
    void badNumbersAndUnknownKeysNameTheKey() {
        assertThatThrownBy(() -> JdbcSinkConfig.from(Map.of("jdbc-url", URL, "jdbc-batch-size", "lots"), Map.of()))
                .hasMessageContaining("jdbc-batch-size").hasMessageContaining("lots");
        assertThatThrownBy(() -> JdbcSinkConfig.from(Map.of("jdbc-url", URL, "jdbc-batch-size", "0"), Map.of()))
                .hasMessageContaining("at least 1");
        assertThatThrownBy(() -> JdbcSinkConfig.from(Map.of("jdbc-url", URL, "jdbc-retry-timeout", "soon"), Map.of()))
                .hasMessageContaining("soon");
        assertThatThrownBy(() -> JdbcSinkConfig.from(Map.of("jdbc-url", URL, "jdbc-tabel", "x"), Map.of()))
                .hasMessageContaining("unknown setting 'jdbc-tabel'");
        assertThatThrownBy(() -> JdbcSinkConfig.from(Map.of("jdbc-url", URL, "jdbc-job-name", " "), Map.of()))
                .hasMessageContaining("jdbc-job-name");
    }
}
