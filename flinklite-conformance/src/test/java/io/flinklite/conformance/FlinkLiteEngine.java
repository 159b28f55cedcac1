package io.flinklite.conformance;

import io.flinklite.api.Sink;
import io.flinklite.api.WindowResult;
import io.flinklite.runtime.replay.Replay;
import io.flinklite.runtime.replay.ReplayStats;
import java.io.ByteArrayInputStream;
import java.io.InputStream;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;

/** FlinkLite under test: the {@code replay} engine over the case's lines, from memory or from a stream. */
final class FlinkLiteEngine {

    /** One replay: the outcome, plus how many invalid lines it counted and how many it reported. */
    record Run(Outcome outcome, long invalidLines, int invalidReports, ReplayStats stats) {
    }

    private FlinkLiteEngine() {
    }

    /** Replays the lines as pre-serialized events in memory, as the benchmark does. */
    static Run run(ConformanceCase c) throws Exception {
        return replay(c, null);
    }

    /**
     * Replays the lines as one UTF-8 stream, as {@code flinklite replay --input} does, joined by {@code \n}, with or
     * without a final line terminator.
     */
    static Run runFromStream(ConformanceCase c, boolean finalNewline) throws Exception {
        StringBuilder text = new StringBuilder();
        for (String line : c.lines()) {
            text.append(line).append('\n');
        }
        if (!finalNewline && text.length() > 0) {
            text.setLength(text.length() - 1);
        }
        return replay(c, new ByteArrayInputStream(text.toString().getBytes(StandardCharsets.UTF_8)));
    }

    private static Run replay(ConformanceCase c, InputStream stream) throws Exception {
        List<WindowResult> results = new ArrayList<>();
        List<String> late = new ArrayList<>();
        List<String> reports = new ArrayList<>();
        Sink<byte[]> lateSink = bytes -> late.add(new String(bytes, StandardCharsets.UTF_8));
        ReplayStats stats = stream == null
                ? Replay.run(c.spec(), c.linesAsBytes(), results::add, lateSink, reports::add)
                : Replay.run(c.spec(), stream, results::add, lateSink, reports::add);
        return new Run(new Outcome(results, late), stats.invalid(), reports.size(), stats);
    }
}
