package io.flinklite.api;

import io.flinklite.job.Durations;

/**
 * Which event-time windows an element belongs to, with Apache Flink's exact rules
 * ({@code TumblingEventTimeWindows}, {@code SlidingEventTimeWindows}, {@code EventTimeSessionWindows}).
 *
 * <p>A window is the half-open interval {@code [start, end)}; its maximum timestamp is {@code end - 1} and it fires
 * when the watermark reaches that. Window starts lie on the grid {@code offset + k * slide} (for tumbling windows
 * the slide is the size), negative timestamps included ({@link #windowStart}). A session window of an element at
 * {@code ts} is {@code [ts, ts + gap)}; sessions that intersect, touching ends included, merge.
 *
 * <p>Immutable; build with {@link #tumbling}, {@link #sliding} or {@link #session}.
 */
public final class WindowAssigner {

    /**
     * The longest window, slide or gap, 100 years ({@link Durations#MAX_MILLIS}): event-time arithmetic
     * ({@code start + size}, {@code ts + gap}) then stays within a {@code long} for every timestamp the engine accepts.
     */
    public static final long MAX_LENGTH_MS = Durations.MAX_MILLIS;

    /** The three kinds of event-time window. */
    public enum Kind { TUMBLING, SLIDING, SESSION }

    private final Kind kind;
    private final long sizeMs;
    private final long slideMs;
    private final long offsetMs;
    private final long gapMs;

    private WindowAssigner(Kind kind, long sizeMs, long slideMs, long offsetMs, long gapMs) {
        this.kind = kind;
        this.sizeMs = sizeMs;
        this.slideMs = slideMs;
        this.offsetMs = offsetMs;
        this.gapMs = gapMs;
    }

    /** Tumbling windows of {@code sizeMs}, aligned to the epoch. */
    public static WindowAssigner tumbling(long sizeMs) {
        return tumbling(sizeMs, 0);
    }

    /** Tumbling windows of {@code sizeMs} whose grid is shifted by {@code offsetMs}; {@code |offset| < size}. */
    public static WindowAssigner tumbling(long sizeMs, long offsetMs) {
        Durations.requirePositive("window size", sizeMs);
        if (Math.abs(offsetMs) >= sizeMs) {
            throw new IllegalArgumentException("window offset " + offsetMs + " ms must be smaller than the size "
                    + sizeMs + " ms");
        }
        return new WindowAssigner(Kind.TUMBLING, sizeMs, sizeMs, offsetMs, 0);
    }

    /** Sliding windows of {@code sizeMs} starting every {@code slideMs}, aligned to the epoch. */
    public static WindowAssigner sliding(long sizeMs, long slideMs) {
        return sliding(sizeMs, slideMs, 0);
    }

    /** Sliding windows whose grid is shifted by {@code offsetMs}; {@code |offset| < slide}. */
    public static WindowAssigner sliding(long sizeMs, long slideMs, long offsetMs) {
        Durations.requirePositive("window size", sizeMs);
        Durations.requirePositive("window slide", slideMs);
        if (Math.abs(offsetMs) >= slideMs) {
            throw new IllegalArgumentException("window offset " + offsetMs + " ms must be smaller than the slide "
                    + slideMs + " ms");
        }
        return new WindowAssigner(Kind.SLIDING, sizeMs, slideMs, offsetMs, 0);
    }

    /** Session windows: an element at {@code ts} opens {@code [ts, ts + gapMs)}; intersecting sessions merge. */
    public static WindowAssigner session(long gapMs) {
        Durations.requirePositive("session gap", gapMs);
        return new WindowAssigner(Kind.SESSION, 0, 0, 0, gapMs);
    }

    /**
     * The start of the grid window of length {@code slideMs} that contains {@code timestamp}, Flink's
     * {@code TimeWindow.getWindowStartWithOffset}: correct for negative timestamps too (Java's {@code %} keeps the
     * sign of the dividend, so a negative remainder is shifted up by one slide).
     */
    public static long windowStart(long timestamp, long offsetMs, long slideMs) {
        long remainder = (timestamp - offsetMs) % slideMs;
        return remainder < 0 ? timestamp - (remainder + slideMs) : timestamp - remainder;
    }

    public Kind kind() { return kind; }

    public boolean isSession() { return kind == Kind.SESSION; }

    /** Window length (tumbling, sliding); 0 for sessions. */
    public long sizeMs() { return sizeMs; }

    /** Distance between window starts; the size for tumbling windows; 0 for sessions. */
    public long slideMs() { return slideMs; }

    public long offsetMs() { return offsetMs; }

    /** Session gap; 0 for other kinds. */
    public long gapMs() { return gapMs; }


    @Override
    public String toString() {
        switch (kind) {
            case TUMBLING: return "tumbling(" + sizeMs + "ms" + (offsetMs != 0 ? ", offset " + offsetMs + "ms" : "") + ")";
            case SLIDING: return "sliding(" + sizeMs + "ms, " + slideMs + "ms" + (offsetMs != 0 ? ", offset " + offsetMs + "ms" : "") + ")";
            default: return "session(" + gapMs + "ms)";
        }
    }
}
