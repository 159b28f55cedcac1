package io.flinklite.conformance;

import io.flinklite.job.AggregateSpec;
import io.flinklite.job.JobSpec;
import io.flinklite.api.WindowAssigner;
import io.flinklite.job.WindowSpec;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Set;
import java.util.SplittableRandom;

/**
 * Generates a disordered event stream and a job spec from one seed, so that a failing case is reproduced by its seed
 * alone.
 *
 * <p>The seed picks one cell of the coverage matrix ({@link #SHAPES} window shapes x with/without allowed lateness x
 * {@link AggregateSpec.Kind}), so any {@value #MATRIX_CELLS} consecutive seeds cover every cell; everything else is
 * drawn from the seed: the time scale, the out-of-orderness bound and the lateness relative to the window, epoch-ms
 * timestamps around 1.7e12 or small ones near 0, bursts of equal timestamps, gaps (exactly the session gap, one
 * less, one more, or much more), disorder inside the bound, at its edge and beyond it (within and beyond the allowed
 * lateness), duplicate lines, filtered types, a few or a few hundred keys, now and then long streams (up to 20 k
 * events) or dozens of sliding windows per element, values, extra and nested fields (some reusing the names
 * {@code timestamp}, {@code message} and {@code value} one level down), escaped strings, reordered fields, blanks
 * between tokens, and invalid lines: not JSON, truncated, missing or non-numeric timestamp, missing key. Invalid lines
 * carry far-future timestamps where they have one, so a decoder that let them advance the watermark would be caught.
 *
 * <p>Never generated, because the replay contract leaves them open: a timestamp written as a decimal or as a quoted
 * number, a numeric or null key, a missing value field, blank lines, negative timestamps.
 */
final class CaseGenerator {

    /** Window shapes of the coverage matrix. */
    static final String[] SHAPES = {
        "tumbling", "tumbling+offset", "sliding(size=k*slide)", "sliding(size!=k*slide)", "sliding+offset",
        "sliding(slide>=size)", "session"};

    static final int MATRIX_CELLS = SHAPES.length * 2 * AggregateSpec.Kind.values().length;

    private static final String VALUE_FIELD = "value";
    private static final String[] SELECTED_POOL = {"important", "critical"};
    private static final String[] FILTERED_POOL = {"normal", "debug"};
    private static final String[] EXOTIC_KEYS = {"warn", "ünïcödé", "with \\\"quote\\\"", "tab\\there", "\\u00e9t\\u00e9"};

    private final long seed;
    private final SplittableRandom rnd;

    private CaseGenerator(long seed) {
        this.seed = seed;
        this.rnd = new SplittableRandom(seed);
    }

    /** The case of {@code seed}; its id is {@code "seed-<seed>"}. */
    static ConformanceCase generate(long seed) {
        return new CaseGenerator(seed).build();
    }

    /** Which matrix cell a seed falls in: a human-readable name, for reports. */
    static String cellOf(long seed) {
        int cell = (int) Math.floorMod(seed, (long) MATRIX_CELLS);
        return SHAPES[cell % SHAPES.length] + ", " + (((cell / SHAPES.length) % 2) == 1 ? "lateness" : "no lateness")
                + ", " + AggregateSpec.Kind.values()[cell / (SHAPES.length * 2)].name().toLowerCase(Locale.ROOT);
    }

    private ConformanceCase build() {
        int cell = (int) Math.floorMod(seed, (long) MATRIX_CELLS);
        int shape = cell % SHAPES.length;
        boolean withLateness = ((cell / SHAPES.length) % 2) == 1;
        AggregateSpec.Kind kind = AggregateSpec.Kind.values()[cell / (SHAPES.length * 2)];

        WindowSpec window = window(shape);
        long scale = window.kind() == WindowAssigner.Kind.SESSION ? window.gapMs() : window.sizeMs();
        long bound = pick(0L, 1L, Math.max(1, scale / 10), scale / 2, scale, 2 * scale);
        long lateness = withLateness ? pick(1L, Math.max(1, scale / 10), scale / 2, scale, 3 * scale) : 0;
        String keyField = rnd.nextInt(100) < 15 ? "level" : "message";
        int typesChoice = rnd.nextInt(100);
        Set<String> types = typesChoice < 15 ? null : typesChoice < 25 ? Set.of("critical") : Set.of(SELECTED_POOL);
        AggregateSpec aggregate = kind == AggregateSpec.Kind.COUNT ? AggregateSpec.count() : AggregateSpec.of(kind, VALUE_FIELD);
        JobSpec spec = JobSpec.defaults().withWindow(window).withOutOfOrdernessMs(bound).withAllowedLatenessMs(lateness)
                .withTypes(types).withKeyField(keyField).withAggregate(aggregate);

        boolean exactValues = rnd.nextInt(100) < 75;
        boolean smallTimestamps = rnd.nextInt(100) < 15;
        long clock = smallTimestamps ? rnd.nextLong(0, 2 * scale + 1) : rnd.nextLong(1_600_000_000_000L, 1_800_000_000_000L);
        // Now and then a long stream, so that maps, heaps and buffers must grow.
        int events = rnd.nextInt(100) < 5 ? rnd.nextInt(8_000, 20_000) : rnd.nextInt(200, 1_500);
        // Now and then many keys (all types selected), so that per-key state must grow.
        int manyKeys = types == null && rnd.nextInt(100) < 30 ? rnd.nextInt(50, 400) : 0;
        // Mean distance between events: between a few and a few dozen events per window or session.
        long meanStep = Math.max(1, scale / rnd.nextInt(2, 40));

        List<String> lines = new ArrayList<>(events + events / 20);
        int invalid = 0;
        for (int i = 0; i < events; i++) {
            clock += step(window, scale, meanStep);
            int roll = rnd.nextInt(1000);
            if (roll < 15) {
                lines.add(invalidLine(i, clock + 100 * scale + rnd.nextLong(0, scale + 1), keyField, lines));
                invalid++;
                continue;
            }
            if (roll < 45 && !lines.isEmpty()) {
                String earlier = lines.get(Math.max(0, lines.size() - 1 - rnd.nextInt(20)));
                lines.add(earlier);
                if (ReferenceParser.parse(earlier, keyField, aggregate.field()) == null) {
                    invalid++;
                }
                continue;
            }
            long ts = Math.max(0, clock - disorder(bound, lateness, scale));
            String key = manyKeys > 0 && rnd.nextBoolean() ? "k" + rnd.nextInt(manyKeys) : key(types);
            lines.add(eventLine(i, ts, keyField, key, value(exactValues)));
        }
        return new ConformanceCase("seed-" + seed, seed, spec, lines, exactValues, invalid);
    }

