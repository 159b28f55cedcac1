package io.flinklite.job;

import java.util.Locale;
import java.util.Objects;

/**
 * The stream-stream join of the built-in job, as typed after {@code --join}: an interval join
 * {@code interval:LOWER:UPPER} (Flink's {@code intervalJoin(..).between(lower, upper)}: a left element at {@code l}
 * pairs with a right element of the same key at {@code r} when {@code l + lower <= r <= l + upper}, both bounds
 * inclusive and either may be negative) or a window join {@code tumbling:SIZE[:OFFSET]}, {@code sliding:SIZE:SLIDE[:OFFSET]},
 * {@code session:GAP} (Flink's {@code join(..).where(..).equalTo(..).window(..)}: every left and right element of a
 * key in the same window pair up when the window fires). The other job settings (out-of-orderness, allowed lateness,
 * types, key field) come from the {@link JobSpec}. Immutable.
 */
public final class JoinSpec {

    /** The two kinds of stream-stream join. */
    public enum Kind { INTERVAL, WINDOW }

    private final Kind kind;
    private final long lowerBoundMs;
    private final long upperBoundMs;
    private final WindowSpec window;

    private JoinSpec(Kind kind, long lowerBoundMs, long upperBoundMs, WindowSpec window) {
        this.kind = kind;
        this.lowerBoundMs = lowerBoundMs;
        this.upperBoundMs = upperBoundMs;
        this.window = window;
    }

    /**
     * An interval join with inclusive bounds relative to the left element's timestamp.
     *
     * @throws IllegalArgumentException when {@code lower > upper} (as Flink's {@code between}) or a bound is longer
     *                                  than {@link Durations#MAX_MILLIS}
     */
    public static JoinSpec interval(long lowerBoundMs, long upperBoundMs) {
        if (Math.abs(lowerBoundMs) > Durations.MAX_MILLIS || Math.abs(upperBoundMs) > Durations.MAX_MILLIS) {
            throw new IllegalArgumentException("interval bounds must be within 100 years, got " + lowerBoundMs
                    + " ms and " + upperBoundMs + " ms");
        }
        if (lowerBoundMs > upperBoundMs) {
            throw new IllegalArgumentException("the lower bound " + Durations.format(lowerBoundMs)
                    + " is above the upper bound " + Durations.format(upperBoundMs));
        }
        return new JoinSpec(Kind.INTERVAL, lowerBoundMs, upperBoundMs, null);
    }

    /** A window join over {@code window}'s windows. */
    public static JoinSpec window(WindowSpec window) {
        return new JoinSpec(Kind.WINDOW, 0, 0, Objects.requireNonNull(window, "window"));
    }

    /**
     * Parses {@code interval:LOWER:UPPER} (durations, each with an optional leading {@code -}), or a window as
     * {@link WindowSpec#parse} reads it.
     *
     * @throws IllegalArgumentException naming the offending text
     */
    public static JoinSpec parse(String text) {
        Objects.requireNonNull(text, "join");
        String t = text.trim();
        if (!t.toLowerCase(Locale.ROOT).startsWith("interval:") && !t.equalsIgnoreCase("interval")) {
            try {
                return window(WindowSpec.parse(t));
            } catch (IllegalArgumentException e) {
                throw new IllegalArgumentException("bad join '" + text + "': expected interval:LOWER:UPPER, "
                        + "tumbling:SIZE, sliding:SIZE:SLIDE or session:GAP, e.g. interval:-5s:5s ("
                        + e.getMessage() + ")", e);
            }
        }
        String[] parts = t.split(":", -1);
        if (parts.length != 3) {
            throw new IllegalArgumentException("bad join '" + text + "': expected interval:LOWER:UPPER, e.g. interval:-5s:5s");
        }
        try {
            return interval(signedMillis(parts[1]), signedMillis(parts[2]));
        } catch (IllegalArgumentException e) {
            throw new IllegalArgumentException("bad join '" + text + "': " + e.getMessage(), e);
        }
    }

    private static long signedMillis(String text) {
        String s = text.trim();
        if (s.startsWith("-")) {
            return -Durations.parseMillis(s.substring(1));
        }
        return Durations.parseMillis(s.startsWith("+") ? s.substring(1) : s);
    }

    public Kind kind() { return kind; }

    public boolean isInterval() { return kind == Kind.INTERVAL; }

    /** Interval joins: the smallest {@code r - l} that pairs; 0 for window joins. */
    public long lowerBoundMs() { return lowerBoundMs; }

    /** Interval joins: the largest {@code r - l} that pairs; 0 for window joins. */
    public long upperBoundMs() { return upperBoundMs; }

    /** Window joins: the windows; {@code null} for interval joins. */
    public WindowSpec window() { return window; }

    /** The canonical form, which {@link #parse} accepts: {@code interval:-5s:5s}, {@code tumbling:10s}. */
    @Override
    public String toString() {
        if (kind == Kind.WINDOW) {
            return window.toString();
        }
        return "interval:" + signed(lowerBoundMs) + ":" + signed(upperBoundMs);
    }

    private static String signed(long ms) {
        return ms < 0 ? "-" + Durations.format(-ms) : Durations.format(ms);
    }

    @Override
    public boolean equals(Object o) {
        return o instanceof JoinSpec && toString().equals(o.toString());
    }

    @Override
    public int hashCode() {
        return toString().hashCode();
    }
}
