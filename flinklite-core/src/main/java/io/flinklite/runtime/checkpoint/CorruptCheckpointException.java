package io.flinklite.runtime.checkpoint;

import java.io.IOException;

/** A checkpoint file that cannot be trusted: truncated, checksum mismatch, not JSON, or missing required fields. */
public final class CorruptCheckpointException extends IOException {
    private static final long serialVersionUID = 1L;

    public CorruptCheckpointException(String message) {
        super(message);
    }

    public CorruptCheckpointException(String message, Throwable cause) {
        super(message, cause);
    }
}
