package io.flinklite.connector.jdbc;

import io.flinklite.api.Sink;
import io.flinklite.api.WindowResult;
import io.flinklite.job.Durations;
import io.flinklite.sink.Backoff;
import io.flinklite.sink.SinkMetrics;

import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import java.sql.Types;
import java.util.ArrayList;
import java.util.Properties;
import java.util.concurrent.TimeUnit;

/**
 * Upserts window results into a PostgreSQL table (see {@link ResultTable} for its shape), so that writing a result
 * again overwrites its row: with the runtime's at-least-once checkpoints (a crash replays from the last checkpoint)
 * the table ends up effectively-once.
 *
 * <h2>Contract</h2>
 * <ul>
 *   <li>{@link #open} connects, creates the table when missing and checks that an existing one fits. It fails at once,
 *       without retrying, when the URL is wrong, the server cannot be reached or the credentials are refused: at
 *       start-up those are configuration mistakes, and waiting would only hide them.</li>
 *   <li>{@link #write} buffers; when {@link JdbcSinkConfig#batchSize()} results are buffered it writes them.
 *       {@link #flush()} writes what is buffered. Each write of the buffer is one transaction, and returns only once
 *       it is committed, so a checkpoint that follows a flush never counts a result the table does not hold.</li>
 *   <li>A transient failure (connection lost, server restarting, serialization failure or deadlock, see
 *       {@link SqlErrors#isTransient}) rolls the transaction back, drops the connection and retries the whole buffer
 *       on a new one, with exponential backoff (100 ms doubling to 5 s), for up to
 *       {@link JdbcSinkConfig#retryTimeoutMs()}; then, or on any other error, it throws {@link JdbcSinkException}
 *       and keeps the buffer, so nothing is lost silently.</li>
 *   <li>Called only from the job's task thread; the counters ({@link #resultsWritten()}, {@link #retries()}) may be
 *       read from any thread.</li>
 * </ul>
 *
 * <p>One connection, no pool: there is one writer thread, and a pool would add a dependency and a second place where
 * connection loss is handled, for nothing.
 */
public final class JdbcSink implements Sink<WindowResult> {
    private static final System.Logger LOG = System.getLogger(JdbcSink.class.getName());

    /** A read that blocks longer than this means a dead peer (network partition): drop the connection and retry. */
    private static final int SOCKET_TIMEOUT_SECONDS = 60;

    private final JdbcSinkConfig config;
    private final SinkMetrics metrics;
    private final String upsertSql;
    private final ArrayList<WindowResult> buffer;
    private Connection connection;
    private PreparedStatement upsert;
    private boolean closed;
    /** The last write of the buffer failed for good: {@link #close()} then does not try again. */
    private boolean failed;

    private volatile long resultsWritten;
    private volatile long batchesCommitted;
    private volatile long retries;

    private JdbcSink(JdbcSinkConfig config, SinkMetrics metrics, Connection connection) {
        this.config = config;
        this.metrics = metrics;
        this.upsertSql = ResultTable.upsertSql(config.quotedTable());
        this.buffer = new ArrayList<>(config.batchSize());
        this.connection = connection;
    }

    /**
     * Connects, creates the table when missing and checks that it can take the upsert.
     *
     * @throws JdbcSinkException with a message naming the URL (password masked), the user and the server's reason,
     *                           when the server cannot be reached, refuses the credentials, or the table does not fit
     */
    public static JdbcSink open(JdbcSinkConfig config) {
        return open(config, SinkMetrics.NONE);
    }

    /** As {@link #open(JdbcSinkConfig)}, counting failed attempts, retries and give-ups in {@code metrics}. */
    public static JdbcSink open(JdbcSinkConfig config, SinkMetrics metrics) {
        java.util.Objects.requireNonNull(metrics, "metrics");
        Connection c = connect(config);
        JdbcSink sink = new JdbcSink(config, metrics, c);
        try {
            sink.prepareTable();
            sink.upsert = c.prepareStatement(sink.upsertSql);
        } catch (SQLException | RuntimeException e) {
            closeQuietly(c);
            if (e instanceof JdbcSinkException) {
                throw (JdbcSinkException) e;
            }
            if (e instanceof RuntimeException) {
                throw (RuntimeException) e;
            }
            throw new JdbcSinkException("cannot prepare table " + config.qualifiedTable() + " at " + config.maskedUrl()
                    + ": " + SqlErrors.describe((SQLException) e), e);
        }
        LOG.log(System.Logger.Level.INFO, "writing results of job ''{0}'' to table {1} at {2}",
                config.jobName(), config.qualifiedTable(), config.maskedUrl());
        return sink;
    }

    /** Buffers {@code result}; writes the buffer when it holds a full batch. */
    @Override
    public void write(WindowResult result) throws JdbcSinkException {
        if (closed) {
            throw new IllegalStateException("write after close");
        }
        buffer.add(result);
        if (buffer.size() >= config.batchSize()) {
            writeBuffer();
        }
    }