    private WindowSpec window(int shape) {
        long[] sizes = {5, 10, 100, 1_000, 2_000, 5_000, 10_000, 60_000};
        switch (shape) {
            case 0:
                return WindowSpec.tumbling(pick(sizes), 0);
            case 1: {
                long size = pick(sizes);
                return WindowSpec.tumbling(size, offset(size));
            }
            case 2: {
                long slide = pick(1L, 2L, 50L, 500L, 1_000L, 2_500L, 5_000L);
                // Mostly a few windows per element; sometimes dozens, as with a 1 min window every second.
                int windowsPerElement = rnd.nextInt(100) < 20 ? rnd.nextInt(10, 61) : rnd.nextInt(1, 5);
                return WindowSpec.sliding(slide * windowsPerElement, slide, 0);
            }
            case 3: {
                long slide = pick(3L, 30L, 300L, 3_000L, 4_000L);
                return WindowSpec.sliding(slide * rnd.nextInt(1, 4) + rnd.nextLong(1, slide), slide, 0);
            }
            case 4: {
                long slide = pick(2L, 100L, 1_000L, 5_000L);
                long size = rnd.nextBoolean() ? slide * rnd.nextInt(1, 4) : slide * 2 + rnd.nextLong(1, slide);
                return WindowSpec.sliding(size, slide, offset(slide));
            }
            case 5: {
                long size = pick(3L, 100L, 1_000L, 4_000L);
                long slide = rnd.nextBoolean() ? size : size + rnd.nextLong(1, size + 1);
                return WindowSpec.sliding(size, slide, rnd.nextBoolean() ? 0 : offset(slide));
            }
            default:
                return WindowSpec.session(pick(1L, 5L, 50L, 500L, 1_000L, 5_000L));
        }
    }

    /** A non-zero offset, either sign, strictly smaller than {@code period} in magnitude. */
    private long offset(long period) {
        if (period == 1) {
            return 0;
        }
        long magnitude = rnd.nextLong(1, period);
        return rnd.nextBoolean() ? magnitude : -magnitude;
    }

    private long step(WindowSpec window, long scale, long meanStep) {
        int roll = rnd.nextInt(1000);
        if (roll < 150) {
            return 0; // bursts of equal timestamps
        }
        if (roll < 170) {
            return scale * rnd.nextInt(2, 6) + rnd.nextLong(0, scale); // quiet period: several windows pass
        }
        if (window.kind() == WindowAssigner.Kind.SESSION && roll < 230) {
            return scale + rnd.nextInt(-1, 2); // exactly the gap, one less, one more
        }
        return rnd.nextLong(0, 2 * meanStep + 1);
    }

    private long disorder(long bound, long lateness, long scale) {
        int roll = rnd.nextInt(100);
        if (roll < 30) {
            return 0;
        }
        if (roll < 82) {
            return rnd.nextLong(0, bound + 1);
        }
        if (roll < 90) {
            return bound + rnd.nextInt(0, 3); // the edge of the bound
        }
        return bound + rnd.nextLong(1, bound + lateness + 3 * scale + 2); // late, within and beyond the lateness
    }

    private String key(Set<String> types) {
        int roll = rnd.nextInt(100);
        if (types == null && roll < 10) {
            return EXOTIC_KEYS[rnd.nextInt(EXOTIC_KEYS.length)];
        }
        if (roll < 30) {
            return FILTERED_POOL[rnd.nextInt(FILTERED_POOL.length)];
        }
        return SELECTED_POOL[rnd.nextInt(SELECTED_POOL.length)];
    }

