package io.flinklite.connector.jdbc;

import java.io.IOException;
import java.sql.SQLException;
import java.sql.SQLRecoverableException;
import java.sql.SQLTransientException;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.List;

/**
 * Sorts the driver's exceptions into "try again" and "give up", by SQLState (PostgreSQL appendix A).
 *
 * <p>The driver reports a failed batch as a {@code BatchUpdateException} whose own state may be generic, with the
 * server's error behind {@link SQLException#getNextException()}; a dropped socket shows up as a cause. So every
 * method here looks through both chains.
 */
final class SqlErrors {
    private SqlErrors() {
    }

    /**
     * True when retrying the same work on a fresh connection can succeed: the connection was lost or refused
     * (class 08), the server is shutting down or starting up (57P01, 57P02, 57P03), the transaction lost a
     * serialization race or a deadlock (40001, 40P01), or the server has no connection slot free (53300).
     */
    static boolean isTransient(SQLException e) {
        for (Throwable t : chain(e)) {
            if (t instanceof SQLTransientException || t instanceof SQLRecoverableException || t instanceof IOException) {
                return true;
            }
            if (t instanceof SQLException) {
                String state = ((SQLException) t).getSQLState();
                if (state != null && isTransientState(state)) {
                    return true;
                }
            }
        }
        return false;
    }

    static boolean isTransientState(String state) {
        return state.startsWith("08")
                || state.equals("40001") || state.equals("40P01")
                || state.equals("57P01") || state.equals("57P02") || state.equals("57P03")
                || state.equals("53300");
    }

    /** True for class 28 (invalid authorization: wrong password, unknown role, no pg_hba.conf entry). */
    static boolean isAuthentication(SQLException e) {
        String state = firstState(e);
        return state != null && state.startsWith("28");
    }

    /** The first SQLState in the chain, or {@code null}. */
    static String firstState(SQLException e) {
        for (Throwable t : chain(e)) {
            if (t instanceof SQLException && ((SQLException) t).getSQLState() != null) {
                return ((SQLException) t).getSQLState();
            }
        }
        return null;
    }

    /**
     * The most telling message of the chain with its SQLState, e.g. {@code FATAL: password authentication failed
     * for user "bob" (SQLState 28P01)}. The server never puts a password in a message, and neither do we.
     */
    static String describe(SQLException e) {
        // The innermost server error says most; the batch wrapper only says "Batch entry 3 ... was aborted".
        SQLException best = e;
        for (Throwable t : chain(e)) {
            if (t instanceof SQLException && t != e && ((SQLException) t).getSQLState() != null) {
                best = (SQLException) t;
            }
        }
        String message = best.getMessage() == null ? best.getClass().getSimpleName() : best.getMessage().trim();
        return best.getSQLState() == null ? message : message + " (SQLState " + best.getSQLState() + ")";
    }

    /** {@code e}, its next exceptions and its causes, without repeats, at most 20 deep. */
    private static Iterable<Throwable> chain(SQLException e) {
        List<Throwable> out = new ArrayList<>();
        ArrayDeque<Throwable> todo = new ArrayDeque<>();
        todo.add(e);
        while (!todo.isEmpty() && out.size() < 20) {
            Throwable t = todo.poll();
            if (t == null || out.contains(t)) {
                continue;
            }
            out.add(t);
            if (t.getCause() != null) {
                todo.add(t.getCause());
            }
            if (t instanceof SQLException && ((SQLException) t).getNextException() != null) {
                todo.add(((SQLException) t).getNextException());
            }
        }
        return out;
    }
}