    /** Writes every buffered result in one transaction; returns once it is committed. */
    @Override
    public void flush() throws JdbcSinkException {
        if (closed) {
            throw new IllegalStateException("flush after close");
        }
        if (!buffer.isEmpty()) {
            writeBuffer();
        }
    }

    /**
     * Flushes, then closes the connection even when the flush fails. Later calls do nothing.
     *
     * <p>After a write that failed for good (the job is failing), the buffer is dropped instead of retried for
     * another {@link JdbcSinkConfig#retryTimeoutMs()}: those results were not committed, so no checkpoint counts them,
     * and a restart computes them again from the last checkpoint.
     */
    @Override
    public void close() throws JdbcSinkException {
        if (closed) {
            return;
        }
        try {
            if (failed) {
                LOG.log(System.Logger.Level.WARNING, "closing after a failed write: {0} results not written to {1};"
                        + " a restart recomputes them from the last checkpoint", Integer.toString(buffer.size()),
                        config.qualifiedTable());
            } else {
                flush();
            }
        } finally {
            closed = true;
            closeQuietly(connection);
            connection = null;
            upsert = null;
        }
    }

    /** Results committed to the table so far (a result written twice counts twice). */
    public long resultsWritten() { return resultsWritten; }

    /** Transactions committed so far. */
    public long batchesCommitted() { return batchesCommitted; }

    /** Failed attempts that were retried (each one a lost connection or a transient server error). */
    public long retries() { return retries; }

    /** Results buffered and not yet committed. Task thread only. */
    public int buffered() { return buffer.size(); }

    public JdbcSinkConfig config() { return config; }

    private void writeBuffer() {
        failed = true;
        long deadlineNanos = System.nanoTime() + TimeUnit.MILLISECONDS.toNanos(config.retryTimeoutMs());
        for (int attempt = 1; ; attempt++) {
            try {
                if (connection == null) {
                    connection = openConnection(config);
                    upsert = connection.prepareStatement(upsertSql);
                }
                executeBuffer();
                if (attempt > 1) {
                    LOG.log(System.Logger.Level.INFO, "writing {0} results to {1} succeeded after {2} attempts",
                            Integer.toString(buffer.size()), config.qualifiedTable(), Integer.toString(attempt));
                }
                break;
            } catch (SQLException e) {
                rollbackQuietly();
                metrics.failedAttempt();
                if (!SqlErrors.isTransient(e)) {
                    metrics.gaveUp();
                    throw new JdbcSinkException("writing " + buffer.size() + " results to " + config.qualifiedTable()
                            + " at " + config.maskedUrl() + " failed: " + SqlErrors.describe(e), e);
                }
                // Whatever was lost, the connection cannot be trusted any more: start over on a new one.
                closeQuietly(connection);
                connection = null;
                upsert = null;
                long delayMs = backoffMs(attempt);
                if (System.nanoTime() + TimeUnit.MILLISECONDS.toNanos(delayMs) - deadlineNanos > 0) {
                    metrics.gaveUp();
                    throw new JdbcSinkException("PostgreSQL at " + config.maskedUrl() + " still unavailable after "
                            + attempt + " attempts over " + Durations.format(config.retryTimeoutMs()) + " ("
                            + JdbcSinkConfig.RETRY_TIMEOUT + "); " + buffer.size()
                            + " results are not written; last error: " + SqlErrors.describe(e), e);
                }
                retries++;
                metrics.retried();
                // Numbers as text: the message format would print 1000 as "1,000".
                LOG.log(System.Logger.Level.WARNING, "writing {0} results to {1} failed (attempt {2}): {3}; retrying in {4} ms",
                        Integer.toString(buffer.size()), config.qualifiedTable(), Integer.toString(attempt),
                        SqlErrors.describe(e), Long.toString(delayMs));
                sleep(delayMs);
            }
        }
        resultsWritten += buffer.size();
        batchesCommitted++;
        buffer.clear();
        failed = false;
    }

    private void executeBuffer() throws SQLException {
        String job = config.jobName();
        // A batch left over by an attempt that failed part-way must not be sent again on top of this one.
        upsert.clearBatch();
        for (int i = 0, n = buffer.size(); i < n; i++) {
            WindowResult r = buffer.get(i);
            upsert.setString(1, job);
            upsert.setString(2, r.key());
            upsert.setLong(3, r.windowStart());
            upsert.setLong(4, r.windowEnd());
            upsert.setLong(5, r.count());
            if (r.hasValue() && Double.isFinite(r.value())) {
                upsert.setDouble(6, r.value());
            } else {
                // As in the JSON output: no value, or one that is not a number, is NULL.
                upsert.setNull(6, Types.DOUBLE);
            }
            upsert.addBatch();
        }
        upsert.executeBatch();
        connection.commit();
    }

    /** The wait before retry number {@code attempt} (1-based): {@link Backoff#delayMs}. */
    static long backoffMs(int attempt) {
        return Backoff.delayMs(attempt);
    }

    private static void sleep(long ms) {
        try {
            Thread.sleep(ms);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new JdbcSinkException("interrupted while waiting to retry a write to PostgreSQL", e);
        }
    }

