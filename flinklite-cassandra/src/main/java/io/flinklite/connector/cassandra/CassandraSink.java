package io.flinklite.connector.cassandra;

import com.datastax.oss.driver.api.core.AllNodesFailedException;
import com.datastax.oss.driver.api.core.CqlSession;
import com.datastax.oss.driver.api.core.CqlSessionBuilder;
import com.datastax.oss.driver.api.core.DriverException;
import com.datastax.oss.driver.api.core.DriverTimeoutException;
import com.datastax.oss.driver.api.core.NoNodeAvailableException;
import com.datastax.oss.driver.api.core.auth.AuthenticationException;
import com.datastax.oss.driver.api.core.config.DefaultDriverOption;
import com.datastax.oss.driver.api.core.config.DriverConfigLoader;
import com.datastax.oss.driver.api.core.connection.ClosedConnectionException;
import com.datastax.oss.driver.api.core.connection.HeartbeatException;
import com.datastax.oss.driver.api.core.cql.BoundStatement;
import com.datastax.oss.driver.api.core.cql.BoundStatementBuilder;
import com.datastax.oss.driver.api.core.cql.PreparedStatement;
import com.datastax.oss.driver.api.core.metadata.Node;
import com.datastax.oss.driver.api.core.servererrors.BootstrappingException;
import com.datastax.oss.driver.api.core.servererrors.OverloadedException;
import com.datastax.oss.driver.api.core.servererrors.UnavailableException;
import com.datastax.oss.driver.api.core.servererrors.WriteTimeoutException;
import io.flinklite.api.Sink;
import io.flinklite.api.WindowResult;
import io.flinklite.job.Durations;
import io.flinklite.sink.Backoff;
import io.flinklite.sink.SinkMetrics;

import java.time.Duration;
import java.util.List;
import java.util.Objects;
import java.util.TreeSet;
import java.util.concurrent.CompletionException;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.Semaphore;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicLong;
import java.util.concurrent.atomic.AtomicReference;

/**
 * Upserts window results into a Cassandra table (see {@link CassandraTable} for its shape) whose primary key is
 * (key, window_start, window_end), so writing a result again overwrites its row: with the runtime's at-least-once
 * checkpoints (a crash replays from the last checkpoint) the table ends up with exactly one row per key and window,
 * holding the last value.
 *
 * <h2>Contract</h2>
 * <ul>
 *   <li>{@link #open} connects, checks the local data centre, creates the keyspace and table when asked and checks
 *       that the table fits. It fails at once, without retrying, with a one-line {@link CassandraSinkException} for an
 *       unreachable contact point, refused credentials, a missing keyspace or table, or a table of another shape.</li>
 *   <li>{@link #write} sends the result as an asynchronous prepared insert and returns; at most
 *       {@link CassandraSinkConfig#maxInFlight()} writes are unacknowledged at a time (a write waits for a free slot:
 *       back-pressure on the task). {@link #flush()} returns once every write sent before it is acknowledged at the
 *       configured consistency, so a checkpoint that follows a flush never counts a result the table does not
 *       hold.</li>
 *   <li>A write that times out, finds too few replicas, an overloaded or bootstrapping coordinator, or no node at all
 *       (Cassandra restarting) is retried, with {@link Backoff} (100 ms doubling to 5 s), for up to
 *       {@link CassandraSinkConfig#retryTimeoutMs()} from its first failure; it keeps its in-flight slot meanwhile. The
 *       first failure of an outage is logged as a warning, later ones at most every 5 s, and the recovery once
 *       ("succeeded after N attempts"). A write that fails for good (another error, or the retry budget spent)
 *       makes the next {@code write} or {@code flush} throw {@link CassandraSinkException}: the results were not
 *       covered by a checkpoint, so the restarted job writes them again.</li>
 *   <li>{@code write}, {@code flush} and {@code close} are called from the task thread only; completions and retries
 *       run on the driver's threads and one scheduler thread of this sink.</li>
 * </ul>
 */
