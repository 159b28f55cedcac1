package io.flinklite.conformance;

import static org.assertj.core.api.Assertions.assertThat;

import io.flinklite.api.WindowResult;
import io.flinklite.job.AggregateSpec;
import io.flinklite.job.JobSpec;
import io.flinklite.job.WindowSpec;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.UUID;
import org.apache.flink.api.common.typeinfo.Types;
import org.apache.flink.api.java.tuple.Tuple3;
import org.apache.flink.streaming.api.environment.StreamExecutionEnvironment;
import org.apache.flink.streaming.api.functions.KeyedProcessFunction;
import org.apache.flink.util.Collector;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/**
 * Checks the Flink reference itself against facts established by hand from Flink's window rules (ANCHORS.md), and
 * checks the watermark flow that {@link FlinkReference}'s Javadoc claims on the running job. The differential tests
 * are only as good as this reference.
 *
 * <p>All hand-written cases run in one Flink job ({@link #runAll}), the probe in a second.
 */
class FlinkReferenceTest {

    private static final JobSpec TUMBLING_10S_B0 = JobSpec.defaults()
            .withWindow(WindowSpec.tumbling(10_000, 0)).withOutOfOrdernessMs(0);

    private static final List<ConformanceCase> CASES = new ArrayList<>();
    private static Map<String, Outcome> outcomes;

    private static final ConformanceCase SLIDING_ASSIGNMENT = add("sliding-assignment", JobSpec.defaults(),
            line(1, 12_345, "critical"));
    private static final ConformanceCase FILTERED_ADVANCES = add("filtered-advances", TUMBLING_10S_B0,
            line(1, 1_000, "critical"), line(2, 20_000, "normal"), line(3, 500, "critical"));
    private static final ConformanceCase INVALID_DOES_NOT_ADVANCE = add("invalid-does-not-advance", TUMBLING_10S_B0,
            line(1, 1_000, "critical"), "{\"id\":2,\"timestamp\":50000}", "not json",
            "{\"id\":4,\"timestamp\":\"60000\",\"message\":\"critical\"}", line(5, 500, "critical"));
    private static final ConformanceCase FIRES_AT_END_MINUS_ONE = add("fires-at-end-minus-one", TUMBLING_10S_B0,
            line(1, 1_000, "critical"), line(2, 10_000, "critical"), line(3, 9_999, "critical"));
    private static final ConformanceCase LATENESS_REFIRES = add("lateness-refires",
            TUMBLING_10S_B0.withAllowedLatenessMs(1_000),
            line(1, 1_000, "critical"), line(2, 10_000, "critical"), line(3, 9_999, "critical"),
            line(4, 10_999, "critical"), line(5, 9_998, "critical"));
    private static final ConformanceCase SESSION_BRIDGE = add("session-bridge",
            JobSpec.defaults().withWindow(WindowSpec.session(1_000)).withOutOfOrdernessMs(0).withAllowedLatenessMs(10_000),
            line(1, 1_000, "critical"), line(2, 3_000, "critical"), line(3, 10_000, "critical"),
            line(4, 2_000, "critical"));
    private static final ConformanceCase SUM_VALUES = add("sum-values",
            TUMBLING_10S_B0.withAggregate(AggregateSpec.of(AggregateSpec.Kind.AVG, "value")),
            "{\"id\":1,\"timestamp\":1000,\"message\":\"critical\",\"value\":1.5}",
            "{\"value\":2,\"message\":\"critical\",\"nested\":{\"timestamp\":99999,\"message\":\"x\"},\"timestamp\":2000}");

    @BeforeAll
    static void runAll() throws Exception {
        outcomes = FlinkReference.run(CASES);
    }

    @Test
    void assignsSlidingWindowsAsFlinkDocumentsForTs12345() {
        assertThat(outcomes.get(SLIDING_ASSIGNMENT.id()).results()).containsExactlyInAnyOrder(
                WindowResult.ofCount("critical", 5_000, 15_000, 1),
                WindowResult.ofCount("critical", 10_000, 20_000, 1));
    }

    @Test
    void filteredEventsAdvanceTheWatermark() {
        Outcome o = outcomes.get(FILTERED_ADVANCES.id());
        assertThat(o.results()).containsExactly(WindowResult.ofCount("critical", 0, 10_000, 1));
        assertThat(o.late()).containsExactly(FILTERED_ADVANCES.lines().get(2));
    }

    @Test
    void invalidLinesNeitherCountNorAdvanceTheWatermark() {
        Outcome o = outcomes.get(INVALID_DOES_NOT_ADVANCE.id());
        assertThat(o.results()).containsExactly(WindowResult.ofCount("critical", 0, 10_000, 2));
        assertThat(o.late()).isEmpty();
    }

    @Test
    void windowFiresWhenTheWatermarkReachesEndMinusOne() {
        Outcome o = outcomes.get(FIRES_AT_END_MINUS_ONE.id());
        assertThat(o.results()).containsExactlyInAnyOrder(
                WindowResult.ofCount("critical", 0, 10_000, 1),
                WindowResult.ofCount("critical", 10_000, 20_000, 1));
        assertThat(o.late()).containsExactly(FIRES_AT_END_MINUS_ONE.lines().get(2));
    }

