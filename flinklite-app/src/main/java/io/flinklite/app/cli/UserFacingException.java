package io.flinklite.app.cli;

/**
 * A failure whose message alone tells the user what is wrong and what to do (unreadable file, unreachable broker,
 * missing topic). The CLI prints {@code flinklite: <message>} and exits 1, without a stack trace.
 */
public final class UserFacingException extends RuntimeException {
    private static final long serialVersionUID = 1L;

    public UserFacingException(String message) {
        super(message);
    }

    public UserFacingException(String message, Throwable cause) {
        super(message, cause);
    }
}
