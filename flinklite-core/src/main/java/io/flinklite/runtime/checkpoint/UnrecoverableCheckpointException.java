package io.flinklite.runtime.checkpoint;

/**
 * Exactly-once recovery cannot find a state consistent with what Kafka committed. The message says why and what the
 * user can do; it is meant to be shown as it is.
 */
public final class UnrecoverableCheckpointException extends IllegalStateException {
    private static final long serialVersionUID = 1L;

    public UnrecoverableCheckpointException(String message) {
        super(message);
    }
}