public final class CassandraSink implements Sink<WindowResult> {
    private static final System.Logger LOG = System.getLogger(CassandraSink.class.getName());
    /** During an outage, at most one warning this often; every failure is counted in the metrics regardless. */
    private static final long WARN_INTERVAL_NANOS = TimeUnit.SECONDS.toNanos(5);

    private final CassandraSinkConfig config;
    private final SinkMetrics metrics;
    private final CqlSession session;
    private final PreparedStatement upsert;
    private final Semaphore slots;
    private final ScheduledExecutorService retryScheduler;
    private final AtomicReference<CassandraSinkException> failure = new AtomicReference<>();
    private final AtomicBoolean degraded = new AtomicBoolean();
    private final AtomicLong lastWarnNanos = new AtomicLong();
    private final AtomicLong outageStartNanos = new AtomicLong();
    private final AtomicLong outageFailures = new AtomicLong();
    private final AtomicLong resultsWritten = new AtomicLong();
    private final AtomicLong retries = new AtomicLong();
    /** Set by the task thread on close; read by completions, which then stop retrying. */
    private volatile boolean closed;

    private CassandraSink(CassandraSinkConfig config, SinkMetrics metrics, CqlSession session, PreparedStatement upsert) {
        this.config = config;
        this.metrics = metrics;
        this.session = session;
        this.upsert = upsert;
        this.slots = new Semaphore(config.maxInFlight());
        this.retryScheduler = Executors.newSingleThreadScheduledExecutor(r -> {
            Thread t = new Thread(r, "flinklite-cassandra-retry");
            t.setDaemon(true);
            return t;
        });
    }

    /** As {@link #open(CassandraSinkConfig, SinkMetrics)} without metrics. */
    public static CassandraSink open(CassandraSinkConfig config) {
        return open(config, SinkMetrics.NONE);
    }

    /**
     * Connects, prepares the keyspace and table and the upsert.
     *
     * @throws CassandraSinkException with a message naming the contact points, the user (never the password), the
     *                                keyspace or table and the server's reason
     */
    public static CassandraSink open(CassandraSinkConfig config, SinkMetrics metrics) {
        Objects.requireNonNull(metrics, "metrics");
        CqlSession session = connect(config);
        try {
            checkLocalDc(session, config);
            CassandraTable.prepare(session, config);
            PreparedStatement upsert = session.prepare(CassandraTable.upsertCql(config.qualifiedTable()));
            LOG.log(System.Logger.Level.INFO, "writing results to Cassandra table {0} at {1} (local data centre {2},"
                    + " consistency {3}, at most {4} writes in flight)", config.qualifiedTable(),
                    config.contactPointsText(), config.localDc(), config.consistency(),
                    Integer.toString(config.maxInFlight()));
            return new CassandraSink(config, metrics, session, upsert);
        } catch (RuntimeException e) {
            session.close();
            if (e instanceof CassandraSinkException) {
                throw e;
            }
            throw new CassandraSinkException("cannot prepare table " + config.qualifiedTable() + " at "
                    + config.contactPointsText() + ": " + describe(e), e);
        }
    }

    /** Sends {@code result}; waits first when {@link CassandraSinkConfig#maxInFlight()} writes are unacknowledged. */
    @Override
    public void write(WindowResult result) {
        checkOpen();
        throwIfFailed();
        acquire(1);
        // Typed setters, not bind(Object...): no boxing. The statement and its encoded values are the driver's own
        // per-request objects; a network round trip per result dwarfs them (see bin/bench sinks).
        BoundStatementBuilder b = upsert.boundStatementBuilder()
                .setString(0, result.key())
                .setLong(1, result.windowStart())
                .setLong(2, result.windowEnd())
                .setLong(3, result.count());
        // As in the JSON and PostgreSQL outputs: no value, or one that is not a number, is null.
        if (result.hasValue() && Double.isFinite(result.value())) {
            b.setDouble(4, result.value());
        } else {
            b.setToNull(4);
        }
        send(b.build(), 1, 0L);
    }

    /** Returns once every write sent so far is acknowledged; throws when one of them failed for good. */
    @Override
    public void flush() {
        checkOpen();
        throwIfFailed();
        acquire(config.maxInFlight());
        slots.release(config.maxInFlight());
        throwIfFailed();
    }

