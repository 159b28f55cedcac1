package io.flinklite.runtime.state;

/** Snapshot state that does not have the shape its reader expects: corrupt, truncated, or from another job. */
public final class StateFormatException extends RuntimeException {
    private static final long serialVersionUID = 1L;

    public StateFormatException(String message) {
        super(message);
    }

    public StateFormatException(String message, Throwable cause) {
        super(message, cause);
    }
}
