package io.flinklite.runtime.task;

import io.flinklite.api.WindowResult;
import io.flinklite.job.JobSpec;
import io.flinklite.job.WindowSpec;
import io.flinklite.runtime.metrics.JobMetrics;
import org.junit.jupiter.api.Test;

import java.util.ArrayList;
import java.util.List;

import static org.assertj.core.api.Assertions.assertThat;

/** What the task publishes for the metrics exporter beyond the counters: result latency, source assignment, types. */
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

    @Test
    void eventsAreCountedByTypeAndOutcome() throws Exception {
        ScriptedSource source = new ScriptedSource().assign(0)
                .batch(0, ev(1_000), 0, "{\"timestamp\":2000,\"message\":\"normal\"}", 0, ev(12_000))
                .batch(0, ev(3_000), 0, "{\"timestamp\":4000,\"message\":\"important\"}", 0, "not json");
        task(source).run();
        // [0, 10 s) fired at 12 s: the critical at 3 s and the important at 4 s are late; normal is filtered.
        assertThat(metrics.eventsByType()).containsOnlyKeys("critical", "normal", "important");
        assertThat(metrics.eventsByType().get("critical")).containsExactly(2, 0, 1);
        assertThat(metrics.eventsByType().get("normal")).containsExactly(0, 1, 0);
        assertThat(metrics.eventsByType().get("important")).containsExactly(0, 0, 1);
        assertThat(metrics.eventsAccepted()).isEqualTo(2);
        assertThat(metrics.eventsLate()).isEqualTo(2);
    }

    @Test
    void typesBeyondTheLimitAreCountedAsOther() {
        for (int i = 0; i < JobMetrics.MAX_TYPES + 5; i++) {
            metrics.addTypeCounts("type-" + i, 1, 0, 0);
        }
        metrics.addTypeCounts("type-0", 1, 0, 0);
        assertThat(metrics.eventsByType()).hasSize(JobMetrics.MAX_TYPES + 1);
        assertThat(metrics.eventsByType().get(JobMetrics.OTHER_TYPE)).containsExactly(5, 0, 0);
        assertThat(metrics.eventsByType().get("type-0")).containsExactly(2, 0, 0);
    }
}
