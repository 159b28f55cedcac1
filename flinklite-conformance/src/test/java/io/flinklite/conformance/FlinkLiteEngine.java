package io.flinklite.conformance;

import io.flinklite.api.WindowResult;
import io.flinklite.runtime.replay.Replay;
import io.flinklite.runtime.replay.ReplayStats;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;

/** FlinkLite under test: the {@code replay} engine over the case's lines, in memory. */
final class FlinkLiteEngine {

    /** One replay: the outcome, plus how many invalid lines it counted and how many it reported. */
    record Run(Outcome outcome, long invalidLines, int invalidReports, ReplayStats stats) {
    }

    private FlinkLiteEngine() {
    }

    static Run run(ConformanceCase c) throws Exception {
        List<WindowResult> results = new ArrayList<>();
        List<String> late = new ArrayList<>();
        List<String> reports = new ArrayList<>();
        ReplayStats stats = Replay.run(c.spec(), c.linesAsBytes(), results::add,
                bytes -> late.add(new String(bytes, StandardCharsets.UTF_8)), reports::add);
        return new Run(new Outcome(results, late), stats.invalid(), reports.size(), stats);
    }
}
