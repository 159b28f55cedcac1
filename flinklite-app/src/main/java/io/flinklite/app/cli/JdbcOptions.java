package io.flinklite.app.cli;

import io.flinklite.connector.jdbc.JdbcSinkConfig;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.Spec;

import java.util.LinkedHashMap;
import java.util.Map;

/**
 * The PostgreSQL output of {@code run}: with {@code --jdbc-url}, window results are also upserted into a table.
 * There is deliberately no password flag (flags show in {@code ps}): the password comes from
 * {@code FLINKLITE_JDBC_PASSWORD}, the config file's {@code jdbc-password} key, or {@code PGPASSWORD}.
 */
public final class JdbcOptions {

    @Spec(Spec.Target.MIXEE)
    CommandSpec mixee;

    @Option(names = "--jdbc-url", paramLabel = "URL",
            description = "Also write results to PostgreSQL, e.g. jdbc:postgresql://localhost:5432/analytics "
                    + "(default: no PostgreSQL output).")
    String url;

    @Option(names = "--jdbc-table", paramLabel = "[SCHEMA.]TABLE",
            description = "Table for the results, created when missing (default: " + JdbcSinkConfig.DEFAULT_TABLE + ").")
    String table;

    @Option(names = "--jdbc-user", paramLabel = "USER",
            description = "Database user (default: FLINKLITE_JDBC_USER, else PGUSER). The password comes from "
                    + "FLINKLITE_JDBC_PASSWORD (or jdbc-password in the config file), else PGPASSWORD.")
    String user;

    @Option(names = "--jdbc-job-name", paramLabel = "NAME",
            description = "Value of the job column, so that jobs can share a table (default: the --group-id).")
    String jobName;

    @Option(names = "--jdbc-batch-size", paramLabel = "N",
            description = "Results per transaction (default: " + JdbcSinkConfig.DEFAULT_BATCH_SIZE + ").")
    String batchSize;

    @Option(names = "--jdbc-retry-timeout", paramLabel = "DURATION",
            description = "How long a batch is retried through lost connections and database restarts before the "
                    + "job fails (default: 60s).")
    String retryTimeout;

    @Option(names = "--jdbc-connect-timeout", paramLabel = "DURATION",
            description = "How long connecting to PostgreSQL may take (default: 10s).")
    String connectTimeout;

    /**
     * The PostgreSQL output these flags describe, or {@code null} when {@code --jdbc-url} is not set.
     *
     * @param defaultJobName the {@code job} column when {@code --jdbc-job-name} is not given
     * @throws IllegalArgumentException naming the offending flag
     */
    public JdbcSinkConfig config(String defaultJobName) {
        if (url == null || url.isBlank()) {
            return null;
        }
        Map<String, String> settings = new LinkedHashMap<>();
        settings.put(JdbcSinkConfig.URL, url);
        putIfSet(settings, JdbcSinkConfig.TABLE, table);
        putIfSet(settings, JdbcSinkConfig.USER, user);
        putIfSet(settings, JdbcSinkConfig.PASSWORD, ConfigDefaults.of(mixee).setting(JdbcSinkConfig.PASSWORD));
        putIfSet(settings, JdbcSinkConfig.JOB_NAME, jobName == null ? defaultJobName : jobName);
        putIfSet(settings, JdbcSinkConfig.BATCH_SIZE, batchSize);
        putIfSet(settings, JdbcSinkConfig.RETRY_TIMEOUT, retryTimeout);
        putIfSet(settings, JdbcSinkConfig.CONNECT_TIMEOUT, connectTimeout);
        return JdbcSinkConfig.from(settings, System.getenv());
    }

    private static void putIfSet(Map<String, String> settings, String key, String value) {
        if (value != null && !value.isBlank()) {
            settings.put(key, value);
        }
    }
}
