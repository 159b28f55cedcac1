package io.flinklite.connector.jdbc;

import io.flinklite.job.Durations;

import java.util.LinkedHashMap;
import java.util.Locale;
import java.util.Map;
import java.util.Objects;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * Where and how {@link JdbcSink} writes: the PostgreSQL URL, the table, the credentials, the job name that goes into
 * every row, the batch size and the retry budget. Immutable; validated when built, so a bad value fails at start-up
 * with a message that names it, never at the first write.
 *
 * <p>Credentials come from, in order: the {@code jdbc-user} / {@code jdbc-password} keys, the environment variables
 * {@code FLINKLITE_JDBC_USER} / {@code FLINKLITE_JDBC_PASSWORD}, then libpq's {@code PGUSER} / {@code PGPASSWORD}.
 * A password may also be given as a {@code password=} parameter of the URL. The password is never printed:
 * {@link #toString()} and {@link #maskedUrl()} replace it with {@code ****}.
 */
public final class JdbcSinkConfig {

    /** The keys {@link #from(Map)} reads; they are the {@code run} command's flag names without the dashes. */
    public static final String URL = "jdbc-url";
    public static final String TABLE = "jdbc-table";
    public static final String USER = "jdbc-user";
    public static final String PASSWORD = "jdbc-password";
    public static final String JOB_NAME = "jdbc-job-name";
    public static final String BATCH_SIZE = "jdbc-batch-size";
    public static final String RETRY_TIMEOUT = "jdbc-retry-timeout";
    public static final String CONNECT_TIMEOUT = "jdbc-connect-timeout";

    public static final String DEFAULT_TABLE = "flinklite_results";
    public static final String DEFAULT_JOB_NAME = "flinklite";
    public static final int DEFAULT_BATCH_SIZE = 500;
    public static final long DEFAULT_RETRY_TIMEOUT_MS = 60_000;
    public static final long DEFAULT_CONNECT_TIMEOUT_MS = 10_000;

    private static final String URL_PREFIX = "jdbc:postgresql:";
    /** One SQL identifier as PostgreSQL reads it unquoted: folded to lower case, at most 63 bytes. */
    private static final Pattern IDENTIFIER = Pattern.compile("[a-z_][a-z0-9_$]{0,62}");
    /** A {@code password=...} URL parameter, up to the next {@code &}. */
    private static final Pattern URL_PASSWORD = Pattern.compile("(?i)([?&]password=)[^&]*");

    private final String url;
    private final String schema;
    private final String table;
    private final String user;
    private final String password;
    private final String jobName;
    private final int batchSize;
    private final long retryTimeoutMs;
    private final long connectTimeoutMs;

    private JdbcSinkConfig(Builder b) {
        this.url = validateUrl(b.url);
        String[] parts = parseTable(b.table);
        this.schema = parts[0];
        this.table = parts[1];
        this.user = emptyToNull(b.user);
        this.password = emptyToNull(b.password);
        if (b.jobName == null || b.jobName.isBlank()) {
            throw new IllegalArgumentException(JOB_NAME + " must not be empty");
        }
        this.jobName = b.jobName;
        if (b.batchSize < 1) {
            throw new IllegalArgumentException(BATCH_SIZE + " must be at least 1, got " + b.batchSize);
        }
        this.batchSize = b.batchSize;
        if (b.retryTimeoutMs < 0) {
            throw new IllegalArgumentException(RETRY_TIMEOUT + " must not be negative, got " + b.retryTimeoutMs + " ms");
        }
        this.retryTimeoutMs = b.retryTimeoutMs;
        if (b.connectTimeoutMs < 1_000) {
            // The driver counts its timeouts in whole seconds; below one second would mean "no timeout".
            throw new IllegalArgumentException(CONNECT_TIMEOUT + " must be at least 1s, got "
                    + Durations.format(b.connectTimeoutMs));
        }
        this.connectTimeoutMs = b.connectTimeoutMs;
    }

    /** A builder with the defaults; only the URL is required. */
    public static Builder builder(String url) {
        return new Builder(url);
    }

    /**
     * Builds a config from {@code jdbc-*} keys (other keys are ignored, so a whole command-line map may be passed),
     * falling back to the process environment for credentials.
     *
     * @throws IllegalArgumentException naming the offending key and value (never a password)
     */
    public static JdbcSinkConfig from(Map<String, String> config) {
        return from(config, System.getenv());
    }

    /** As {@link #from(Map)}, reading credentials from {@code env} instead of the process environment. */
    public static JdbcSinkConfig from(Map<String, String> config, Map<String, String> env) {
        for (String key : config.keySet()) {
            if (key.startsWith("jdbc-") && !isKnownKey(key)) {
                throw new IllegalArgumentException("unknown setting '" + key + "': expected one of " + URL + ", " + TABLE
                        + ", " + USER + ", " + PASSWORD + ", " + JOB_NAME + ", " + BATCH_SIZE + ", " + RETRY_TIMEOUT
                        + ", " + CONNECT_TIMEOUT);
            }
        }
        String url = config.get(URL);
        if (url == null || url.isBlank()) {
            throw new IllegalArgumentException(URL + " is required, e.g. jdbc:postgresql://localhost:5432/mydb");
        }
        Builder b = builder(url.trim());
        String table = config.get(TABLE);
        if (table != null) {
            b.table(table);
        }
        b.user(firstSet(config.get(USER), env.get("FLINKLITE_JDBC_USER"), env.get("PGUSER")));
        b.password(firstSet(config.get(PASSWORD), env.get("FLINKLITE_JDBC_PASSWORD"), env.get("PGPASSWORD")));
        String jobName = config.get(JOB_NAME);
        if (jobName != null) {
            b.jobName(jobName);
        }
        String batchSize = config.get(BATCH_SIZE);
        if (batchSize != null) {
            try {
                b.batchSize(Integer.parseInt(batchSize.trim()));
            } catch (NumberFormatException e) {
                throw new IllegalArgumentException("bad " + BATCH_SIZE + " '" + batchSize + "': expected a whole number");
            }
        }
        String retry = config.get(RETRY_TIMEOUT);
        if (retry != null) {
            b.retryTimeoutMs(Durations.parseMillis(retry));
        }
        String connect = config.get(CONNECT_TIMEOUT);
        if (connect != null) {
            b.connectTimeoutMs(Durations.parseMillis(connect));
        }
        return b.build();
    }

    private static boolean isKnownKey(String key) {
        switch (key) {
            case URL: case TABLE: case USER: case PASSWORD: case JOB_NAME: case BATCH_SIZE: case RETRY_TIMEOUT:
            case CONNECT_TIMEOUT:
                return true;
            default:
                return false;
        }
    }

    private static String firstSet(String... candidates) {
        for (String c : candidates) {
            if (c != null && !c.isEmpty()) {
                return c;
            }
        }
        return null;
    }

    private static String emptyToNull(String s) {
        return s == null || s.isEmpty() ? null : s;
    }

    private static String validateUrl(String url) {
        if (url == null || !url.startsWith(URL_PREFIX) || url.length() == URL_PREFIX.length()) {
            throw new IllegalArgumentException("bad JDBC URL '" + mask(url)
                    + "': expected jdbc:postgresql://HOST[:PORT]/DATABASE");
        }
        if (url.toLowerCase(Locale.ROOT).contains("rewritebatchedinserts=true")) {
            // The driver would merge a batch into one multi-row INSERT, which PostgreSQL refuses to upsert when the
            // same window appears twice in it (a late firing); plain batches already travel in one round trip.
            throw new IllegalArgumentException("bad JDBC URL '" + mask(url)
                    + "': reWriteBatchedInserts=true cannot be used with the upserting sink; remove it");
        }
        return url;
    }

    /**
     * Splits {@code [schema.]table} and validates each part as an unquoted SQL identifier. Like PostgreSQL itself,
     * upper-case letters are folded to lower case, so {@code Results} and {@code results} name the same table.
     *
     * @return {schema or null, table}
     */
    static String[] parseTable(String text) {
        if (text == null || text.isBlank()) {
            throw new IllegalArgumentException(TABLE + " must not be empty");
        }
        String folded = text.trim().toLowerCase(Locale.ROOT);
        int dot = folded.indexOf('.');
        String schema = dot < 0 ? null : folded.substring(0, dot);
        String table = dot < 0 ? folded : folded.substring(dot + 1);
        if ((schema != null && !IDENTIFIER.matcher(schema).matches()) || !IDENTIFIER.matcher(table).matches()) {
            throw new IllegalArgumentException("bad " + TABLE + " '" + text + "': expected [SCHEMA.]TABLE where each"
                    + " part is a letter or _ followed by up to 62 letters, digits or _");
        }
        return new String[] {schema, table};
    }

    /** {@code url} with the value of any {@code password=} parameter replaced by {@code ****}. */
    static String mask(String url) {
        if (url == null) {
            return null;
        }
        Matcher m = URL_PASSWORD.matcher(url);
        return m.replaceAll("$1****");
    }

    /** The JDBC URL, e.g. {@code jdbc:postgresql://localhost:5432/mydb}. May contain a password: never print it. */
    public String url() { return url; }

    /** {@link #url()} safe to print: any {@code password=} parameter masked. */
    public String maskedUrl() { return mask(url); }

    /** The schema, lower case, or {@code null} for the connection's search path. */
    public String schema() { return schema; }

    /** The table name, lower case. */
    public String table() { return table; }

    /** {@code "schema"."table"} or {@code "table"}: safe to splice into SQL, because both parts were validated. */
    public String quotedTable() {
        return schema == null ? '"' + table + '"' : '"' + schema + "\".\"" + table + '"';
    }

    /** The table as the user would type it: {@code schema.table} or {@code table}. */
    public String qualifiedTable() {
        return schema == null ? table : schema + '.' + table;
    }

    /** The database user, or {@code null} to let the URL or the driver decide. */
    public String user() { return user; }

    /** The password, or {@code null}. Never print it. */
    public String password() { return password; }

    /** The value of the {@code job} column of every row this sink writes. */
    public String jobName() { return jobName; }

    /** How many results {@link JdbcSink#write} buffers before it writes them as one transaction. */
    public int batchSize() { return batchSize; }

    /** How long one batch is retried after transient errors (lost connection, database restarting) before failing. */
    public long retryTimeoutMs() { return retryTimeoutMs; }

    /** How long connecting may take before it counts as a failure. */
    public long connectTimeoutMs() { return connectTimeoutMs; }

    /** Every setting, with the password masked: safe to log. */
    public Map<String, String> describe() {
        Map<String, String> out = new LinkedHashMap<>();
        out.put(URL, maskedUrl());
        out.put(TABLE, qualifiedTable());
        out.put(USER, user == null ? "(from URL or driver default)" : user);
        out.put(PASSWORD, password == null ? "(none)" : "****");
        out.put(JOB_NAME, jobName);
        out.put(BATCH_SIZE, Integer.toString(batchSize));
        out.put(RETRY_TIMEOUT, Durations.format(retryTimeoutMs));
        out.put(CONNECT_TIMEOUT, Durations.format(connectTimeoutMs));
        return out;
    }

    /** Safe to log: the password is masked. */
    @Override
    public String toString() {
        return "JdbcSinkConfig" + describe();
    }

    /** Collects settings for {@link JdbcSinkConfig}; {@link #build()} validates them. */
    public static final class Builder {
        private final String url;
        private String table = DEFAULT_TABLE;
        private String user;
        private String password;
        private String jobName = DEFAULT_JOB_NAME;
        private int batchSize = DEFAULT_BATCH_SIZE;
        private long retryTimeoutMs = DEFAULT_RETRY_TIMEOUT_MS;
        private long connectTimeoutMs = DEFAULT_CONNECT_TIMEOUT_MS;

        private Builder(String url) {
            this.url = url;
        }

        /** {@code [schema.]table}; default {@value JdbcSinkConfig#DEFAULT_TABLE}. */
        public Builder table(String t) { this.table = Objects.requireNonNull(t, "table"); return this; }
        public Builder user(String u) { this.user = u; return this; }
        public Builder password(String p) { this.password = p; return this; }
        /** Default {@value JdbcSinkConfig#DEFAULT_JOB_NAME}. */
        public Builder jobName(String j) { this.jobName = j; return this; }
        /** Default {@value JdbcSinkConfig#DEFAULT_BATCH_SIZE}. */
        public Builder batchSize(int n) { this.batchSize = n; return this; }
        /** Default 60 s; 0 means fail on the first error. */
        public Builder retryTimeoutMs(long ms) { this.retryTimeoutMs = ms; return this; }
        /** Default 10 s. */
        public Builder connectTimeoutMs(long ms) { this.connectTimeoutMs = ms; return this; }

        /** @throws IllegalArgumentException naming the offending setting */
        public JdbcSinkConfig build() {
            return new JdbcSinkConfig(this);
        }
    }
}
