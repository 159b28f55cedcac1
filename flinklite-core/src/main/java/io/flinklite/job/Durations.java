package io.flinklite.job;

/**
 * Parses the durations users type on the command line and in config files ({@code 250ms}, {@code 5s}, {@code 2m}),
 * and holds the one check of each duration a job is made of (window size, slide and gap, out-of-orderness, allowed
 * lateness, idle timeout). The Java API ({@code io.flinklite.api}), the CLI's {@link JobSpec} and the engine all call
 * these, so a user meets the same sentence for the same mistake wherever they make it; the CLI only prefixes the flag.
 */
public final class Durations {
    /**
     * The longest duration accepted, 100 years (365-day years): windows, gaps and lateness beyond it serve no stream
     * and could overflow event-time arithmetic.
     */
    public static final long MAX_MILLIS = 100L * 365 * 24 * 3_600_000L;

    private Durations() {
    }

    /**
     * @param text a non-negative integer followed by {@code ms}, {@code s}, {@code m} or {@code h}
     * @return the duration in milliseconds, at most {@link #MAX_MILLIS}
     * @throws IllegalArgumentException naming the offending text when it is not of that form
     */
    public static long parseMillis(String text) {
        if (text == null || text.isBlank()) {
            throw new IllegalArgumentException("empty duration: expected a number with a unit, e.g. 500ms, 5s, 2m");
        }
        String t = text.trim();
        int unitStart = 0;
        // ASCII digits only: Character.isDigit (and Long.parseLong) would read "٥s" as 5 s.
        while (unitStart < t.length() && t.charAt(unitStart) >= '0' && t.charAt(unitStart) <= '9') {
            unitStart++;
        }
        if (unitStart == 0) {
            throw new IllegalArgumentException("bad duration '" + text + "': expected a non-negative number with a unit, e.g. 500ms, 5s, 2m");
        }
        long amount;
        try {
            amount = Long.parseLong(t.substring(0, unitStart));
        } catch (NumberFormatException e) {
            throw new IllegalArgumentException("bad duration '" + text + "': number too large");
        }
        String unit = t.substring(unitStart);
        long factor;
        switch (unit) {
            case "ms": factor = 1L; break;
            case "s": factor = 1_000L; break;
            case "m": factor = 60_000L; break;
            case "h": factor = 3_600_000L; break;
            case "":
                throw new IllegalArgumentException("bad duration '" + text + "': missing unit, e.g. " + amount + "s or " + amount + "ms");
            default:
                throw new IllegalArgumentException("bad duration '" + text + "': unknown unit '" + unit + "' (use ms, s, m or h)");
        }
        long millis;
        try {
            millis = Math.multiplyExact(amount, factor);
        } catch (ArithmeticException e) {
            millis = Long.MAX_VALUE;
        }
        if (millis > MAX_MILLIS) {
            throw new IllegalArgumentException("bad duration '" + text + "': too large (at most 100 years)");
        }
        return millis;
    }

    /** The shortest exact form: {@code 5000} gives {@code 5s}, {@code 1500} gives {@code 1500ms}. */
    public static String format(long millis) {
        if (millis != 0 && millis % 3_600_000L == 0) return millis / 3_600_000L + "h";
        if (millis != 0 && millis % 60_000L == 0) return millis / 60_000L + "m";
        if (millis != 0 && millis % 1_000L == 0) return millis / 1_000L + "s";
        return millis + "ms";
    }

    /**
     * A length that must be positive: a window size or slide, a session gap.
     *
     * @param what what the length is, as the message names it, e.g. {@code "window size"}
     * @return {@code ms}
     * @throws IllegalArgumentException {@code "<what> must be positive, got <ms> ms"}, or at most 100 years
     */
    public static long requirePositive(String what, long ms) {
        if (ms <= 0) {
            throw new IllegalArgumentException(what + " must be positive, got " + ms + " ms");
        }
        return requireAtMostMax(what, ms);
    }

    /**
     * A duration where 0 means none: out-of-orderness, allowed lateness, an idle timeout.
     *
     * @return {@code ms}
     * @throws IllegalArgumentException {@code "<what> must not be negative, got <ms> ms"}, or at most 100 years
     */
    public static long requireNonNegative(String what, long ms) {
        if (ms < 0) {
            throw new IllegalArgumentException(what + " must not be negative, got " + ms + " ms");
        }
        return requireAtMostMax(what, ms);
    }

    /** The bound of a bounded-out-of-orderness watermark: {@link #requireNonNegative}. */
    public static long checkOutOfOrderness(long ms) {
        return requireNonNegative("out-of-orderness", ms);
    }

    /** How long a fired window still accepts late elements: {@link #requireNonNegative}. */
    public static long checkAllowedLateness(long ms) {
        return requireNonNegative("allowed lateness", ms);
    }

    /** How long a silent partition holds the watermark back; 0 never idles: {@link #requireNonNegative}. */
    public static long checkIdleTimeout(long ms) {
        return requireNonNegative("idle timeout", ms);
    }

    private static long requireAtMostMax(String what, long ms) {
        if (ms > MAX_MILLIS) {
            throw new IllegalArgumentException(what + " must be at most 100 years, got " + ms + " ms");
        }
        return ms;
    }
}
