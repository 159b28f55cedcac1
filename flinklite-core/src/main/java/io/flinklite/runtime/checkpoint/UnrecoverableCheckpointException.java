package io.flinklite.runtime.checkpoint;

/**
 * Exactly-once recovery cannot find a state consistent with what Kafka committed. The message says why and what the
 * user can do; it is meant to be shown as it is (an {@link IllegalArgumentException}, so the CLI prints only the
 * message: the remedy is a flag, {@code --fresh-start}).
 */
public final class UnrecoverableCheckpointException extends IllegalArgumentException {
    private static final long serialVersionUID = 1L;

    public UnrecoverableCheckpointException(String message) {
        super(message);
    }

    public UnrecoverableCheckpointException(String message, Throwable cause) {
        super(message, cause);
    }
}
