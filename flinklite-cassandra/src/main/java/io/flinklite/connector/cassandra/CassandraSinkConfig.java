package io.flinklite.connector.cassandra;

import io.flinklite.job.Durations;
import io.flinklite.sink.SinkSettings;

import java.net.InetSocketAddress;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Set;
import java.util.regex.Pattern;

/**
 * Where and how {@link CassandraSink} writes: contact points, local data centre, keyspace and table, whether to create
 * them, the replication of a created keyspace, the consistency level, credentials, the in-flight bound and the retry
 * budget. Immutable; validated when built, so a bad value fails at start-up with a message naming it.
 *
 * <p>The keys are the {@code run} flags without dashes ({@link #CONTACT_POINTS} ...). Credentials come from the
 * {@code cassandra-user} / {@code cassandra-password} settings, which the app fills from the config file or the
 * environment ({@code FLINKLITE_CASSANDRA_USER}, {@code FLINKLITE_CASSANDRA_PASSWORD}); the password has no flag and is
 * never printed ({@link #describe()} masks it).
 */
public final class CassandraSinkConfig {

    public static final String CONTACT_POINTS = "cassandra-contact-points";
    public static final String LOCAL_DC = "cassandra-local-dc";
    public static final String KEYSPACE = "cassandra-keyspace";
    public static final String TABLE = "cassandra-table";
    public static final String CREATE_TABLE = "cassandra-create-table";
    public static final String REPLICATION = "cassandra-replication";
    public static final String CONSISTENCY = "cassandra-consistency";
    public static final String USER = "cassandra-user";
    public static final String PASSWORD = "cassandra-password";
    public static final String MAX_IN_FLIGHT = "cassandra-max-in-flight";
    public static final String RETRY_TIMEOUT = "cassandra-retry-timeout";
    public static final String REQUEST_TIMEOUT = "cassandra-request-timeout";
    public static final String CONNECT_TIMEOUT = "cassandra-connect-timeout";

    public static final int DEFAULT_PORT = 9042;
    /** The data centre name of a node with Cassandra's default snitch. */
    public static final String DEFAULT_LOCAL_DC = "datacenter1";
    public static final String DEFAULT_KEYSPACE = "flinklite";
    public static final String DEFAULT_TABLE = "flinklite_results";
    /** A created keyspace: SimpleStrategy with this replication factor, unless {@link #REPLICATION} says otherwise. */
    public static final String DEFAULT_REPLICATION = "1";
    public static final String DEFAULT_CONSISTENCY = "LOCAL_QUORUM";
    public static final int DEFAULT_MAX_IN_FLIGHT = 128;
    public static final long DEFAULT_RETRY_TIMEOUT_MS = 60_000;
    public static final long DEFAULT_REQUEST_TIMEOUT_MS = 5_000;
    public static final long DEFAULT_CONNECT_TIMEOUT_MS = 10_000;

    /** The driver's names of the consistency levels a write may use. */
    static final Set<String> WRITE_CONSISTENCIES = Set.of("ANY", "ONE", "TWO", "THREE", "QUORUM", "ALL", "LOCAL_QUORUM",
            "EACH_QUORUM", "LOCAL_ONE");
    /** An unquoted CQL identifier: folded to lower case, at most 48 characters (Cassandra's limit for names). */
    private static final Pattern IDENTIFIER = Pattern.compile("[a-z][a-z0-9_]{0,47}");
    private static final Pattern DC_FACTOR = Pattern.compile("([A-Za-z0-9_.-]+)=([1-9][0-9]?)");

    private final List<InetSocketAddress> contactPoints;
    private final String contactPointsText;
    private final String localDc;
    private final String keyspace;
    private final String table;
    private final boolean createTable;
    private final String replicationCql;
    private final String replicationText;
    private final String consistency;
    private final String user;
    private final String password;
    private final int maxInFlight;
    private final long retryTimeoutMs;
    private final long requestTimeoutMs;
    private final long connectTimeoutMs;

