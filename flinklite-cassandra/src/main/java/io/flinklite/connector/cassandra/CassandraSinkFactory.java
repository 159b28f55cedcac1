package io.flinklite.connector.cassandra;

import io.flinklite.api.Sink;
import io.flinklite.api.WindowResult;
import io.flinklite.job.Durations;
import io.flinklite.sink.SinkFactory;
import io.flinklite.sink.SinkMetrics;
import io.flinklite.sink.SinkOption;
import io.flinklite.sink.SinkSettings;

import java.util.List;

/**
 * The Cassandra output as a {@code run} plug-in: with {@code --cassandra-contact-points}, window results are also
 * upserted into a Cassandra table ({@link CassandraSink}). Credentials come from the config file or the environment
 * ({@code FLINKLITE_CASSANDRA_USER}, {@code FLINKLITE_CASSANDRA_PASSWORD}); the password has no flag.
 */
public final class CassandraSinkFactory implements SinkFactory {

    @Override
    public String name() {
        return "cassandra";
    }

    @Override
    public List<SinkOption> options() {
        return List.of(
                SinkOption.of(CassandraSinkConfig.CONTACT_POINTS, "HOST:PORT[,...]", "Also write results to Cassandra"
                        + " through these nodes (port " + CassandraSinkConfig.DEFAULT_PORT + " when left out; default: no"
                        + " Cassandra output)."),
                SinkOption.of(CassandraSinkConfig.LOCAL_DC, "DC", "The data centre the contact points are in; writes go"
                        + " to its nodes (default: " + CassandraSinkConfig.DEFAULT_LOCAL_DC + ")."),
                SinkOption.of(CassandraSinkConfig.KEYSPACE, "KEYSPACE", "Keyspace of the results table (default: "
                        + CassandraSinkConfig.DEFAULT_KEYSPACE + ")."),
                SinkOption.of(CassandraSinkConfig.TABLE, "TABLE", "Table for the results, primary key (key, window_start,"
                        + " window_end) (default: " + CassandraSinkConfig.DEFAULT_TABLE + ")."),
                SinkOption.toggle(CassandraSinkConfig.CREATE_TABLE, "Create the keyspace and the table when missing"
                        + " (default: they must exist)."),
                SinkOption.of(CassandraSinkConfig.REPLICATION, "N|DC=N[,...]", "Replication of a keyspace that"
                        + " --cassandra-create-table creates: N for SimpleStrategy, DC=N,... for NetworkTopologyStrategy"
                        + " (default: " + CassandraSinkConfig.DEFAULT_REPLICATION + ")."),
                SinkOption.of(CassandraSinkConfig.CONSISTENCY, "LEVEL", "Consistency level of every write, e.g. ONE,"
                        + " QUORUM, LOCAL_QUORUM (default: " + CassandraSinkConfig.DEFAULT_CONSISTENCY + ")."),
                SinkOption.of(CassandraSinkConfig.USER, "USER", "User for password authentication (default:"
                        + " FLINKLITE_CASSANDRA_USER; none). The password comes from FLINKLITE_CASSANDRA_PASSWORD or"
                        + " cassandra-password in the config file."),
                SinkOption.secret(CassandraSinkConfig.PASSWORD, "Password (config file or environment only)."),
                SinkOption.of(CassandraSinkConfig.MAX_IN_FLIGHT, "N", "Writes sent and not yet acknowledged, at most"
                        + " (default: " + CassandraSinkConfig.DEFAULT_MAX_IN_FLIGHT + ")."),
                SinkOption.of(CassandraSinkConfig.RETRY_TIMEOUT, "DURATION", "How long a write is retried through"
                        + " timeouts, unavailable replicas and restarts before the job fails (default: "
                        + Durations.format(CassandraSinkConfig.DEFAULT_RETRY_TIMEOUT_MS) + ")."),
                SinkOption.of(CassandraSinkConfig.REQUEST_TIMEOUT, "DURATION", "How long one write may take before it"
                        + " is retried (default: " + Durations.format(CassandraSinkConfig.DEFAULT_REQUEST_TIMEOUT_MS)
                        + ")."),
                SinkOption.of(CassandraSinkConfig.CONNECT_TIMEOUT, "DURATION", "How long connecting to Cassandra may"
                        + " take at start-up (default: " + Durations.format(CassandraSinkConfig.DEFAULT_CONNECT_TIMEOUT_MS)
                        + ")."));
    }

    @Override
    public boolean requested(SinkSettings settings) {
        return settings.isSet(CassandraSinkConfig.CONTACT_POINTS);
    }

    @Override
    public Sink<WindowResult> open(SinkSettings settings, SinkMetrics metrics) {
        return CassandraSink.open(CassandraSinkConfig.from(settings), metrics);
    }
}