    private void prepareTable() throws SQLException {
        boolean exists;
        try (PreparedStatement q = connection.prepareStatement("SELECT to_regclass(?) IS NOT NULL")) {
            q.setString(1, config.quotedTable());
            try (ResultSet rs = q.executeQuery()) {
                rs.next();
                exists = rs.getBoolean(1);
            }
        }
        // Only create when missing: CREATE ... IF NOT EXISTS still needs the CREATE privilege, which a user that was
        // given a ready table to write into may well lack.
        if (!exists) {
            try (Statement s = connection.createStatement()) {
                s.execute(ResultTable.createSql(config.quotedTable()));
                connection.commit();
                LOG.log(System.Logger.Level.INFO, "created table {0}", config.qualifiedTable());
            } catch (SQLException e) {
                connection.rollback();
                // 42P07 / 23505: another instance created it at the same moment; the probe below decides if it fits.
                String state = e.getSQLState();
                if (!"42P07".equals(state) && !"23505".equals(state)) {
                    throw new JdbcSinkException("cannot create table " + config.qualifiedTable() + " at "
                            + config.maskedUrl() + ": " + SqlErrors.describe(e), e);
                }
            }
        }
        try (Statement s = connection.createStatement()) {
            s.execute(ResultTable.probeSql(config.quotedTable()));
        } catch (SQLException e) {
            throw new JdbcSinkException("table " + config.qualifiedTable() + " at " + config.maskedUrl()
                    + " cannot take FlinkLite results: " + SqlErrors.describe(e) + ". Expected:\n"
                    + ResultTable.createSql(config.quotedTable())
                    + "\nChoose another table with --jdbc-table, or drop this one to let FlinkLite create it.", e);
        } finally {
            connection.rollback();
        }
    }

    /**
     * Opens a connection for {@link #open}: no retry, see the class comment.
     *
     * @throws JdbcSinkException naming the URL (masked), the user and the server's reason
     */
    private static Connection connect(JdbcSinkConfig config) {
        try {
            return openConnection(config);
        } catch (SQLException e) {
            throw new JdbcSinkException(connectFailure(config, e), e);
        }
    }

    /** Opens a connection in manual-commit mode; a failure is left to the caller to classify. */
    private static Connection openConnection(JdbcSinkConfig config) throws SQLException {
        Properties props = new Properties();
        if (config.user() != null) {
            props.setProperty("user", config.user());
        }
        if (config.password() != null) {
            props.setProperty("password", config.password());
        }
        int connectSeconds = (int) Math.max(1, config.connectTimeoutMs() / 1000);
        props.setProperty("connectTimeout", Integer.toString(connectSeconds));
        props.setProperty("loginTimeout", Integer.toString(connectSeconds));
        props.setProperty("socketTimeout", Integer.toString(SOCKET_TIMEOUT_SECONDS));
        props.setProperty("tcpKeepAlive", "true");
        props.setProperty("ApplicationName", "flinklite");
        // The driver directly, not DriverManager: DriverManager only offers drivers visible to the caller's class
        // loader, which a user job's loader may not be.
        Connection c = new org.postgresql.Driver().connect(config.url(), props);
        if (c == null) {
            throw new JdbcSinkException("bad JDBC URL '" + config.maskedUrl()
                    + "': the PostgreSQL driver cannot parse it; expected jdbc:postgresql://HOST[:PORT]/DATABASE");
        }
        try {
            c.setAutoCommit(false);
        } catch (SQLException e) {
            closeQuietly(c);
            throw e;
        }
        return c;
    }

    private static String connectFailure(JdbcSinkConfig config, SQLException e) {
        String who = config.user() == null ? "the default user" : "user '" + config.user() + "'";
        if (SqlErrors.isAuthentication(e)) {
            return "PostgreSQL at " + config.maskedUrl() + " refused the credentials of " + who + ": "
                    + SqlErrors.describe(e) + ". Set the user with --jdbc-user or FLINKLITE_JDBC_USER (or PGUSER) and"
                    + " the password with FLINKLITE_JDBC_PASSWORD (or PGPASSWORD).";
        }
        if (SqlErrors.isTransient(e)) {
            return "cannot connect to PostgreSQL at " + config.maskedUrl() + ": " + SqlErrors.describe(e)
                    + ". Is the server running, and are the host and port in --jdbc-url right?";
        }
        return "cannot connect to PostgreSQL at " + config.maskedUrl() + " as " + who + ": " + SqlErrors.describe(e);
    }

    /**
     * Rolls back a failed attempt. Best effort: after a lost connection the rollback fails too, and the connection is
     * discarded anyway.
     */
    private void rollbackQuietly() {
        if (connection == null) {
            return;
        }
        try {
            connection.rollback();
        } catch (SQLException ignored) {
            // The connection is gone; the server rolls back on its own when it notices.
        }
    }

    private static void closeQuietly(Connection c) {
        if (c == null) {
            return;
        }
        try {
            c.close();
        } catch (SQLException ignored) {
            // Closing a broken connection can fail; there is nothing left to release.
        }
    }
}