    private CassandraSinkConfig(Map<String, String> s) {
        String points = s.get(CONTACT_POINTS);
        if (points == null || points.isBlank()) {
            throw new IllegalArgumentException(CONTACT_POINTS + " is required, e.g. db1:9042,db2:9042");
        }
        this.contactPointsText = points.trim();
        this.contactPoints = parseContactPoints(contactPointsText);
        this.localDc = orDefault(s.get(LOCAL_DC), DEFAULT_LOCAL_DC);
        this.keyspace = identifier(KEYSPACE, orDefault(s.get(KEYSPACE), DEFAULT_KEYSPACE));
        this.table = identifier(TABLE, orDefault(s.get(TABLE), DEFAULT_TABLE));
        String create = orDefault(s.get(CREATE_TABLE), "false").toLowerCase(Locale.ROOT);
        if (!create.equals("true") && !create.equals("false")) {
            throw new IllegalArgumentException("bad " + CREATE_TABLE + " '" + create + "': expected true or false");
        }
        this.createTable = create.equals("true");
        this.replicationText = orDefault(s.get(REPLICATION), DEFAULT_REPLICATION);
        this.replicationCql = replicationCql(replicationText);
        this.consistency = orDefault(s.get(CONSISTENCY), DEFAULT_CONSISTENCY).toUpperCase(Locale.ROOT);
        if (!WRITE_CONSISTENCIES.contains(consistency)) {
            throw new IllegalArgumentException("bad " + CONSISTENCY + " '" + consistency + "': expected one of "
                    + String.join(", ", new java.util.TreeSet<>(WRITE_CONSISTENCIES)));
        }
        this.user = emptyToNull(s.get(USER));
        this.password = emptyToNull(s.get(PASSWORD));
        if ((user == null) != (password == null)) {
            throw new IllegalArgumentException(user == null
                    ? "a Cassandra password is set but no user: set " + USER + " (or FLINKLITE_CASSANDRA_USER)"
                    : "Cassandra user '" + user + "' has no password: set FLINKLITE_CASSANDRA_PASSWORD (or "
                    + PASSWORD + " in the config file)");
        }
        this.maxInFlight = positiveInt(MAX_IN_FLIGHT, orDefault(s.get(MAX_IN_FLIGHT),
                Integer.toString(DEFAULT_MAX_IN_FLIGHT)), 32_768);
        this.retryTimeoutMs = duration(RETRY_TIMEOUT, s.get(RETRY_TIMEOUT), DEFAULT_RETRY_TIMEOUT_MS, 0);
        this.requestTimeoutMs = duration(REQUEST_TIMEOUT, s.get(REQUEST_TIMEOUT), DEFAULT_REQUEST_TIMEOUT_MS, 100);
        this.connectTimeoutMs = duration(CONNECT_TIMEOUT, s.get(CONNECT_TIMEOUT), DEFAULT_CONNECT_TIMEOUT_MS, 100);
    }

    /**
     * The configuration the {@code cassandra-*} settings describe.
     *
     * @throws IllegalArgumentException naming the offending setting and value (never the password)
     */
    public static CassandraSinkConfig from(Map<String, String> settings) {
        return new CassandraSinkConfig(settings);
    }

    /** As {@link #from(Map)}, from a plug-in's settings. */
    static CassandraSinkConfig from(SinkSettings settings) {
        return new CassandraSinkConfig(settings.values());
    }

    static List<InetSocketAddress> parseContactPoints(String text) {
        List<InetSocketAddress> out = new ArrayList<>();
        for (String part : text.split(",")) {
            String p = part.trim();
            if (p.isEmpty()) {
                continue;
            }
            String host = p;
            int port = DEFAULT_PORT;
            int colon = p.lastIndexOf(':');
            if (colon >= 0 && p.indexOf(':') == colon) { // one colon: HOST:PORT (an IPv6 address needs [..]:PORT)
                host = p.substring(0, colon);
                port = port(p, p.substring(colon + 1));
            } else if (p.startsWith("[") && p.contains("]:")) {
                host = p.substring(1, p.indexOf(']'));
                port = port(p, p.substring(p.indexOf("]:") + 2));
            }
            if (host.isBlank()) {
                throw new IllegalArgumentException("bad " + CONTACT_POINTS + " entry '" + p + "': expected HOST:PORT");
            }
            // Unresolved: the driver resolves it when connecting, so a typo is reported as unreachable with the name.
            out.add(InetSocketAddress.createUnresolved(host, port));
        }
        if (out.isEmpty()) {
            throw new IllegalArgumentException("bad " + CONTACT_POINTS + " '" + text + "': expected HOST:PORT[,...]");
        }
        return List.copyOf(out);
    }

    private static int port(String entry, String text) {
        try {
            int port = Integer.parseInt(text);
            if (port >= 1 && port <= 65_535) {
                return port;
            }
        } catch (NumberFormatException ignored) {
            // Reported below.
        }
        throw new IllegalArgumentException("bad " + CONTACT_POINTS + " entry '" + entry + "': the port must be 1-65535");
    }