    @Test
    void lateElementWithinLatenessFiresTheFullWindowAgainAndLaterOnesGoToTheSideOutput() {
        // W after ts 10,999 is 10,998 = end - 1 + lateness - 1: ts 9,998 is still allowed; cleanup at W >= 10,999.
        Outcome o = outcomes.get(LATENESS_REFIRES.id());
        assertThat(o.results()).containsExactlyInAnyOrder(
                WindowResult.ofCount("critical", 0, 10_000, 1),
                WindowResult.ofCount("critical", 0, 10_000, 2),
                WindowResult.ofCount("critical", 0, 10_000, 3),
                WindowResult.ofCount("critical", 10_000, 20_000, 2));
        assertThat(o.late()).isEmpty();
    }

    @Test
    void lateElementWithinLatenessMergesTwoFiredSessions() {
        // After ts 10,000 (W 9,999) both sessions have fired; with 10 s lateness neither is cleaned up yet, so
        // ts 2,000, whose [2000,3000) touches both inclusively, merges them into [1000,4000) and fires it at once.
        Outcome o = outcomes.get(SESSION_BRIDGE.id());
        assertThat(o.results()).containsExactlyInAnyOrder(
                WindowResult.ofCount("critical", 1_000, 2_000, 1),
                WindowResult.ofCount("critical", 3_000, 4_000, 1),
                WindowResult.ofCount("critical", 1_000, 4_000, 3),
                WindowResult.ofCount("critical", 10_000, 11_000, 1));
        assertThat(o.late()).isEmpty();
    }

    @Test
    void valueAggregatesReadOnlyTopLevelFields() {
        assertThat(outcomes.get(SUM_VALUES.id()).results())
                .containsExactly(WindowResult.ofValue("critical", 0, 10_000, 2, 1.75));
    }

    /**
     * Records, at the window operator's position (after keyBy), the watermark current when each element arrives:
     * it must be W of all earlier events (filtered ones included), never stale and never ahead.
     */
    @Test
    void everyElementSeesTheWatermarkOfAllEarlierEvents() throws Exception {
        long bound = 3;
        long[] ts = {100, 90, 200, 150, 150, 400, 120, 500, 499, 1_000};
        String[] types = {"critical", "critical", "normal", "important", "critical", "normal", "critical", "critical",
            "important", "critical"};
        List<String> lines = new ArrayList<>();
        for (int i = 0; i < ts.length; i++) {
            lines.add(line(i, ts[i], types[i]));
        }
        StreamExecutionEnvironment env = FlinkReference.newEnvironment();
        String bucket = "probe/" + UUID.randomUUID();
        env.fromData(lines, Types.STRING)
                .flatMap(new FlinkReference.Parse("message", null)).returns(Types.POJO(ReferenceEvent.class))
                .assignTimestampsAndWatermarks(FlinkReference.perEventWatermarks(bound))
                .filter(new FlinkReference.TypeFilter(Set.of("important", "critical")))
                .keyBy(new FlinkReference.KeyOf(), Types.STRING)
                .process(new WatermarkProbe())
                .sinkTo(new FlinkReference.CollectingSink<>(bucket));
        FlinkReference.execute(env, "watermark probe");

        List<Tuple3<Long, Long, Long>> expected = new ArrayList<>();
        long max = Long.MIN_VALUE;
        for (int i = 0; i < ts.length; i++) {
            long watermarkBefore = max == Long.MIN_VALUE ? Long.MIN_VALUE : max - bound - 1;
            if (!types[i].equals("normal")) {
                expected.add(Tuple3.of((long) i, ts[i], watermarkBefore));
            }
            max = Math.max(max, ts[i]);
        }
        assertThat(FlinkReference.drain(bucket)).containsExactlyElementsOf(new ArrayList<Object>(expected));
    }

    /** Emits (id, timestamp, current watermark) for every element. */
    static final class WatermarkProbe extends KeyedProcessFunction<String, ReferenceEvent, Tuple3<Long, Long, Long>> {
        @Override
        public void processElement(ReferenceEvent e, Context ctx, Collector<Tuple3<Long, Long, Long>> out) {
            long id = Long.parseLong(e.line.substring(e.line.indexOf(':') + 1, e.line.indexOf(',')));
            out.collect(Tuple3.of(id, ctx.timestamp(), ctx.timerService().currentWatermark()));
        }
    }

    static String line(long id, long timestamp, String message) {
        return "{\"id\":" + id + ",\"timestamp\":" + timestamp + ",\"message\":\"" + message + "\"}";
    }

    private static ConformanceCase add(String id, JobSpec spec, String... lines) {
        ConformanceCase c = new ConformanceCase(id, -1, spec, List.of(lines), true, 0);
        CASES.add(c);
        return c;
    }
}
