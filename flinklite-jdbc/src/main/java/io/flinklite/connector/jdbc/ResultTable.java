package io.flinklite.connector.jdbc;

/**
 * The SQL of the results table: its shape, how it is created, and the upsert that makes a replay overwrite.
 *
 * <p>One row per (job, key, window): the primary key is {@code (job, key, window_start, window_end)}, so writing a
 * result again (a replay after a crash, or a late firing that carries the window's updated contents) updates the row
 * in place. Times are epoch milliseconds in {@code bigint}, exactly as in every other FlinkLite output; SQL users turn
 * them into timestamps with {@code to_timestamp(window_start / 1000.0)}. {@code updated_at} is when the row was last
 * written (the writing transaction's start).
 *
 * <p>The table name spliced into the SQL is {@link JdbcSinkConfig#quotedTable()}, validated and quoted; the values
 * are always bound as parameters.
 */
final class ResultTable {
    private ResultTable() {
    }

    /** Column list in the order the upsert binds them. */
    static final String COLUMNS = "\"job\", \"key\", \"window_start\", \"window_end\", \"count\", \"value\", \"updated_at\"";

    /** Creates the table; {@code IF NOT EXISTS} so two instances starting together do not collide. */
    static String createSql(String quotedTable) {
        return "CREATE TABLE IF NOT EXISTS " + quotedTable + " (\n"
                + "  \"job\" text NOT NULL,\n"
                + "  \"key\" text NOT NULL,\n"
                + "  \"window_start\" bigint NOT NULL,\n"
                + "  \"window_end\" bigint NOT NULL,\n"
                + "  \"count\" bigint NOT NULL,\n"
                + "  \"value\" double precision,\n"
                + "  \"updated_at\" timestamptz NOT NULL DEFAULT now(),\n"
                + "  PRIMARY KEY (\"job\", \"key\", \"window_start\", \"window_end\")\n"
                + ")";
    }

    /** Parameters: job, key, window_start, window_end, count, value (nullable). */
    static String upsertSql(String quotedTable) {
        return "INSERT INTO " + quotedTable + " (" + COLUMNS + ") VALUES (?, ?, ?, ?, ?, ?, now())"
                + CONFLICT_CLAUSE;
    }

    /**
     * The upsert with constant values, under {@code EXPLAIN}: the server plans it without writing anything, which
     * checks that every column exists with a compatible type, that a unique key matches the conflict target and that
     * this user may insert and update. A table left by something else fails here, at start-up, with the server's
     * own words.
     */
    static String probeSql(String quotedTable) {
        return "EXPLAIN INSERT INTO " + quotedTable + " (" + COLUMNS + ")"
                + " VALUES ('', '', 0, 1, 0, NULL::double precision, now())" + CONFLICT_CLAUSE;
    }

    private static final String CONFLICT_CLAUSE =
            " ON CONFLICT (\"job\", \"key\", \"window_start\", \"window_end\") DO UPDATE SET"
                    + " \"count\" = EXCLUDED.\"count\", \"value\" = EXCLUDED.\"value\","
                    + " \"updated_at\" = EXCLUDED.\"updated_at\"";
}
