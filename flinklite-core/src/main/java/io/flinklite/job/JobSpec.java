package io.flinklite.job;

import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.LinkedHashSet;
import java.util.Map;
import java.util.Objects;
import java.util.Set;
import java.util.TreeSet;

/**
 * What the built-in job computes: read JSON events, assign event time (see {@link #timestamps()}) with bounded
 * out-of-orderness, keep the events whose key field is one of {@link #types()}, key by that field, window, aggregate.
 * The same spec drives {@code replay}, {@code run}, the checkpoint fingerprint and the Flink differential tests.
 *
 * <p>Immutable; the {@code with...} methods return a copy. Defaults are the seed job: sliding 10 s / 5 s,
 * out-of-orderness 5 s, no allowed lateness, types {@code important,critical}, key field {@code message}, count.
 */
public final class JobSpec {

    /** The default JSON field that carries the event time ({@link TimestampSpec#DEFAULT_FIELD}). */
    public static final String TIMESTAMP_FIELD = TimestampSpec.DEFAULT_FIELD;

    // The seed job, as a user types it: the CLI's flag defaults and defaults() are these strings, parsed.
    /** The default window, {@link WindowSpec#parse} form. */
    public static final String DEFAULT_WINDOW = "sliding:10s:5s";
    /** The default bound of the watermark, a {@link Durations} string. */
    public static final String DEFAULT_OUT_OF_ORDERNESS = "5s";
    /** The default allowed lateness, a {@link Durations} string. */
    public static final String DEFAULT_ALLOWED_LATENESS = "0s";
    /** The default types to keep, {@link #parseTypes} form. */
    public static final String DEFAULT_TYPES = "important,critical";
    /** The default field to filter and key by. */
    public static final String DEFAULT_KEY_FIELD = "message";
    /** The default aggregate, {@link AggregateSpec#parse} form. */
    public static final String DEFAULT_AGGREGATE = "count";

    private final WindowSpec window;
    private final long outOfOrdernessMs;
    private final long allowedLatenessMs;
    private final Set<String> types;
    private final String keyField;
    private final AggregateSpec aggregate;
    private final TimestampSpec timestamps;

    private JobSpec(WindowSpec window, long outOfOrdernessMs, long allowedLatenessMs, Set<String> types,
                    String keyField, AggregateSpec aggregate, TimestampSpec timestamps) {
        this.window = Objects.requireNonNull(window, "window");
        this.outOfOrdernessMs = Durations.checkOutOfOrderness(outOfOrdernessMs);
        this.allowedLatenessMs = Durations.checkAllowedLateness(allowedLatenessMs);
        TimestampSpec.checkPath(keyField);
        this.types = types == null ? null : Collections.unmodifiableSet(new LinkedHashSet<>(types));
        this.keyField = keyField;
        this.aggregate = Objects.requireNonNull(aggregate, "aggregate");
        this.timestamps = Objects.requireNonNull(timestamps, "timestamps");
    }

    /** The seed job. */
    public static JobSpec defaults() {
        return new JobSpec(WindowSpec.defaults(), Durations.parseMillis(DEFAULT_OUT_OF_ORDERNESS),
                Durations.parseMillis(DEFAULT_ALLOWED_LATENESS), parseTypes(DEFAULT_TYPES), DEFAULT_KEY_FIELD,
                AggregateSpec.parse(DEFAULT_AGGREGATE), TimestampSpec.defaults());
    }

    /**
     * Parses a {@code --types} value: a comma-separated list of key values, or {@code *} for every value.
     *
     * @return the set of types, or {@code null} meaning every type
     */
    public static Set<String> parseTypes(String text) {
        Objects.requireNonNull(text, "types");
        String t = text.trim();
        if (t.equals("*")) {
            return null;
        }
        Set<String> out = new LinkedHashSet<>();
        for (String part : t.split(",")) {
            String type = part.trim();
            if (!type.isEmpty()) {
                out.add(type);
            }
        }
        if (out.isEmpty()) {
            throw new IllegalArgumentException("bad types '" + text + "': expected a comma-separated list, or * for all");
        }
        return out;
    }

    public JobSpec withWindow(WindowSpec w) { return new JobSpec(w, outOfOrdernessMs, allowedLatenessMs, types, keyField, aggregate, timestamps); }
    public JobSpec withOutOfOrdernessMs(long ms) { return new JobSpec(window, ms, allowedLatenessMs, types, keyField, aggregate, timestamps); }
    public JobSpec withAllowedLatenessMs(long ms) { return new JobSpec(window, outOfOrdernessMs, ms, types, keyField, aggregate, timestamps); }
    /** @param t the selected key values, or {@code null} for every value */
    public JobSpec withTypes(Set<String> t) { return new JobSpec(window, outOfOrdernessMs, allowedLatenessMs, t, keyField, aggregate, timestamps); }
    public JobSpec withKeyField(String f) { return new JobSpec(window, outOfOrdernessMs, allowedLatenessMs, types, f, aggregate, timestamps); }
    public JobSpec withAggregate(AggregateSpec a) { return new JobSpec(window, outOfOrdernessMs, allowedLatenessMs, types, keyField, a, timestamps); }

