package io.flinklite.sink;

/**
 * A sink could not be opened or could not write, with a message that fits one line and says what to fix (a wrong
 * host, keyspace, credentials, a table of another shape), never a password. The CLI prints the message alone, no
 * stack trace.
 */
public class SinkException extends RuntimeException {
    private static final long serialVersionUID = 1L;

    public SinkException(String message) {
        super(message);
    }

    public SinkException(String message, Throwable cause) {
        super(message, cause);
    }
}
