package io.flinklite.connector.cassandra;

import io.flinklite.sink.SinkException;

/**
 * The Cassandra sink cannot do its work: no contact point answers, the credentials are refused, the keyspace or table
 * is missing or of another shape, or a write failed for good. The message alone says what is wrong: it names the
 * contact points, the user and the table, never the password.
 */
public final class CassandraSinkException extends SinkException {
    private static final long serialVersionUID = 1L;

    public CassandraSinkException(String message) {
        super(message);
    }

    public CassandraSinkException(String message, Throwable cause) {
        super(message, cause);
    }
}