    public WindowSpec window() { return window; }
    /** Bound B of the watermark: W = max timestamp - B - 1. */
    public long outOfOrdernessMs() { return outOfOrdernessMs; }
    public long allowedLatenessMs() { return allowedLatenessMs; }
    /** The selected key values; {@code null} when every value is selected ({@code --types '*'}). */
    public Set<String> types() { return types; }
    public boolean selectsAllTypes() { return types == null; }
    public boolean selects(String type) { return types == null || types.contains(type); }
    public String keyField() { return keyField; }
    public AggregateSpec aggregate() { return aggregate; }
    /** Where event time comes from; by default the flat {@code timestamp} field in epoch milliseconds. */
    public TimestampSpec timestamps() { return timestamps; }
    public JobSpec withTimestamps(TimestampSpec t) { return new JobSpec(window, outOfOrdernessMs, allowedLatenessMs, types, keyField, aggregate, t); }

    /**
     * A canonical one-line description of everything that shapes the job's state and results. Two specs with the
     * same fingerprint can share a checkpoint; the order in which types were given does not matter.
     */
    public String fingerprint() {
        String typeList = types == null ? "*" : String.join(",", new TreeSet<>(types));
        return "window=" + window + ";outOfOrderness=" + Durations.format(outOfOrdernessMs)
                + ";allowedLateness=" + Durations.format(allowedLatenessMs) + ";types=" + typeList
                + ";keyField=" + keyField + ";aggregate=" + aggregate
                // Only when set, so that checkpoints written before the option existed still match the default.
                + (timestamps.equals(TimestampSpec.defaults()) ? "" : ";timestamps=" + timestamps);
    }

    /**
     * The built-in job whose {@link #fingerprint()} is {@code fingerprint}, so a checkpoint's state can be checked
     * against the job that took it without its flags ({@code checkpoint inspect}). Empty when the fingerprint is not
     * exactly one of a built-in job of this build (a user job, a user aggregate, another build's format).
     */
    public static java.util.Optional<JobSpec> fromFingerprint(String fingerprint) {
        Map<String, String> parts = fingerprintParts(fingerprint);
        Set<String> names = new LinkedHashSet<>(parts.keySet());
        names.remove("timestamps");
        if (!names.equals(Set.of("window", "outOfOrderness", "allowedLateness", "types", "keyField", "aggregate"))) {
            return java.util.Optional.empty();
        }
        try {
            JobSpec spec = new JobSpec(WindowSpec.parse(parts.get("window")), Durations.parseMillis(parts.get("outOfOrderness")),
                    Durations.parseMillis(parts.get("allowedLateness")), parseTypes(parts.get("types")), parts.get("keyField"),
                    AggregateSpec.parse(parts.get("aggregate")), parseTimestamps(parts.get("timestamps")));
            return spec.fingerprint().equals(fingerprint) ? java.util.Optional.of(spec) : java.util.Optional.empty();
        } catch (IllegalArgumentException notBuiltIn) {
            return java.util.Optional.empty();
        }
    }

    /**
     * Names each part in which {@code other} differs from this spec, e.g. {@code "window: sliding:10s:5s vs tumbling:10s"};
     * empty when the fingerprints are equal.
     */
    public String describeDifference(JobSpec other) {
        return describeDifference(fingerprint(), other.fingerprint());
    }

    /**
     * Names each part in which fingerprint {@code b} differs from fingerprint {@code a}, as
     * {@code "name: valueInA vs valueInB"} joined by {@code "; "}; a part missing on one side shows as {@code (none)}.
     * Empty when they are equal. Works on stored fingerprints too (a checkpoint keeps only the string), including
     * ones written by a build whose fingerprint had other parts.
     */
    public static String describeDifference(String a, String b) {
        Map<String, String> mine = fingerprintParts(a);
        Map<String, String> theirs = fingerprintParts(b);
        Set<String> names = new LinkedHashSet<>(mine.keySet());
        names.addAll(theirs.keySet());
        StringBuilder diff = new StringBuilder();
        for (String name : names) {
            String x = mine.getOrDefault(name, "(none)");
            String y = theirs.getOrDefault(name, "(none)");
            if (!x.equals(y)) {
                if (diff.length() > 0) diff.append("; ");
                diff.append(name).append(": ").append(x).append(" vs ").append(y);
            }
        }
        return diff.toString();
    }

    /** The inverse of {@link TimestampSpec#toString()} ({@code kafka} or {@code field:PATH:FORMAT}); absent is the default. */
    private static TimestampSpec parseTimestamps(String text) {
        if (text == null) {
            return TimestampSpec.defaults();
        }
        if (text.equals("kafka")) {
            return TimestampSpec.defaults().withSource(TimestampSpec.Source.KAFKA);
        }
        int last = text.lastIndexOf(':');
        if (!text.startsWith("field:") || last <= "field:".length()) {
            throw new IllegalArgumentException("not a timestamp spec: " + text);
        }
        return TimestampSpec.defaults().withField(TimestampSpec.checkPath(text.substring("field:".length(), last)))
                .withFormat(TimestampSpec.Format.parse(text.substring(last + 1)));
    }

    private static Map<String, String> fingerprintParts(String fingerprint) {
        Map<String, String> parts = new LinkedHashMap<>();
        for (String part : fingerprint.split(";")) {
            int eq = part.indexOf('=');
            if (eq < 0) {
                parts.put(part, "");
            } else {
                parts.put(part.substring(0, eq), part.substring(eq + 1));
            }
        }
        return parts;
    }

    @Override
    public boolean equals(Object o) {
        return o instanceof JobSpec && fingerprint().equals(((JobSpec) o).fingerprint());
    }

    @Override
    public int hashCode() {
        return fingerprint().hashCode();
    }

    @Override
    public String toString() {
        return fingerprint();
    }


}
