package io.flinklite.job;

import java.util.Locale;
import java.util.Objects;

/**
 * The aggregate of the built-in job, as typed on the command line: {@code count}, {@code sum:FIELD},
 * {@code min:FIELD}, {@code max:FIELD}, {@code avg:FIELD}. Every result carries the window's event count; a value
 * aggregate adds its value over the numeric JSON field {@code FIELD}. Immutable.
 */
public final class AggregateSpec {

    /** The built-in aggregates. */
    public enum Kind { COUNT, SUM, MIN, MAX, AVG }

    private final Kind kind;
    private final String field;

    private AggregateSpec(Kind kind, String field) {
        this.kind = kind;
        this.field = field;
    }

    public static AggregateSpec count() {
        return new AggregateSpec(Kind.COUNT, null);
    }

    public static AggregateSpec of(Kind kind, String field) {
        Objects.requireNonNull(kind, "kind");
        if (kind == Kind.COUNT) {
            return count();
        }
        if (field == null || field.isBlank()) {
            throw new IllegalArgumentException(kind.name().toLowerCase(Locale.ROOT) + " needs a field, e.g. "
                    + kind.name().toLowerCase(Locale.ROOT) + ":value");
        }
        return new AggregateSpec(kind, TimestampSpec.checkPath(field)); // a name or a dotted path, as every field
    }

    /** @throws IllegalArgumentException naming the offending text */
    public static AggregateSpec parse(String text) {
        Objects.requireNonNull(text, "aggregate");
        String t = text.trim();
        int colon = t.indexOf(':');
        String name = (colon < 0 ? t : t.substring(0, colon)).toLowerCase(Locale.ROOT);
        String field = colon < 0 ? null : t.substring(colon + 1);
        Kind kind;
        switch (name) {
            case "count": kind = Kind.COUNT; break;
            case "sum": kind = Kind.SUM; break;
            case "min": kind = Kind.MIN; break;
            case "max": kind = Kind.MAX; break;
            case "avg": kind = Kind.AVG; break;
            default:
                throw new IllegalArgumentException("bad aggregate '" + text
                        + "': expected count, sum:FIELD, min:FIELD, max:FIELD or avg:FIELD");
        }
        if (kind == Kind.COUNT && field != null) {
            throw new IllegalArgumentException("bad aggregate '" + text + "': count takes no field");
        }
        try {
            return of(kind, field);
        } catch (IllegalArgumentException e) {
            throw new IllegalArgumentException("bad aggregate '" + text + "': " + e.getMessage(), e);
        }
    }

    public Kind kind() { return kind; }

    /** The numeric field a value aggregate reads; {@code null} for count. */
    public String field() { return field; }

    /** True when results carry a {@code value} beside the count. */
    public boolean hasValue() { return kind != Kind.COUNT; }

    /** The canonical form, which {@link #parse} accepts. */
    @Override
    public String toString() {
        return kind == Kind.COUNT ? "count" : kind.name().toLowerCase(Locale.ROOT) + ":" + field;
    }

    @Override
    public boolean equals(Object o) {
        return o instanceof AggregateSpec && toString().equals(o.toString());
    }

    @Override
    public int hashCode() {
        return toString().hashCode();
    }
}
