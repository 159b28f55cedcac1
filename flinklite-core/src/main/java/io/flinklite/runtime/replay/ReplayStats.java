package io.flinklite.runtime.replay;

import io.flinklite.runtime.metrics.JobMetrics;
import io.flinklite.source.InvalidReason;

import java.util.Collections;
import java.util.EnumMap;
import java.util.Map;

/**
 * What a {@link Replay} did with its input: every non-blank line is exactly one of accepted (reached a window),
 * filtered (type not selected), late (later than the allowed lateness) or invalid (by reason). Immutable.
 */
public final class ReplayStats {
    private final long records;
    private final long accepted;
    private final long filtered;
    private final long late;
    private final Map<InvalidReason, Long> invalid;
    private final long results;
    private final long lateFirings;
    private final long elapsedNanos;

    ReplayStats(JobMetrics metrics, long elapsedNanos) {
        this.records = metrics.eventsTotal();
        this.accepted = metrics.eventsAccepted();
        this.filtered = metrics.eventsFiltered();
        this.late = metrics.eventsLate();
        EnumMap<InvalidReason, Long> byReason = new EnumMap<>(InvalidReason.class);
        for (InvalidReason r : InvalidReason.values()) {
            if (metrics.eventsInvalid(r) > 0) {
                byReason.put(r, metrics.eventsInvalid(r));
            }
        }
        this.invalid = Collections.unmodifiableMap(byReason);
        this.results = metrics.windowsFlushed();
        this.lateFirings = metrics.lateFirings();
        this.elapsedNanos = elapsedNanos;
    }

    /** Non-blank input lines (or array elements). */
    public long records() { return records; }
    public long accepted() { return accepted; }
    public long filtered() { return filtered; }
    public long late() { return late; }

    /** Invalid records by reason; reasons with none are absent. */
    public Map<InvalidReason, Long> invalidByReason() { return invalid; }

    public long invalid() {
        long sum = 0;
        for (long n : invalid.values()) {
            sum += n;
        }
        return sum;
    }

    /** Result lines written (window firings, late firings included). */
    public long results() { return results; }

    /** Of {@link #results()}, the firings caused by late elements within the allowed lateness. */
    public long lateFirings() { return lateFirings; }

    /** Wall time of the replay. */
    public long elapsedNanos() { return elapsedNanos; }

    /** One line for humans, e.g. {@code 1000 records: 600 accepted, 390 filtered, 4 late, 6 invalid (not_json 6); 52 results}. */
    @Override
    public String toString() {
        StringBuilder s = new StringBuilder();
        s.append(records).append(" records: ").append(accepted).append(" accepted, ").append(filtered)
                .append(" filtered, ").append(late).append(" late, ").append(invalid()).append(" invalid");
        if (!invalid.isEmpty()) {
            s.append(" (");
            boolean first = true;
            for (Map.Entry<InvalidReason, Long> e : invalid.entrySet()) {
                if (!first) s.append(", ");
                s.append(e.getKey().label()).append(' ').append(e.getValue());
                first = false;
            }
            s.append(')');
        }
        s.append("; ").append(results).append(" results (").append(lateFirings).append(" late firings)");
        return s.toString();
    }
}
