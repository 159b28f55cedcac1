package io.flinklite.connector.cassandra;

import com.datastax.oss.driver.api.core.CqlIdentifier;
import com.datastax.oss.driver.api.core.CqlSession;
import com.datastax.oss.driver.api.core.metadata.schema.ColumnMetadata;
import com.datastax.oss.driver.api.core.metadata.schema.KeyspaceMetadata;
import com.datastax.oss.driver.api.core.metadata.schema.TableMetadata;
import com.datastax.oss.driver.api.core.type.DataType;
import com.datastax.oss.driver.api.core.type.DataTypes;

import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Optional;

/**
 * The shape of a results table, its creation and its check. One row per key and window: the primary key is
 * (key, window_start, window_end) with the key as the partition key, so one key's windows are one partition, in
 * window order, and writing a result again (a replay after a crash, a late firing) overwrites its row.
 *
 * <pre>
 * CREATE TABLE keyspace.table (
 *   key text, window_start bigint, window_end bigint, count bigint, value double,
 *   PRIMARY KEY ((key), window_start, window_end))
 * </pre>
 *
 * Times are epoch milliseconds in {@code bigint}, as in every other FlinkLite output; {@code value} is null for a
 * count.
 */
final class CassandraTable {
    /** Column name to type, in table order; the first three are the primary key. */
    private static final List<Map.Entry<String, DataType>> COLUMNS = List.of(
            Map.entry("key", DataTypes.TEXT),
            Map.entry("window_start", DataTypes.BIGINT),
            Map.entry("window_end", DataTypes.BIGINT),
            Map.entry("count", DataTypes.BIGINT),
            Map.entry("value", DataTypes.DOUBLE));

    private CassandraTable() {
    }

    static String createCql(String qualifiedTable) {
        return "CREATE TABLE IF NOT EXISTS " + qualifiedTable + " (\"key\" text, \"window_start\" bigint,"
                + " \"window_end\" bigint, \"count\" bigint, \"value\" double,"
                + " PRIMARY KEY ((\"key\"), \"window_start\", \"window_end\"))";
    }

    static String upsertCql(String qualifiedTable) {
        return "INSERT INTO " + qualifiedTable + " (\"key\", \"window_start\", \"window_end\", \"count\", \"value\")"
                + " VALUES (?, ?, ?, ?, ?)";
    }

    /**
     * Creates the keyspace and the table when asked and missing; then checks the table has this shape.
     *
     * @throws CassandraSinkException naming what is missing or different, and how to fix it
     */
    static void prepare(CqlSession session, CassandraSinkConfig config) {
        if (config.createTable()) {
            if (session.getMetadata().getKeyspace(CqlIdentifier.fromInternal(config.keyspace())).isEmpty()) {
                session.execute("CREATE KEYSPACE IF NOT EXISTS " + config.keyspace() + " WITH replication = "
                        + config.replicationCql());
            }
            session.execute(createCql(config.qualifiedTable()));
        }
        Optional<KeyspaceMetadata> keyspace = session.refreshSchema().getKeyspace(CqlIdentifier.fromInternal(config.keyspace()));
        if (keyspace.isEmpty()) {
            throw new CassandraSinkException("keyspace '" + config.keyspace() + "' does not exist at "
                    + config.contactPointsText() + ": create it, or pass --" + CassandraSinkConfig.CREATE_TABLE
                    + " (with --" + CassandraSinkConfig.REPLICATION + " for its replication), or name another with --"
                    + CassandraSinkConfig.KEYSPACE);
        }
        Optional<TableMetadata> table = keyspace.get().getTable(CqlIdentifier.fromInternal(config.table()));
        if (table.isEmpty()) {
            throw new CassandraSinkException("table " + config.qualifiedTable() + " does not exist at "
                    + config.contactPointsText() + ": pass --" + CassandraSinkConfig.CREATE_TABLE + " to create it, or"
                    + " create it yourself: " + createCql(config.qualifiedTable()));
        }
        String problem = mismatch(table.get());
        if (problem != null) {
            throw new CassandraSinkException("table " + config.qualifiedTable() + " at " + config.contactPointsText()
                    + " does not fit the results (" + problem + "); expected: " + createCql(config.qualifiedTable())
                    + " (or name another with --" + CassandraSinkConfig.TABLE + ")");
        }
    }

    /** What about {@code table} differs from the expected shape, or null when it fits (extra columns are fine). */
    static String mismatch(TableMetadata table) {
        List<String> partitionKey = names(table.getPartitionKey());
        List<String> clustering = names(new ArrayList<>(table.getClusteringColumns().keySet()));
        if (!partitionKey.equals(List.of("key")) || !clustering.equals(List.of("window_start", "window_end"))) {
            return "its primary key is (" + partitionKey + ", " + clustering + "), not ((key), window_start, window_end)";
        }
        for (Map.Entry<String, DataType> c : COLUMNS) {
            Optional<ColumnMetadata> column = table.getColumn(CqlIdentifier.fromInternal(c.getKey()));
            if (column.isEmpty()) {
                return "no column " + c.getKey();
            }
            if (!column.get().getType().equals(c.getValue())) {
                return "column " + c.getKey() + " is " + column.get().getType().asCql(false, true) + ", not "
                        + c.getValue().asCql(false, true);
            }
        }
        return null;
    }

    private static List<String> names(List<ColumnMetadata> columns) {
        List<String> out = new ArrayList<>();
        for (ColumnMetadata c : columns) {
            out.add(c.getName().asInternal());
        }
        return out;
    }
}
