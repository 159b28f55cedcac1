package io.flinklite.sink;

/**
 * How long a sink waits before retrying a failed write: 100 ms, doubling, at most 5 s. One schedule for every sink,
 * so an outage looks the same in each one's log.
 */
public final class Backoff {
    /** The wait before the first retry. */
    public static final long FIRST_MS = 100;
    /** The longest wait between two attempts. */
    public static final long MAX_MS = 5_000;

    private Backoff() {
    }

    /** The wait before retry number {@code attempt} (1-based): 100 ms, 200 ms, 400 ms, ... at most 5 s. */
    public static long delayMs(int attempt) {
        int shift = Math.min(Math.max(attempt, 1) - 1, 16);
        return Math.min(MAX_MS, FIRST_MS << shift);
    }
}