    /**
     * Flushes, then closes the session. After a write that failed for good the outstanding writes are not waited for:
     * they were not covered by a checkpoint and are written again by the restarted job.
     */
    @Override
    public void close() {
        if (closed) {
            return;
        }
        try {
            if (failure.get() == null) {
                flush();
            } else {
                LOG.log(System.Logger.Level.WARNING, "closing after a failed write to {0}; the restarted job writes the"
                        + " results again", config.qualifiedTable());
            }
        } finally {
            closed = true;
            retryScheduler.shutdownNow();
            session.close();
        }
    }

    /** Results acknowledged by Cassandra. Any thread. */
    public long resultsWritten() { return resultsWritten.get(); }

    /** Failed writes that were sent again. Any thread. */
    public long retries() { return retries.get(); }

    public CassandraSinkConfig config() { return config; }

    /** Sends one write; on completion frees its slot, or retries it, or records the failure. Any thread. */
    private void send(BoundStatement statement, int attempt, long firstFailureNanos) {
        session.executeAsync(statement).whenComplete((rs, error) -> {
            if (error == null) {
                resultsWritten.incrementAndGet();
                if (attempt > 1 && degraded.compareAndSet(true, false)) {
                    LOG.log(System.Logger.Level.INFO, "writes to {0} succeeded after {1} attempts ({2} failed attempts"
                            + " in all over {3})", config.qualifiedTable(), Integer.toString(attempt),
                            Long.toString(outageFailures.getAndSet(0)),
                            String.format(java.util.Locale.ROOT, "%.1f s",
                                    (System.nanoTime() - outageStartNanos.get()) / 1e9));
                }
                slots.release();
                return;
            }
            onFailure(statement, attempt, firstFailureNanos, unwrap(error));
        });
    }

    private void onFailure(BoundStatement statement, int attempt, long firstFailureNanos, Throwable error) {
        metrics.failedAttempt();
        long now = System.nanoTime();
        long first = attempt == 1 ? now : firstFailureNanos;
        long delayMs = Backoff.delayMs(attempt);
        boolean withinBudget = now + TimeUnit.MILLISECONDS.toNanos(delayMs) - first
                <= TimeUnit.MILLISECONDS.toNanos(config.retryTimeoutMs());
        if (!isTransient(error) || !withinBudget || closed) {
            metrics.gaveUp();
            String reason = describe(error);
            failure.compareAndSet(null, new CassandraSinkException(isTransient(error)
                    ? "Cassandra at " + config.contactPointsText() + " still failing writes to " + config.qualifiedTable()
                    + " after " + attempt + " attempts over " + Durations.format(config.retryTimeoutMs()) + " ("
                    + CassandraSinkConfig.RETRY_TIMEOUT + "); last error: " + reason
                    : "writing to " + config.qualifiedTable() + " at " + config.contactPointsText() + " failed: " + reason,
                    error));
            slots.release();
            return;
        }
        metrics.retried();
        retries.incrementAndGet();
        outageFailures.incrementAndGet();
        if (degraded.compareAndSet(false, true)) {
            outageStartNanos.set(now);
            lastWarnNanos.set(now);
            LOG.log(System.Logger.Level.WARNING, "writing to {0} failed: {1}; retrying (each write for up to {2})",
                    config.qualifiedTable(), describe(error), Durations.format(config.retryTimeoutMs()));
        } else {
            long last = lastWarnNanos.get();
            if (now - last >= WARN_INTERVAL_NANOS && lastWarnNanos.compareAndSet(last, now)) {
                LOG.log(System.Logger.Level.WARNING, "writes to {0} still failing ({1} failed attempts so far): {2};"
                        + " retrying", config.qualifiedTable(), Long.toString(outageFailures.get()), describe(error));
            }
        }
        try {
            retryScheduler.schedule(() -> send(statement, attempt + 1, first), delayMs, TimeUnit.MILLISECONDS);
        } catch (java.util.concurrent.RejectedExecutionException e) {
            // Closing: the write is abandoned like any other unfinished one.
            slots.release();
        }
    }

