package io.flinklite.conformance;

import java.util.ArrayList;
import java.util.List;
import java.util.Map;

/**
 * Shrinks a failing case to a few lines that still make FlinkLite disagree with Flink: first the shortest failing
 * prefix, then delta debugging (drop chunks of lines while the disagreement stays). Every round's candidates run
 * in one Flink job, so a minimization costs a few dozen jobs at most; it stops at {@link #MAX_FLINK_JOBS}.
 */
final class Minimizer {
    private static final int MAX_FLINK_JOBS = 40;
    private static final int MAX_CANDIDATES_PER_JOB = 64;

    private final Engine lite;
    private int jobs;
    private int candidateNumber;

    private Minimizer(Engine lite) {
        this.lite = lite;
    }

    /** Whatever FlinkLite is under test: runs one case. */
    @FunctionalInterface
    interface Engine {
        Outcome run(ConformanceCase c) throws Exception;
    }

    /** @return a smaller case that still fails, or {@code failing} itself when nothing smaller was found */
    static ConformanceCase minimize(ConformanceCase failing, Engine lite) throws Exception {
        return new Minimizer(lite).shrink(failing);
    }

    private ConformanceCase shrink(ConformanceCase c) throws Exception {
        List<String> current = shortestFailingPrefix(c);
        int n = 2;
        while (current.size() >= 2 && jobs < MAX_FLINK_JOBS) {
            int chunk = (current.size() + n - 1) / n;
            List<List<String>> candidates = new ArrayList<>();
            for (int start = 0; start < current.size() && candidates.size() < MAX_CANDIDATES_PER_JOB; start += chunk) {
                List<String> complement = new ArrayList<>(current.subList(0, start));
                complement.addAll(current.subList(Math.min(current.size(), start + chunk), current.size()));
                candidates.add(complement);
            }
            List<String> failing = firstFailing(c, candidates);
            if (failing != null) {
                current = failing;
                n = Math.max(n - 1, 2);
            } else if (n >= current.size()) {
                break;
            } else {
                n = Math.min(2 * n, current.size());
            }
        }
        return c.withLines(c.id() + "-min", current);
    }

    /** Tries prefixes of geometrically spaced lengths in one job, then narrows between the two best. */
    private List<String> shortestFailingPrefix(ConformanceCase c) throws Exception {
        List<String> lines = c.lines();
        int hi = lines.size();
        int lo = 0;
        while (hi - lo > 1 && jobs < MAX_FLINK_JOBS / 2) {
            List<List<String>> candidates = new ArrayList<>();
            int steps = Math.min(MAX_CANDIDATES_PER_JOB, hi - lo - 1);
            for (int i = 1; i <= steps; i++) {
                candidates.add(lines.subList(0, lo + (int) ((long) (hi - lo) * i / (steps + 1))));
            }
            List<String> failing = firstFailing(c, candidates);
            if (failing == null) {
                lo = candidates.get(candidates.size() - 1).size();
            } else {
                int size = failing.size();
                int index = candidates.indexOf(failing);
                lo = index == 0 ? lo : candidates.get(index - 1).size();
                hi = size;
            }
        }
        return new ArrayList<>(lines.subList(0, hi));
    }

    /** Runs the candidates (Flink in one job) and returns the first, in order, whose outcomes differ. */
    private List<String> firstFailing(ConformanceCase c, List<List<String>> candidateLines) throws Exception {
        List<ConformanceCase> candidates = new ArrayList<>(candidateLines.size());
        for (List<String> lines : candidateLines) {
            candidates.add(c.withLines(c.id() + "-try" + (candidateNumber++), lines));
        }
        jobs++;
        Map<String, Outcome> truth = FlinkReference.run(candidates);
        for (int i = 0; i < candidates.size(); i++) {
            ConformanceCase candidate = candidates.get(i);
            Outcome outcome;
            try {
                outcome = lite.run(candidate);
            } catch (Exception | AssertionError e) {
                return candidateLines.get(i); // a crash is a failure too
            }
            if (OutcomeDiff.diff(candidate, truth.get(candidate.id()), outcome) != null) {
                return candidateLines.get(i);
            }
        }
        return null;
    }
}
