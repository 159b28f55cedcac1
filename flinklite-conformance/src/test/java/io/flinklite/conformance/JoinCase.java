package io.flinklite.conformance;

import io.flinklite.job.JobSpec;
import io.flinklite.job.JoinSpec;
import io.flinklite.job.WindowSpec;
import java.util.ArrayList;
import java.util.List;
import java.util.SplittableRandom;

/**
 * One differential case of a stream-stream join: a job (out-of-orderness, lateness, types), a join, and the two
 * inputs' lines. {@link #generate} draws them from a seed such that <b>no element is ever late</b> in any
 * interleaving of the two inputs: each side's timestamps stay within its own out-of-orderness bound
 * ({@code ts >= max so far - B}), so every element is ahead of its own side's watermark, hence of the join
 * operator's (a minimum that includes it); for session windows one millisecond more ({@code ts >= max - B + 1}), since
 * an element at exactly {@code W + 1} may touch a session the watermark {@code W} has just fired. Then the pairs are the same whatever order Flink's two sources take turns
 * in, and the two engines must agree exactly.
 *
 * @param id    unique within one Flink job
 * @param seed  reproduces the case ({@code -Dconformance.joins.only=<seed>})
 * @param left  the left input's lines (some invalid)
 * @param right the right input's lines
 */
record JoinCase(String id, long seed, JobSpec spec, JoinSpec join, List<String> left, List<String> right) {

    /** Four join kinds times four bound shapes: {@code seed mod 16} picks the cell. */
    static final int CELLS = 16;
    /** Key values as written in the JSON lines; the last one has escapes, {@link #EXOTIC_KEY} when decoded. */
    private static final String[] KEYS = {"critical", "important", "normal", "ünï \\\"q\\\""};
    private static final String EXOTIC_KEY = "ünï \"q\"";

    JoinCase {
        left = List.copyOf(left);
        right = List.copyOf(right);
    }

    static String cellOf(long seed) {
        int cell = (int) Math.floorMod(seed, (long) CELLS);
        String[] kinds = {"interval", "tumbling", "sliding", "session"};
        String[] shapes = {"small", "negative", "zero-crossing", "positive"};
        return kinds[cell % 4] + (cell % 4 == 0 ? "/" + shapes[cell / 4] + " bounds" : "/" + shapes[cell / 4] + " windows");
    }

    static JoinCase generate(long seed) {
        SplittableRandom rnd = new SplittableRandom(seed);
        int cell = (int) Math.floorMod(seed, (long) CELLS);
        // Timestamps, bounds and window lengths on a common grain, so that pairs exactly at a bound, elements exactly
        // at a window's edge and sessions exactly one gap apart are frequent rather than rare.
        long g = new long[] {1, 1, 5, 50}[rnd.nextInt(4)];
        int shape = cell / 4;
        JoinSpec join;
        switch (cell % 4) {
            case 0: {
                long a;
                long b;
                switch (shape) {
                    case 0: a = -g * rnd.nextLong(0, 4); b = g * rnd.nextLong(0, 4); break; // includes [0, 0]
                    case 1: a = -g * rnd.nextLong(0, 60); b = -g * rnd.nextLong(0, 60); break;
                    case 2: a = -g * rnd.nextLong(0, 60); b = g * rnd.nextLong(0, 60); break;
                    default: a = g * rnd.nextLong(0, 60); b = g * rnd.nextLong(0, 60); break;
                }
                join = JoinSpec.interval(Math.min(a, b), Math.max(a, b));
                break;
            }
            case 1: {
                long size = g * (shape == 0 ? rnd.nextLong(1, 10) : rnd.nextLong(10, 60));
                long offset = shape == 2 ? g * rnd.nextLong(-size / g + 1, size / g) : 0;
                join = JoinSpec.window(WindowSpec.tumbling(size, offset));
                break;
            }
            case 2: {
                long size = g * (shape == 0 ? rnd.nextLong(1, 10) : rnd.nextLong(10, 60));
                long slide = g * (shape == 3 ? rnd.nextLong(size / g, 2 * size / g + 1) : rnd.nextLong(1, size / g + 1));
                long offset = shape == 2 ? g * rnd.nextLong(-slide / g + 1, slide / g) : 0;
                join = JoinSpec.window(WindowSpec.sliding(size, slide, offset));
                break;
            }
            default:
                join = JoinSpec.window(WindowSpec.session(g * (shape == 0 ? rnd.nextLong(1, 4) : rnd.nextLong(4, 30))));
                break;
        }
        long outOfOrderness = g * new long[] {0, 1, 10, 40}[rnd.nextInt(4)];
        long lateness = g * new long[] {0, 0, 2, 20}[rnd.nextInt(4)];
        JobSpec spec = JobSpec.defaults().withOutOfOrdernessMs(outOfOrderness).withAllowedLatenessMs(lateness)
                .withTypes(rnd.nextBoolean() ? null : java.util.Set.of("critical", "important", EXOTIC_KEY));
        int keys = 1 + rnd.nextInt(KEYS.length);
        long base = g * (rnd.nextInt(4) == 0 ? rnd.nextLong(-100, 100) : 34_000_000_000L + rnd.nextLong(0, 2000));
        int[] id = {0};
        // Sessions need one millisecond more: an element exactly at the watermark + 1 could touch a session that the
        // watermark just fired, or not, depending on the interleaving; one at + 2 or more touches none that fired.
        long minAhead = join.isInterval() || !join.window().assigner().isSession() ? 0 : 1;
        List<String> left = side(rnd, "L", base + g * rnd.nextLong(-20, 21), g, outOfOrderness, minAhead, keys, id);
        List<String> right = side(rnd, "R", base + g * rnd.nextLong(-20, 21), g, outOfOrderness, minAhead, keys, id);
        return new JoinCase("join-" + seed, seed, spec, join, left, right);
    }

    /** One input: timestamps that never fall behind {@code max - outOfOrderness}, some invalid lines. */
    private static List<String> side(SplittableRandom rnd, String name, long start, long g, long outOfOrderness,
                                     long minAhead, int keys, int[] id) {
        int n = rnd.nextInt(10) == 0 ? 0 : rnd.nextInt(1, 80);
        long spread = g * new long[] {1, 3, 10}[rnd.nextInt(3)];
        List<String> lines = new ArrayList<>(n);
        long max = Long.MIN_VALUE;
        for (int i = 0; i < n; i++) {
            if (rnd.nextInt(20) == 0) {
                lines.add(rnd.nextBoolean() ? "not json " + name + i
                        : "{\"id\":" + (id[0]++) + ",\"timestamp\":\"soon\",\"message\":\"critical\"}");
                continue;
            }
            long ts;
            if (max == Long.MIN_VALUE) {
                ts = start;
            } else {
                ts = max - outOfOrderness + g * rnd.nextLong(minAhead, (outOfOrderness + spread) / g + 1);
            }
            max = Math.max(max, ts);
            String key = KEYS[rnd.nextInt(keys)];
            lines.add("{\"id\":" + (id[0]++) + ",\"side\":\"" + name + "\",\"timestamp\":" + ts + ",\"message\":\""
                    + key + "\"}");
        }
        return lines;
    }

    /** The {@code replay} command that runs this case, for failure reports. */
    String command() {
        return "bin/flinklite replay --input left.jsonl --join-input right.jsonl --output out.jsonl --join " + join
                + " --out-of-orderness " + spec.outOfOrdernessMs() + "ms --allowed-lateness "
                + spec.allowedLatenessMs() + "ms --types '"
                + (spec.selectsAllTypes() ? "*" : String.join(",", spec.types())) + "'";
    }
}
