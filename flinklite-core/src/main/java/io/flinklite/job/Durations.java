package io.flinklite.job;

/** Parses the durations users type on the command line and in config files: {@code 250ms}, {@code 5s}, {@code 2m}. */
public final class Durations {
    /**
     * The longest duration accepted, 100 years (365-day years): windows, gaps and lateness beyond it serve no stream
     * and could overflow event-time arithmetic.
     */
    public static final long MAX_MILLIS = io.flinklite.api.WindowAssigner.MAX_LENGTH_MS;

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
}
