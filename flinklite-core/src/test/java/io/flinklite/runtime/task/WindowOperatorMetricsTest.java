package io.flinklite.runtime.task;

import io.flinklite.api.Event;
import io.flinklite.api.WindowAssigner;
import io.flinklite.api.WindowResult;
import io.flinklite.job.AggregateSpec;
import io.flinklite.job.TimestampSpec;
import io.flinklite.runtime.graph.EventFormat;
import io.flinklite.runtime.graph.JobGraph;
import io.flinklite.runtime.metrics.JobMetrics;
import io.flinklite.runtime.replay.ArraySourceReader;
import io.flinklite.runtime.window.BuiltinAggregator;
import io.flinklite.runtime.window.WindowOperator;
import io.flinklite.source.DeadLetterHandler;
import org.junit.jupiter.api.Test;

import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;

import static org.assertj.core.api.Assertions.assertThat;

/** Each window operator of a graph files its open windows and panes under its own id; the totals add them up. */
class WindowOperatorMetricsTest {
    private static final long T0 = 1_700_000_000_000L;
    private static final EventFormat EVENTS = new EventFormat("message", null, TimestampSpec.defaults(), null);

    private static byte[][] lines(String... messages) {
        byte[][] out = new byte[messages.length][];
        for (int i = 0; i < messages.length; i++) {
            out[i] = ("{\"timestamp\":" + (T0 + i) + ",\"message\":\"" + messages[i] + "\"}").getBytes(StandardCharsets.UTF_8);
        }
        return out;
    }

    private static WindowOperator window(io.flinklite.runtime.operator.Output<Object> out, long sizeMs, long slideMs) {
        return new WindowOperator(WindowAssigner.sliding(sizeMs, slideMs), 0,
                new BuiltinAggregator(AggregateSpec.Kind.COUNT, out), out);
    }

    @Test
    void twoWindowOperatorsReportApart() throws Exception {
        List<WindowResult> results = new ArrayList<>();
        JobGraph graph = JobGraph.builder()
                .source("events", EVENTS, 1_000_000, 0, false)
                .operator("short", out -> window(out, 10, 10))
                .operator("long", out -> window(out, 2_000_000, 1_000_000))
                .sink("results", (io.flinklite.api.Sink<WindowResult>) results::add, JobGraph.SinkKind.ELEMENTS)
                .edge("events", null, "short", 1, (Event e) -> e.key())
                .edge("events", null, "long", 1, (Event e) -> e.key())
                .edge("short", "results")
                .edge("long", "results")
                .fingerprint("two-windows")
                .build();
        JobMetrics metrics = new JobMetrics();
        List<Map<String, long[]>> seen = new ArrayList<>();
        StreamTask task = new StreamTask(graph, List.of(new ArraySourceReader(lines("a", "b", "c"))),
                TaskOptions.replay(), DeadLetterHandler.DISCARD, metrics);
        task.addHook((t, now) -> {
            Map<String, long[]> byId = new TreeMap<>();
            metrics.windowOperators().forEach((id, g) -> byId.put(id, new long[] {g.openWindows(), g.openPanes()}));
            seen.add(byId);
        });
        task.run();
        // After the first batch (the out-of-orderness holds every window open), three keys: in "short" one window and
        // one pane each; in "long" two sliding windows each, sharing one pane (panes are gcd(size, slide) long).
        Map<String, long[]> first = seen.get(0);
        assertThat(first).containsOnlyKeys("long", "short");
        assertThat(first.get("short")).containsExactly(3, 3);
        assertThat(first.get("long")).containsExactly(6, 3);
        assertThat(metrics.openWindows()).isZero();
        assertThat(results).hasSize(9);
    }
}
