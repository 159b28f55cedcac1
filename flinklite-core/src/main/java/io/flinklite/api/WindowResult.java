package io.flinklite.api;

import java.util.Objects;

/**
 * One firing of one window for one key: what every built-in sink (Kafka topic, JSONL file, PostgreSQL) writes.
 *
 * <p>A window is the half-open interval {@code [windowStart, windowEnd)} in epoch milliseconds. {@code count} is the
 * number of events in the window at the time of the firing; a late firing (allowed lateness) carries the full,
 * updated contents, never a delta. {@code value} is the result of a value aggregate ({@code sum}, {@code min},
 * {@code max}, {@code avg} or a user function returning a number); it is {@link Double#NaN} and
 * {@link #hasValue()} is false when the job aggregates by count only.
 *
 * <p>Immutable and thread-safe. The JSON form is the {@code replay} contract:
 * {@code {"key":"critical","windowStart":1700000000000,"windowEnd":1700000010000,"count":42}}, plus
 * {@code "value":<double>} when {@link #hasValue()}.
 */
public final class WindowResult {
    private final String key;
    private final long windowStart;
    private final long windowEnd;
    private final long count;
    private final double value;
    private final boolean hasValue;

    private WindowResult(String key, long windowStart, long windowEnd, long count, double value, boolean hasValue) {
        this.key = Objects.requireNonNull(key, "key");
        if (windowEnd <= windowStart) {
            throw new IllegalArgumentException("window end " + windowEnd + " must be after its start " + windowStart);
        }
        this.windowStart = windowStart;
        this.windowEnd = windowEnd;
        this.count = count;
        this.value = value;
        this.hasValue = hasValue;
    }

    /** A count-only result. */
    public static WindowResult ofCount(String key, long windowStart, long windowEnd, long count) {
        return new WindowResult(key, windowStart, windowEnd, count, Double.NaN, false);
    }

    /** A result that carries a value aggregate beside the count. */
    public static WindowResult ofValue(String key, long windowStart, long windowEnd, long count, double value) {
        return new WindowResult(key, windowStart, windowEnd, count, value, true);
    }

    public String key() { return key; }

    /** Inclusive start of the window, epoch ms. */
    public long windowStart() { return windowStart; }

    /** Exclusive end of the window, epoch ms. */
    public long windowEnd() { return windowEnd; }

    public long count() { return count; }

    /** The value aggregate; {@link Double#NaN} when {@link #hasValue()} is false. */
    public double value() { return value; }

    public boolean hasValue() { return hasValue; }

    /** The {@code replay} JSON line, without a trailing newline. */
    public String toJson() {
        StringBuilder json = new StringBuilder(96);
        appendJson(json);
        return json.toString();
    }

    /** Appends the {@code replay} JSON line, without a trailing newline, to {@code out}. */
    public void appendJson(StringBuilder out) {
        out.append("{\"key\":");
        appendJsonString(out, key);
        out.append(",\"windowStart\":").append(windowStart)
                .append(",\"windowEnd\":").append(windowEnd)
                .append(",\"count\":").append(count);
        if (hasValue) {
            out.append(",\"value\":");
            if (Double.isFinite(value)) {
                out.append(value);
            } else {
                // JSON has no NaN or infinity; null keeps the line parseable by any client.
                out.append("null");
            }
        }
        out.append('}');
    }

    /**
     * Appends {@code s} as a JSON string literal, quotes included: the one place the engine's output lines escape a
     * key (window results and join pairs alike).
     */
    public static void appendJsonString(StringBuilder out, String s) {
        out.append('"');
        for (int i = 0; i < s.length(); i++) {
            char c = s.charAt(i);
            switch (c) {
                case '"': out.append("\\\""); break;
                case '\\': out.append("\\\\"); break;
                case '\n': out.append("\\n"); break;
                case '\r': out.append("\\r"); break;
                case '\t': out.append("\\t"); break;
                default:
                    if (c < 0x20 || (Character.isSurrogate(c) && !pairedSurrogate(s, i))) {
                        // A lone surrogate has no UTF-8 form: escaped, it survives as the key the input named
                        // (an encoder would write '?').
                        appendUnicodeEscape(out, c);
                    } else {
                        out.append(c);
                    }
            }
        }
        out.append('"');
    }

    /** Whether the surrogate at {@code s[i]} is half of a well-formed pair. */
    private static boolean pairedSurrogate(String s, int i) {
        char c = s.charAt(i);
        if (Character.isHighSurrogate(c)) {
            return i + 1 < s.length() && Character.isLowSurrogate(s.charAt(i + 1));
        }
        return i > 0 && Character.isHighSurrogate(s.charAt(i - 1));
    }

    private static void appendUnicodeEscape(StringBuilder out, char c) {
        out.append("\\u");
        String hex = Integer.toHexString(c);
        for (int k = hex.length(); k < 4; k++) {
            out.append('0');
        }
        out.append(hex);
    }

    /**
     * A key as text for outputs that are not JSON (a Kafka record key, a database column, a text line): the key
     * itself, except that a lone surrogate, which has no UTF-8 form, is written as its JSON escape
     * ({@code \\ud800}) instead of becoming {@code ?} in the encoder, so that distinct keys stay distinct.
     */
    public static String keyText(String key) {
        boolean lone = false;
        for (int i = 0; i < key.length() && !lone; i++) {
            lone = Character.isSurrogate(key.charAt(i)) && !pairedSurrogate(key, i);
        }
        if (!lone) {
            return key;
        }
        StringBuilder out = new StringBuilder(key.length() + 8);
        for (int i = 0; i < key.length(); i++) {
            char c = key.charAt(i);
            if (Character.isSurrogate(c) && !pairedSurrogate(key, i)) {
                appendUnicodeEscape(out, c);
            } else {
                out.append(c);
            }
        }
        return out.toString();
    }

    /** {@link #keyText} as UTF-8: the bytes of an output record's key. */
    public static byte[] keyBytes(String key) {
        return keyText(key).getBytes(java.nio.charset.StandardCharsets.UTF_8);
    }

    @Override
    public boolean equals(Object o) {
        if (this == o) return true;
        if (!(o instanceof WindowResult)) return false;
        WindowResult that = (WindowResult) o;
        return windowStart == that.windowStart && windowEnd == that.windowEnd && count == that.count
                && hasValue == that.hasValue && Double.compare(value, that.value) == 0 && key.equals(that.key);
    }

    @Override
    public int hashCode() {
        return Objects.hash(key, windowStart, windowEnd, count, value, hasValue);
    }

    @Override
    public String toString() {
        return toJson();
    }
}
