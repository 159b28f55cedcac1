package io.flinklite.job;

import java.util.Locale;
import java.util.Objects;

/**
 * Where an event's time comes from: a JSON field (a name, or a dotted path into nested objects such as
 * {@code payload.ts}) in one of three {@link Format}s, or the Kafka record's own timestamp (as Flink's Kafka source
 * and Kafka Streams' default {@code TimestampExtractor} use). The default is today's flat {@code timestamp} field in
 * epoch milliseconds.
 *
 * <p>Immutable; the {@code with...} methods return a copy. A dot always separates path segments: a field whose name
 * itself contains a dot cannot be addressed.
 */
public final class TimestampSpec {

    /** Where the event time is read. */
    public enum Source {
        /** From a field of the JSON value ({@code --event-time field}). */
        FIELD,
        /** From the Kafka record's timestamp, CreateTime or LogAppendTime as the topic says ({@code --event-time kafka}). */
        KAFKA;

        /** @throws IllegalArgumentException naming the accepted values */
        public static Source parse(String text) {
            switch (Objects.requireNonNull(text, "event time").trim().toLowerCase(Locale.ROOT)) {
                case "field": return FIELD;
                case "kafka": return KAFKA;
                default: throw new IllegalArgumentException("expected field or kafka");
            }
        }

        public String label() { return name().toLowerCase(Locale.ROOT); }
    }

    /** How a timestamp field is written. */
    public enum Format {
        /** An integral JSON number of milliseconds since the epoch. */
        EPOCH_MS("epoch-ms"),
        /** A JSON number of seconds since the epoch, integral or decimal (e.g. {@code 1700000000.25}); truncated to ms toward the past. */
        EPOCH_S("epoch-s"),
        /** A JSON string such as {@code 2026-12-01T10:00:00Z} or {@code 2026-12-01T11:00:00.5+01:00}: an offset or Z is required. */
        ISO_8601("iso-8601");

        private final String label;

        Format(String label) { this.label = label; }

        public String label() { return label; }

        /** @throws IllegalArgumentException naming the accepted values */
        public static Format parse(String text) {
            String t = Objects.requireNonNull(text, "timestamp format").trim().toLowerCase(Locale.ROOT);
            for (Format f : values()) {
                if (f.label.equals(t)) {
                    return f;
                }
            }
            throw new IllegalArgumentException("expected epoch-ms, epoch-s or iso-8601");
        }
    }

    /** The default timestamp field. */
    public static final String DEFAULT_FIELD = "timestamp";

    private static final TimestampSpec DEFAULTS = new TimestampSpec(Source.FIELD, DEFAULT_FIELD, Format.EPOCH_MS);

    private final Source source;
    private final String field;
    private final Format format;

    private TimestampSpec(Source source, String field, Format format) {
        this.source = Objects.requireNonNull(source, "source");
        this.field = checkPath(field);
        this.format = Objects.requireNonNull(format, "format");
    }

    /** Field {@code timestamp}, epoch milliseconds. */
    public static TimestampSpec defaults() {
        return DEFAULTS;
    }

    public TimestampSpec withSource(Source s) { return new TimestampSpec(s, field, format); }
    /** @throws IllegalArgumentException when the path is empty or has an empty segment */
    public TimestampSpec withField(String path) { return new TimestampSpec(source, path, format); }
    public TimestampSpec withFormat(Format f) { return new TimestampSpec(source, field, f); }

    public Source source() { return source; }
    /** The field path; meaningful only when {@link #source()} is {@link Source#FIELD}. */
    public String field() { return field; }
    public Format format() { return format; }
    public boolean fromKafka() { return source == Source.KAFKA; }

    /**
     * Checks a field path ({@code name} or {@code a.b.c}) as the key, value and timestamp flags take it.
     *
     * @return the path
     * @throws IllegalArgumentException when it is empty or has an empty segment
     */
    public static String checkPath(String path) {
        if (path == null || path.isBlank()) {
            throw new IllegalArgumentException("field must not be empty");
        }
        if (path.startsWith(".") || path.endsWith(".") || path.contains("..")) {
            throw new IllegalArgumentException("bad field path '" + path + "': expected NAME or NAME.NAME...");
        }
        return path;
    }

    /** E.g. {@code field:payload.ts:iso-8601} or {@code kafka}. */
    @Override
    public String toString() {
        return source == Source.KAFKA ? "kafka" : "field:" + field + ":" + format.label();
    }

    @Override
    public boolean equals(Object o) {
        return o instanceof TimestampSpec && o.toString().equals(toString());
    }

    @Override
    public int hashCode() {
        return toString().hashCode();
    }
}