    /**
     * {@code N} is SimpleStrategy with replication factor N; {@code DC=N[,DC=N...]} is NetworkTopologyStrategy.
     *
     * @return the CQL map for {@code WITH replication = ...}
     */
    static String replicationCql(String text) {
        String t = text.trim();
        if (t.matches("[1-9][0-9]?")) {
            return "{'class': 'SimpleStrategy', 'replication_factor': " + t + "}";
        }
        StringBuilder cql = new StringBuilder("{'class': 'NetworkTopologyStrategy'");
        for (String part : t.split(",")) {
            java.util.regex.Matcher m = DC_FACTOR.matcher(part.trim());
            if (!m.matches()) {
                throw new IllegalArgumentException("bad " + REPLICATION + " '" + text + "': expected a replication factor"
                        + " (SimpleStrategy, e.g. 3) or DC=N[,DC=N...] (NetworkTopologyStrategy, e.g. dc1=3,dc2=2)");
            }
            cql.append(", '").append(m.group(1)).append("': ").append(m.group(2));
        }
        return cql.append('}').toString();
    }

    private static String identifier(String key, String value) {
        String folded = value.trim().toLowerCase(Locale.ROOT);
        if (!IDENTIFIER.matcher(folded).matches()) {
            throw new IllegalArgumentException("bad " + key + " '" + value + "': expected a letter followed by up to 47"
                    + " letters, digits or _");
        }
        return folded;
    }

    private static int positiveInt(String key, String text, int max) {
        try {
            int n = Integer.parseInt(text.trim());
            if (n >= 1 && n <= max) {
                return n;
            }
        } catch (NumberFormatException ignored) {
            // Reported below.
        }
        throw new IllegalArgumentException("bad " + key + " '" + text + "': expected a whole number from 1 to " + max);
    }

    private static long duration(String key, String text, long defaultMs, long minMs) {
        if (text == null || text.isBlank()) {
            return defaultMs;
        }
        long ms;
        try {
            ms = Durations.parseMillis(text.trim());
        } catch (IllegalArgumentException e) {
            throw new IllegalArgumentException("bad " + key + " '" + text + "': " + e.getMessage(), e);
        }
        if (ms < minMs) {
            throw new IllegalArgumentException("bad " + key + " '" + text + "': must be at least "
                    + Durations.format(minMs));
        }
        return ms;
    }

    private static String orDefault(String value, String defaultValue) {
        return value == null || value.isBlank() ? defaultValue : value.trim();
    }

    private static String emptyToNull(String s) {
        return s == null || s.isEmpty() ? null : s;
    }

    public List<InetSocketAddress> contactPoints() { return contactPoints; }

    /** The contact points as given, for messages. */
    public String contactPointsText() { return contactPointsText; }

    public String localDc() { return localDc; }

    public String keyspace() { return keyspace; }

    public String table() { return table; }

    /** {@code keyspace.table}, both validated identifiers: safe to splice into CQL. */
    public String qualifiedTable() { return keyspace + '.' + table; }

    /** Create the keyspace and the table when missing. */
    public boolean createTable() { return createTable; }

    /** The CQL map a created keyspace gets. */
    public String replicationCql() { return replicationCql; }

    /** The driver's name of the consistency level of every write, e.g. {@code LOCAL_QUORUM}. */
    public String consistency() { return consistency; }

    /** The user, or {@code null} for a cluster without authentication. */
    public String user() { return user; }

    /** The password, or {@code null}. Never print it. */
    public String password() { return password; }

    /** Writes sent and not yet acknowledged (including those waiting to be retried), at most. */
    public int maxInFlight() { return maxInFlight; }

    /** How long one result is retried through timeouts and unavailable replicas before the job fails. */
    public long retryTimeoutMs() { return retryTimeoutMs; }

    /** How long one write may take before it counts as timed out (and is retried). */
    public long requestTimeoutMs() { return requestTimeoutMs; }

    /** How long connecting may take at start-up. */
    public long connectTimeoutMs() { return connectTimeoutMs; }

    /** Every setting, the password masked: safe to log. */
    public Map<String, String> describe() {
        Map<String, String> out = new LinkedHashMap<>();
        out.put(CONTACT_POINTS, contactPointsText);
        out.put(LOCAL_DC, localDc);
        out.put(KEYSPACE, keyspace);
        out.put(TABLE, table);
        out.put(CREATE_TABLE, Boolean.toString(createTable));
        out.put(REPLICATION, replicationText);
        out.put(CONSISTENCY, consistency);
        out.put(USER, user == null ? "(none)" : user);
        out.put(PASSWORD, password == null ? "(none)" : "****");
        out.put(MAX_IN_FLIGHT, Integer.toString(maxInFlight));
        out.put(RETRY_TIMEOUT, Durations.format(retryTimeoutMs));
        out.put(REQUEST_TIMEOUT, Durations.format(requestTimeoutMs));
        out.put(CONNECT_TIMEOUT, Durations.format(connectTimeoutMs));
        return out;
    }

    /** Safe to log: the password is masked. */
    @Override
    public String toString() {
        return "CassandraSinkConfig" + describe();
    }
}
