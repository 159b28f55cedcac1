package io.flinklite.runtime.checkpoint;

/**
 * The checkpoint to restore was taken by a job with another fingerprint (window, lateness, types, key, aggregate):
 * restoring it would mix state of a different computation into the results. The message names every difference and
 * the ways out; it is meant to be shown to the user as it is.
 */
public final class IncompatibleCheckpointException extends IllegalArgumentException {
    private static final long serialVersionUID = 1L;

    public IncompatibleCheckpointException(String message) {
        super(message);
    }
}