    private void acquire(int permits) {
        // Every write ends (acknowledged, or failed for good after the retry budget) within about the budget plus
        // one request timeout and one backoff; waiting much longer means something else is wrong.
        long waitMs = config.retryTimeoutMs() + 2 * config.requestTimeoutMs() + Backoff.MAX_MS + 30_000;
        try {
            if (!slots.tryAcquire(permits, waitMs, TimeUnit.MILLISECONDS)) {
                throwIfFailed();
                throw new CassandraSinkException("writes to " + config.qualifiedTable() + " at "
                        + config.contactPointsText() + " not acknowledged within " + Durations.format(waitMs));
            }
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new CassandraSinkException("interrupted while waiting for writes to Cassandra", e);
        }
    }

    private void throwIfFailed() {
        CassandraSinkException e = failure.get();
        if (e != null) {
            throw new CassandraSinkException(e.getMessage(), e);
        }
    }

    private void checkOpen() {
        if (closed) {
            throw new IllegalStateException("the Cassandra sink is closed");
        }
    }

    /**
     * Failures that a later attempt can get past: timeouts, too few live replicas, an overloaded or starting
     * coordinator, lost connections, no node reachable (a restart). Anything else (a schema change, permissions, a
     * bad value) fails the same way again.
     */
    static boolean isTransient(Throwable e) {
        if (e instanceof WriteTimeoutException || e instanceof UnavailableException || e instanceof OverloadedException
                || e instanceof BootstrappingException || e instanceof DriverTimeoutException
                || e instanceof ClosedConnectionException || e instanceof HeartbeatException
                || e instanceof NoNodeAvailableException) {
            return true;
        }
        if (e instanceof AllNodesFailedException) {
            for (List<Throwable> errors : ((AllNodesFailedException) e).getAllErrors().values()) {
                for (Throwable t : errors) {
                    if (!isTransient(t)) {
                        return false;
                    }
                }
            }
            return true;
        }
        return e instanceof java.io.IOException
                || (e instanceof DriverException && e.getCause() instanceof java.io.IOException);
    }

    private static Throwable unwrap(Throwable e) {
        while (e instanceof CompletionException && e.getCause() != null) {
            e = e.getCause();
        }
        return e;
    }

    private static CqlSession connect(CassandraSinkConfig config) {
        DriverConfigLoader loader = DriverConfigLoader.programmaticBuilder()
                .withDuration(DefaultDriverOption.CONNECTION_CONNECT_TIMEOUT, Duration.ofMillis(config.connectTimeoutMs()))
                .withDuration(DefaultDriverOption.CONNECTION_INIT_QUERY_TIMEOUT,
                        Duration.ofMillis(config.connectTimeoutMs()))
                .withDuration(DefaultDriverOption.CONTROL_CONNECTION_TIMEOUT, Duration.ofMillis(config.connectTimeoutMs()))
                .withDuration(DefaultDriverOption.REQUEST_TIMEOUT, Duration.ofMillis(config.requestTimeoutMs()))
                .withString(DefaultDriverOption.REQUEST_CONSISTENCY, config.consistency())
                // Every write is an upsert of the same row: safe to send again, to the driver as to this sink.
                .withBoolean(DefaultDriverOption.REQUEST_DEFAULT_IDEMPOTENCE, true)
                // After a restart, reconnect within seconds: the driver's default waits up to 60 s between tries, longer
                // than the retry budget's backoff.
                .withDuration(DefaultDriverOption.RECONNECTION_BASE_DELAY, Duration.ofMillis(200))
                .withDuration(DefaultDriverOption.RECONNECTION_MAX_DELAY, Duration.ofSeconds(2))
                .withDuration(DefaultDriverOption.METADATA_SCHEMA_REQUEST_TIMEOUT,
                        Duration.ofMillis(Math.max(config.requestTimeoutMs(), config.connectTimeoutMs())))
                .withDuration(DefaultDriverOption.CONTROL_CONNECTION_AGREEMENT_TIMEOUT, Duration.ofSeconds(30))
                .withDuration(DefaultDriverOption.CONNECTION_SET_KEYSPACE_TIMEOUT, Duration.ofMillis(config.connectTimeoutMs()))
                .build();
        CqlSessionBuilder builder = CqlSession.builder()
                .addContactPoints(config.contactPoints())
                .withLocalDatacenter(config.localDc())
                .withConfigLoader(loader);
        if (config.user() != null) {
            builder.withAuthCredentials(config.user(), config.password());
        }
        try {
            return builder.build();
        } catch (RuntimeException e) {
            throw new CassandraSinkException(connectFailure(config, e), e);
        }
    }

