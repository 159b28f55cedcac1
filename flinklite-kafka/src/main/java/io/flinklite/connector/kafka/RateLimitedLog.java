package io.flinklite.connector.kafka;

import org.slf4j.Logger;

/**
 * Logs at most one line per interval and says how many it held back, so a flood of bad records cannot flood the log.
 * One instance per kind of message. Not thread-safe: the task thread owns it.
 */
final class RateLimitedLog {
    private final Logger log;
    private final long intervalMs;
    private long lastLogMs = Long.MIN_VALUE;
    private long suppressed;

    RateLimitedLog(Logger log, long intervalMs) {
        this.log = log;
        this.intervalMs = intervalMs;
    }

    /** True when a line may be logged now; call {@link #warn} only then, so the message is not even built otherwise. */
    boolean allow(long nowMs) {
        if (lastLogMs != Long.MIN_VALUE && nowMs - lastLogMs < intervalMs) {
            suppressed++;
            return false;
        }
        lastLogMs = nowMs;
        return true;
    }

    /** Logs {@code message}, adding how many lines were held back since the last one. */
    void warn(String message) {
        if (suppressed > 0) {
            log.warn("{} ({} similar messages suppressed)", message, suppressed);
            suppressed = 0;
        } else {
            log.warn(message);
        }
    }
}
