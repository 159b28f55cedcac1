package io.flinklite.connector.jdbc;

import io.flinklite.api.Sink;
import io.flinklite.api.WindowResult;
import io.flinklite.job.Durations;
import io.flinklite.sink.SinkFactory;
import io.flinklite.sink.SinkMetrics;
import io.flinklite.sink.SinkOption;
import io.flinklite.sink.SinkSettings;

import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * The PostgreSQL output as a {@code run} plug-in: with {@code --jdbc-url}, window results are also upserted into a
 * table ({@link JdbcSink}). The password has no flag: {@code FLINKLITE_JDBC_PASSWORD}, the config file's
 * {@code jdbc-password}, or {@code PGPASSWORD}.
 */
public final class JdbcSinkFactory implements SinkFactory {

    @Override
    public String name() {
        return "jdbc";
    }

    @Override
    public List<SinkOption> options() {
        return List.of(
                SinkOption.of(JdbcSinkConfig.URL, "URL", "Also write results to PostgreSQL, e.g. "
                        + "jdbc:postgresql://localhost:5432/analytics (default: no PostgreSQL output)."),
                SinkOption.of(JdbcSinkConfig.TABLE, "[SCHEMA.]TABLE", "Table for the results, created when missing "
                        + "(default: " + JdbcSinkConfig.DEFAULT_TABLE + ")."),
                SinkOption.of(JdbcSinkConfig.USER, "USER", "Database user (default: FLINKLITE_JDBC_USER, else PGUSER). "
                        + "The password comes from FLINKLITE_JDBC_PASSWORD (or jdbc-password in the config file), else "
                        + "PGPASSWORD."),
                SinkOption.secret(JdbcSinkConfig.PASSWORD, "Database password (config file or environment only)."),
                SinkOption.of(JdbcSinkConfig.JOB_NAME, "NAME", "Value of the job column, so that jobs can share a "
                        + "table (default: the --group-id)."),
                SinkOption.of(JdbcSinkConfig.BATCH_SIZE, "N", "Results per transaction (default: "
                        + JdbcSinkConfig.DEFAULT_BATCH_SIZE + ")."),
                SinkOption.of(JdbcSinkConfig.RETRY_TIMEOUT, "DURATION", "How long a batch is retried through lost "
                        + "connections and database restarts before the job fails (default: "
                        + Durations.format(JdbcSinkConfig.DEFAULT_RETRY_TIMEOUT_MS) + ")."),
                SinkOption.of(JdbcSinkConfig.CONNECT_TIMEOUT, "DURATION", "How long connecting to PostgreSQL may take "
                        + "(default: " + Durations.format(JdbcSinkConfig.DEFAULT_CONNECT_TIMEOUT_MS) + ")."));
    }

    @Override
    public boolean requested(SinkSettings settings) {
        return settings.isSet(JdbcSinkConfig.URL);
    }

    @Override
    public Sink<WindowResult> open(SinkSettings settings, SinkMetrics metrics) {
        return JdbcSink.open(config(settings), metrics);
    }

    /** The configuration {@code settings} describe; the job name defaults to the job's. */
    static JdbcSinkConfig config(SinkSettings settings) {
        Map<String, String> values = new LinkedHashMap<>(settings.values());
        values.values().removeIf(String::isBlank);
        values.putIfAbsent(JdbcSinkConfig.JOB_NAME, settings.jobName());
        return JdbcSinkConfig.from(values, settings.environment());
    }
}