    /** A JSON number literal. */
    private String value(boolean exact) {
        if (exact) {
            // Multiples of 1/4 up to 1000 in magnitude: every partial sum of a few thousand is an exact double.
            long quarters = rnd.nextLong(-4_000, 4_001);
            return quarters % 4 == 0 ? Long.toString(quarters / 4) : Double.toString(quarters / 4.0);
        }
        switch (rnd.nextInt(4)) {
            case 0:
                return Long.toString(rnd.nextLong(-1_000_000, 1_000_000));
            case 1:
                return String.format(Locale.ROOT, "%.6f", rnd.nextDouble(-1_000, 1_000));
            case 2:
                return String.format(Locale.ROOT, "%.3e", rnd.nextDouble(-1e6, 1e6));
            default:
                return Double.toString(rnd.nextDouble());
        }
    }

    private String eventLine(int id, long ts, String keyField, String key, String value) {
        List<String> fields = new ArrayList<>(7);
        fields.add(q("id") + ":" + id);
        fields.add(q(JobSpec.TIMESTAMP_FIELD) + ":" + ts);
        fields.add(q(keyField) + ":" + q(key));
        if (!keyField.equals("message")) {
            fields.add(q("message") + ":" + q(pick(FILTERED_POOL[0], SELECTED_POOL[1])));
        }
        fields.add(q(VALUE_FIELD) + ":" + value);
        if (rnd.nextInt(100) < 20) {
            // The same names one level down: a decoder must read only top-level fields.
            fields.add(q("meta") + ":{" + q("timestamp") + ":1," + q(keyField) + ":" + q("inner") + ","
                    + q("arr") + ":[1,{" + q(VALUE_FIELD) + ":" + q("x") + "},[]]}");
        }
        if (rnd.nextInt(100) < 10) {
            fields.add(q("note") + ":" + q("commas, {braces} [brackets] \\\"quotes\\\" and \\\\ backslash"));
        }
        if (rnd.nextInt(100) < 10) {
            fields.add(q("flag") + ":" + pick("true", "false", "null"));
        }
        if (rnd.nextInt(100) < 5) {
            // Numbers no long or double field of the job could hold, in fields the job does not read.
            fields.add(q("big") + ":" + pick("123456789012345678901234567890", "-1.5e-300", "1E+308", "0.000000000000000000001"));
        }
        if (rnd.nextInt(100) < 5) {
            // Field-like text inside a string value.
            fields.add(q("text") + ":" + q("\\\"" + JobSpec.TIMESTAMP_FIELD + "\\\":9,\\\"" + keyField + "\\\":\\\"critical\\\""));
        }
        shuffle(fields);
        String sep = rnd.nextInt(100) < 10 ? pick(" , ", "\t,\t", ",  ") : ",";
        String colonFix = rnd.nextInt(100) < 10 ? " : " : ":";
        StringBuilder line = new StringBuilder(96).append(colonFix.equals(":") ? "{" : "{ ");
        for (int i = 0; i < fields.size(); i++) {
            if (i > 0) line.append(sep);
            line.append(colonFix.equals(":") ? fields.get(i) : fields.get(i).replaceFirst("\":", "\"" + colonFix));
        }
        line.append(colonFix.equals(":") ? "}" : " }");
        // Blanks around the object are JSON too; the late output must keep them.
        return rnd.nextInt(100) < 3 ? " " + line + "\t" : line.toString();
    }

    private String invalidLine(int id, long futureTs, String keyField, List<String> lines) {
        switch (rnd.nextInt(7)) {
            case 0:
                return rnd.nextBoolean() ? "not json at all " + id : "{}";
            case 1:
                return "{" + q("id") + ":" + id + "," + q(keyField) + ":" + q("critical") + "," + q(VALUE_FIELD) + ":1}";
            case 2:
                return "{" + q("id") + ":" + id + "," + q(JobSpec.TIMESTAMP_FIELD) + ":" + futureTs + "," + q(VALUE_FIELD) + ":1}";
            case 3:
                return "{" + q("id") + ":" + id + "," + q(JobSpec.TIMESTAMP_FIELD) + ":" + q("soon") + "," + q(keyField)
                        + ":" + q("critical") + "," + q(VALUE_FIELD) + ":1}";
            case 4: {
                String whole = eventLine(id, futureTs, keyField, "critical", "1");
                return whole.substring(0, whole.length() / 2);
            }
            default:
                return "[" + futureTs + "," + q("critical") + "]";
        }
    }

    private void shuffle(List<String> l) {
        for (int i = l.size() - 1; i > 0; i--) {
            int j = rnd.nextInt(i + 1);
            String t = l.get(i);
            l.set(i, l.get(j));
            l.set(j, t);
        }
    }

    private long pick(long... choices) {
        return choices[rnd.nextInt(choices.length)];
    }

    private String pick(String... choices) {
        return choices[rnd.nextInt(choices.length)];
    }

    private static String q(String s) {
        return "\"" + s + "\"";
    }
}
