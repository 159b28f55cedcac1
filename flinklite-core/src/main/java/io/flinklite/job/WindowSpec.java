package io.flinklite.job;

import java.util.Objects;

/**
 * The window of the built-in job, as typed on the command line: {@code sliding:10s:5s}, {@code tumbling:10s},
 * {@code session:5s}; tumbling and sliding take an optional offset as a further part ({@code tumbling:1h:15m}).
 * Immutable.
 */
public final class WindowSpec {

    /** The three window kinds, with Apache Flink's assignment and merge rules. */
    public enum Kind { TUMBLING, SLIDING, SESSION }

    private final Kind kind;
    private final long sizeMs;
    private final long slideMs;
    private final long offsetMs;
    private final long gapMs;

    private WindowSpec(Kind kind, long sizeMs, long slideMs, long offsetMs, long gapMs) {
        this.kind = kind;
        this.sizeMs = sizeMs;
        this.slideMs = slideMs;
        this.offsetMs = offsetMs;
        this.gapMs = gapMs;
    }

    public static WindowSpec tumbling(long sizeMs, long offsetMs) {
        requirePositive("window size", sizeMs);
        if (Math.abs(offsetMs) >= sizeMs) {
            throw new IllegalArgumentException("window offset " + offsetMs + " ms must be smaller than the size " + sizeMs + " ms");
        }
        return new WindowSpec(Kind.TUMBLING, sizeMs, sizeMs, offsetMs, 0);
    }

    public static WindowSpec sliding(long sizeMs, long slideMs, long offsetMs) {
        requirePositive("window size", sizeMs);
        requirePositive("window slide", slideMs);
        if (Math.abs(offsetMs) >= slideMs) {
            throw new IllegalArgumentException("window offset " + offsetMs + " ms must be smaller than the slide " + slideMs + " ms");
        }
        return new WindowSpec(Kind.SLIDING, sizeMs, slideMs, offsetMs, 0);
    }

    public static WindowSpec session(long gapMs) {
        requirePositive("session gap", gapMs);
        return new WindowSpec(Kind.SESSION, 0, 0, 0, gapMs);
    }

    /** The seed job's window: sliding, 10 s long, every 5 s. */
    public static WindowSpec defaults() {
        return sliding(10_000, 5_000, 0);
    }

    /**
     * Parses {@code sliding:SIZE:SLIDE[:OFFSET]}, {@code tumbling:SIZE[:OFFSET]} or {@code session:GAP}.
     *
     * @throws IllegalArgumentException naming the offending text
     */
    public static WindowSpec parse(String text) {
        Objects.requireNonNull(text, "window");
        String[] parts = text.trim().split(":");
        try {
            switch (parts[0].toLowerCase(java.util.Locale.ROOT)) {
                case "tumbling":
                    if (parts.length == 2) return tumbling(Durations.parseMillis(parts[1]), 0);
                    if (parts.length == 3) return tumbling(Durations.parseMillis(parts[1]), Durations.parseMillis(parts[2]));
                    break;
                case "sliding":
                    if (parts.length == 3) return sliding(Durations.parseMillis(parts[1]), Durations.parseMillis(parts[2]), 0);
                    if (parts.length == 4) {
                        return sliding(Durations.parseMillis(parts[1]), Durations.parseMillis(parts[2]), Durations.parseMillis(parts[3]));
                    }
                    break;
                case "session":
                    if (parts.length == 2) return session(Durations.parseMillis(parts[1]));
                    break;
                default:
                    break;
            }
        } catch (IllegalArgumentException e) {
            throw new IllegalArgumentException("bad window '" + text + "': " + e.getMessage(), e);
        }
        throw new IllegalArgumentException("bad window '" + text
                + "': expected sliding:SIZE:SLIDE, tumbling:SIZE or session:GAP, e.g. sliding:10s:5s");
    }

    public Kind kind() { return kind; }
    /** Window length for tumbling and sliding windows; 0 for sessions. */
    public long sizeMs() { return sizeMs; }
    /** Distance between window starts; equals the size for tumbling windows; 0 for sessions. */
    public long slideMs() { return slideMs; }
    /** Shift of the window grid from the epoch, as Flink's {@code offset}. */
    public long offsetMs() { return offsetMs; }
    /** Session gap; 0 for other kinds. */
    public long gapMs() { return gapMs; }

    private static void requirePositive(String what, long ms) {
        if (ms <= 0) {
            throw new IllegalArgumentException(what + " must be positive, got " + ms + " ms");
        }
        if (ms > Durations.MAX_MILLIS) {
            throw new IllegalArgumentException(what + " must be at most 100 years, got " + ms + " ms");
        }
    }

    /** The canonical form, which {@link #parse} accepts: {@code sliding:10s:5s}. */
    @Override
    public String toString() {
        switch (kind) {
            case TUMBLING:
                return "tumbling:" + Durations.format(sizeMs) + (offsetMs != 0 ? ":" + Durations.format(offsetMs) : "");
            case SLIDING:
                return "sliding:" + Durations.format(sizeMs) + ":" + Durations.format(slideMs)
                        + (offsetMs != 0 ? ":" + Durations.format(offsetMs) : "");
            default:
                return "session:" + Durations.format(gapMs);
        }
    }

    @Override
    public boolean equals(Object o) {
        return o instanceof WindowSpec && toString().equals(o.toString());
    }

    @Override
    public int hashCode() {
        return toString().hashCode();
    }
}
