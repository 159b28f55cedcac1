package io.flinklite.connector.jdbc;

/**
 * The PostgreSQL sink cannot do its work: the server is unreachable or refuses the credentials at start-up, the table
 * does not fit, or a write failed for good (a non-transient error, or transient ones for longer than the retry
 * timeout). The message alone tells the user what is wrong: it names the URL (password masked), the table and the
 * server's reason with its SQLState, never a password.
 */
public final class JdbcSinkException extends io.flinklite.sink.SinkException {
    private static final long serialVersionUID = 1L;

    public JdbcSinkException(String message) {
        super(message);
    }

    public JdbcSinkException(String message, Throwable cause) {
        super(message, cause);
    }
}