    private static String connectFailure(CassandraSinkConfig config, RuntimeException e) {
        Throwable auth = find(e, AuthenticationException.class);
        if (auth != null) {
            if (config.user() == null) {
                return "Cassandra at " + config.contactPointsText() + " requires a user and password: set "
                        + CassandraSinkConfig.USER + " (or FLINKLITE_CASSANDRA_USER) and FLINKLITE_CASSANDRA_PASSWORD (or "
                        + CassandraSinkConfig.PASSWORD + " in the config file)";
            }
            return "Cassandra at " + config.contactPointsText() + " refused the credentials of user '" + config.user()
                    + "' (check FLINKLITE_CASSANDRA_USER / FLINKLITE_CASSANDRA_PASSWORD or the config file)";
        }
        return "cannot reach Cassandra at " + config.contactPointsText() + " within "
                + Durations.format(config.connectTimeoutMs()) + ": " + describe(e) + "; is a node running there? (set "
                + CassandraSinkConfig.CONTACT_POINTS + ", or " + CassandraSinkConfig.CONNECT_TIMEOUT + " to wait longer)";
    }

    private static void checkLocalDc(CqlSession session, CassandraSinkConfig config) {
        TreeSet<String> dcs = new TreeSet<>();
        for (Node node : session.getMetadata().getNodes().values()) {
            if (node.getDatacenter() != null) {
                dcs.add(node.getDatacenter());
            }
        }
        if (!dcs.isEmpty() && !dcs.contains(config.localDc())) {
            throw new CassandraSinkException("Cassandra at " + config.contactPointsText() + " has no data centre '"
                    + config.localDc() + "' (" + CassandraSinkConfig.LOCAL_DC + "); its data centres: "
                    + String.join(", ", dcs));
        }
    }

    private static <T extends Throwable> T find(Throwable e, Class<T> type) {
        for (Throwable t = e; t != null; t = t.getCause()) {
            if (type.isInstance(t)) {
                return type.cast(t);
            }
            if (t instanceof AllNodesFailedException) {
                for (List<Throwable> errors : ((AllNodesFailedException) t).getAllErrors().values()) {
                    for (Throwable inner : errors) {
                        T found = find(inner, type);
                        if (found != null) {
                            return found;
                        }
                    }
                }
            }
        }
        return null;
    }

    /**
     * One line: the error's message; for "all nodes failed" the first node's reason, down to the network's own
     * ("Connection refused") rather than the driver's wrapping of it.
     */
    static String describe(Throwable e) {
        Throwable t = unwrap(e);
        if (t instanceof AllNodesFailedException) {
            for (List<Throwable> errors : ((AllNodesFailedException) t).getAllErrors().values()) {
                if (!errors.isEmpty()) {
                    return oneLine(networkCause(errors.get(0)));
                }
            }
            return t instanceof NoNodeAvailableException ? "no node available" : oneLine(t);
        }
        return oneLine(t);
    }

    /** The innermost {@link java.io.IOException} under {@code t} (a refused or reset connection), else {@code t}. */
    private static Throwable networkCause(Throwable t) {
        Throwable found = t;
        for (Throwable c = t.getCause(); c != null && c != c.getCause(); c = c.getCause()) {
            if (c instanceof java.io.IOException && c.getMessage() != null) {
                found = c;
            }
        }
        return found;
    }

    private static String oneLine(Throwable t) {
        String message = t.getMessage();
        if (message == null || message.isBlank()) {
            Throwable cause = t.getCause();
            message = cause != null && cause.getMessage() != null ? cause.getMessage() : t.getClass().getSimpleName();
        }
        int newline = message.indexOf('\n');
        return newline < 0 ? message : message.substring(0, newline);
    }
}
