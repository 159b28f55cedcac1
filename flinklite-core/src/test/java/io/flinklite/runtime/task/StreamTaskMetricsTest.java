package io.flinklite.runtime.task;

import io.flinklite.api.WindowResult;
import io.flinklite.job.JobSpec;
import io.flinklite.job.WindowSpec;
import io.flinklite.runtime.metrics.JobMetrics;
import org.junit.jupiter.api.Test;

import java.util.ArrayList;
import java.util.List;

import static org.assertj.core.api.Assertions.assertThat;

/** What the task publishes for the metrics exporter beyond the counters: result latency and source assignment. */
class StreamTaskMetricsTest {

    private final List<WindowResult> results = new ArrayList<>();
    private final List<Double> latencies = new ArrayList<>();
    private final JobMetrics metrics = new JobMetrics();
    private final JobSpec tumbling = JobSpec.defaults().withWindow(WindowSpec.tumbling(10_000, 0)).withOutOfOrdernessMs(0);

    private static String ev(long ts) {
        return "{\"timestamp\":" + ts + ",\"message\":\"critical\"}";
    }

    private StreamTask task(ScriptedSource source) {
        metrics.setLatencyObserver(latencies::add);
        return StreamTask.forSpec(tumbling, TaskOptions.replay().withClock(() -> source.clock[0]), source,
                results::add, null, (p, o, payload, off, len, reason, detail) -> { }, metrics);
    }

    @Test
    void everyResultHandedToTheSinkIsOneLatencyObservation() throws Exception {
        ScriptedSource source = new ScriptedSource().assign(0)
                .batch(0, ev(1_000), 0, ev(12_000))    // fires [0, 10 s)
                .batch(0, ev(25_000));                 // fires [10 s, 20 s); end of input fires [20 s, 30 s)
        task(source).run();
        assertThat(results).hasSize(3);
        assertThat(latencies).hasSize(3).allSatisfy(seconds -> assertThat(seconds).isBetween(0.0, 60.0));
    }

    @Test
    void theSourceCountsAsAssignedWhileItHasPartitions() throws Exception {
        List<Boolean> assigned = new ArrayList<>();
        ScriptedSource source = new ScriptedSource().assign(0)
                .batch(0, ev(1_000))
                .revoke(0)
                .idleUntil(1);
        StreamTask task = task(source);
        task.addHook((t, now) -> assigned.add(metrics.sourceAssigned()));
        task.run();
        assertThat(assigned).startsWith(true).endsWith(false);
    }
}
