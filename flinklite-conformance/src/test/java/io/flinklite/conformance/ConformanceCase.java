package io.flinklite.conformance;

import io.flinklite.job.JobSpec;
import java.nio.charset.StandardCharsets;
import java.util.List;

/**
 * One differential test case: a job spec and the JSON lines it replays, as both engines see them.
 *
 * @param id unique within one run of the reference; names the case in reports
 * @param seed the generator seed that reproduces the case ({@code -Dconformance.seed=...}); -1 for hand-written cases
 * @param spec the job both engines run
 * @param lines the input, one JSON object (or a deliberately invalid line) per element, without line terminators
 * @param exactValues true when every value in the input is a multiple of 1/4 small enough that each partial sum is
 *     exactly representable as a double, so sums and averages agree bit for bit whatever the order of addition
 * @param invalidLines how many of {@code lines} are invalid by the replay contract (skipped, counted, reported)
 */
record ConformanceCase(String id, long seed, JobSpec spec, List<String> lines, boolean exactValues, int invalidLines) {

    ConformanceCase {
        lines = List.copyOf(lines);
    }

    /** The same case with other lines, as the minimizer tries them; the invalid-line count is no longer known. */
    ConformanceCase withLines(String newId, List<String> newLines) {
        return new ConformanceCase(newId, seed, spec, newLines, exactValues, -1);
    }

    byte[][] linesAsBytes() {
        byte[][] out = new byte[lines.size()][];
        for (int i = 0; i < out.length; i++) {
            out[i] = lines.get(i).getBytes(StandardCharsets.UTF_8);
        }
        return out;
    }

    /** What a person needs to replay the case by hand: the {@code replay} flags and the seed. */
    String describe() {
        return id + " (seed " + seed + ", " + lines.size() + " lines): " + spec;
    }
}
