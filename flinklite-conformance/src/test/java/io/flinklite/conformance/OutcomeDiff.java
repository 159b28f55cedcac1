package io.flinklite.conformance;

import io.flinklite.api.WindowResult;
import io.flinklite.job.AggregateSpec;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;

/**
 * Compares two engines' outcomes of one case as multisets: window results and late lines, order ignored.
 *
 * <p>How values compare, by aggregate:
 * <ul>
 *   <li>count: the results must carry no value; counts compare exactly, like every key and window bound.</li>
 *   <li>min, max: exactly ({@code ==}, so {@code -0.0} equals {@code 0.0}): neither engine can round.</li>
 *   <li>sum, avg on {@link ConformanceCase#exactValues() exact-value} cases: exactly. Every value is a multiple of 1/4
 *       below 1000 in magnitude, so every partial sum is an exact double whatever the order of addition (Flink adds
 *       in arrival order and merges session accumulators; FlinkLite may pre-aggregate per slide), and the average is
 *       one correctly rounded division of equal operands.</li>
 *   <li>sum, avg on other cases (values up to 1e6 in magnitude with arbitrary decimals): within the worst-case error
 *       bound of recursive summation in any order, {@code n * u * sum|x|} with {@code u = 2^-53} and
 *       {@code sum|x| <= n * 1e6}, doubled for the two engines (divided by {@code n} for avg), plus 1e-12 relative.</li>
 * </ul>
 */
final class OutcomeDiff {
    private static final double MAX_ABS_VALUE = 1e6;
    private static final double UNIT_ROUNDOFF = 0x1p-53;
    private static final int SHOWN = 12;

    private OutcomeDiff() {
    }

    /**
     * @param flink the truth
     * @return {@code null} when the outcomes agree, else a report of what FlinkLite missed and what it added
     */
    static String diff(ConformanceCase c, Outcome flink, Outcome lite) {
        StringBuilder report = new StringBuilder();
        diffResults(c, flink.results(), lite.results(), report);
        diffLate(flink.late(), lite.late(), report);
        return report.length() == 0 ? null : report.toString();
    }

    private static void diffResults(ConformanceCase c, List<WindowResult> flink, List<WindowResult> lite, StringBuilder report) {
        Map<String, List<WindowResult>> unmatched = new HashMap<>();
        for (WindowResult r : lite) {
            unmatched.computeIfAbsent(identity(r), k -> new ArrayList<>()).add(r);
        }
        List<WindowResult> missing = new ArrayList<>();
        for (WindowResult expected : flink) {
            List<WindowResult> candidates = unmatched.get(identity(expected));
            WindowResult match = null;
            if (candidates != null) {
                for (WindowResult r : candidates) {
                    if (sameValue(c, expected, r)) {
                        match = r;
                        break;
                    }
                }
            }
            if (match == null) {
                missing.add(expected);
            } else {
                candidates.remove(match);
            }
        }
        List<WindowResult> extra = new ArrayList<>();
        for (List<WindowResult> rest : unmatched.values()) {
            extra.addAll(rest);
        }
        if (!missing.isEmpty() || !extra.isEmpty()) {
            report.append("results: Flink ").append(flink.size()).append(", FlinkLite ").append(lite.size()).append('\n');
            list("  only in Flink (missing in FlinkLite)", missing, report);
            list("  only in FlinkLite (wrong or extra)", extra, report);
        }
    }

    private static void diffLate(List<String> flink, List<String> lite, StringBuilder report) {
        Map<String, Integer> balance = new HashMap<>();
        for (String l : flink) balance.merge(l, 1, Integer::sum);
        for (String l : lite) balance.merge(l, -1, Integer::sum);
        List<String> missing = new ArrayList<>();
        List<String> extra = new ArrayList<>();
        for (Map.Entry<String, Integer> e : balance.entrySet()) {
            for (int i = 0; i < Math.abs(e.getValue()); i++) {
                (e.getValue() > 0 ? missing : extra).add(e.getKey());
            }
        }
        if (!missing.isEmpty() || !extra.isEmpty()) {
            report.append("late side output: Flink ").append(flink.size()).append(", FlinkLite ").append(lite.size()).append('\n');
            list("  only in Flink's (missing in FlinkLite's)", missing, report);
            list("  only in FlinkLite's", extra, report);
        }
    }

    /** Everything but the value. */
    private static String identity(WindowResult r) {
        return r.key() + '\u0000' + r.windowStart() + '\u0000' + r.windowEnd() + '\u0000' + r.count() + '\u0000' + r.hasValue();
    }

    private static boolean sameValue(ConformanceCase c, WindowResult expected, WindowResult actual) {
        if (!expected.hasValue()) {
            return true;
        }
        double a = expected.value();
        double b = actual.value();
        AggregateSpec.Kind kind = c.spec().aggregate().kind();
        boolean exact = kind == AggregateSpec.Kind.MIN || kind == AggregateSpec.Kind.MAX || c.exactValues();
        if (a == b || exact) {
            return a == b;
        }
        double n = expected.count();
        double bound = 2 * n * UNIT_ROUNDOFF * n * MAX_ABS_VALUE;
        if (kind == AggregateSpec.Kind.AVG) {
            bound /= n;
        }
        return Math.abs(a - b) <= bound + 1e-12 * Math.max(Math.abs(a), Math.abs(b));
    }

    private static void list(String title, List<?> items, StringBuilder report) {
        if (items.isEmpty()) {
            return;
        }
        report.append(title).append(": ").append(items.size()).append('\n');
        for (int i = 0; i < Math.min(SHOWN, items.size()); i++) {
            report.append("    ").append(items.get(i)).append('\n');
        }
        if (items.size() > SHOWN) {
            report.append("    ...\n");
        }
    }
}
