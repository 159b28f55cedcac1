package io.flinklite.job;

import java.time.Instant;
import java.time.ZoneId;
import java.time.format.DateTimeFormatter;

/**
 * The one way FlinkLite shows a point in time to people: ISO-8601 with milliseconds and the zone offset of the
 * machine ({@code 2026-12-02T04:15:59.123Z} in UTC, {@code 2026-12-02T05:15:59.123+01:00} in Paris), in log lines,
 * the status line, {@code checkpoint inspect}/{@code list} and the {@code "time"} field of checkpoint files. With the
 * offset written out, a time read from one of them means the same instant wherever it is read.
 */
public final class Timestamps {

    /**
     * The pattern, valid both for {@link DateTimeFormatter} and for {@link java.text.SimpleDateFormat} (which the
     * log output uses): {@code yyyy} and {@code XXX} mean the same in both.
     */
    public static final String PATTERN = "yyyy-MM-dd'T'HH:mm:ss.SSSXXX";

    private static final DateTimeFormatter FORMAT = DateTimeFormatter.ofPattern(PATTERN).withZone(ZoneId.systemDefault());

    private Timestamps() {
    }

    /** {@code epochMs} in {@link #PATTERN}, in the machine's zone. */
    public static String format(long epochMs) {
        return FORMAT.format(Instant.ofEpochMilli(epochMs));
    }
}
