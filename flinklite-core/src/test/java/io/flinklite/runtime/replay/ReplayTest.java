package io.flinklite.runtime.replay;

import io.flinklite.api.WindowResult;
import io.flinklite.job.AggregateSpec;
import io.flinklite.job.JobSpec;
import io.flinklite.job.WindowSpec;
import io.flinklite.source.InvalidReason;
import org.junit.jupiter.api.Test;

import java.io.ByteArrayInputStream;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import java.util.Set;

import static io.flinklite.api.WindowResult.ofCount;
import static org.assertj.core.api.Assertions.assertThat;

/** The replay contract of issue 2. */
class ReplayTest {
    private final List<WindowResult> results = new ArrayList<>();
    private final List<String> late = new ArrayList<>();
    private final List<String> invalid = new ArrayList<>();

    private ReplayStats replay(JobSpec spec, String... lines) throws Exception {
        String input = String.join("\n", lines) + "\n";
        return Replay.run(spec, new ByteArrayInputStream(input.getBytes(StandardCharsets.UTF_8)), results::add,
                b -> late.add(new String(b, StandardCharsets.UTF_8)), invalid::add);
    }

    private static String event(long id, long ts, String message) {
        return "{\"id\":" + id + ",\"timestamp\":" + ts + ",\"message\":\"" + message + "\"}";
    }

    @Test
    void filteredEventsAdvanceTheWatermark() throws Exception {
        JobSpec spec = JobSpec.defaults().withWindow(WindowSpec.tumbling(10_000, 0)).withOutOfOrdernessMs(0);
        replay(spec,
                event(1, 1_000, "critical"),
                event(2, 10_000, "info"),     // filtered, but W = 9_999 fires [0, 10_000)
                event(3, 2_000, "critical"));  // so this one is late
        assertThat(results).containsExactly(ofCount("critical", 0, 10_000, 1));
        assertThat(late).containsExactly(event(3, 2_000, "critical"));
    }

    @Test
    void endOfInputFiresEveryOpenWindow() throws Exception {
        ReplayStats stats = replay(JobSpec.defaults(), event(1, 1_700_000_000_000L, "important"));
        assertThat(results).containsExactlyInAnyOrder(ofCount("important", 1_699_999_995_000L, 1_700_000_005_000L, 1),
                ofCount("important", 1_700_000_000_000L, 1_700_000_010_000L, 1));
        assertThat(stats.accepted()).isEqualTo(1);
        assertThat(stats.results()).isEqualTo(2);
    }

    @Test
    void aRecordOverTheLiveJobsLimitIsOversizedInReplayToo() throws Exception {
        // One default for every entry point (TaskOptions.DEFAULT_MAX_RECORD_BYTES): a file replayed before going live
        // is judged as `run` will judge the same records. Replay used to accept up to 1 MiB where `run` stops at 256 KiB.
        String padding = "x".repeat(300 * 1024);
        String big = "{\"id\":2,\"timestamp\":2000,\"message\":\"critical\",\"pad\":\"" + padding + "\"}";
        ReplayStats stats = replay(JobSpec.defaults(), event(1, 1_000, "critical"), big);
        assertThat(stats.accepted()).isEqualTo(1);
        assertThat(stats.invalidByReason()).containsEntry(InvalidReason.OVERSIZED, 1L);
        assertThat(invalid).singleElement().asString()
                .startsWith("line 2: oversized: " + big.length() + " bytes, more than the limit of 262144");
    }

    @Test
    void invalidLinesAreReportedWithLineNumbersAndSkipped() throws Exception {
        ReplayStats stats = replay(JobSpec.defaults(),
                event(1, 1_000, "critical"),
                "garbage",
                "",
                "{\"id\":2,\"message\":\"critical\"}",
                "{\"id\":3,\"timestamp\":\"soon\",\"message\":\"critical\"}",
                "{\"id\":4,\"timestamp\":5}",
                event(5, 2_000, "critical"));
        assertThat(invalid).containsExactly(
                "line 2: not_json: expected '{' at the start (at byte 0)",
                "line 4: missing_timestamp: no \"timestamp\" field",
                "line 5: bad_timestamp: \"timestamp\" is not an integer number of epoch milliseconds",
                "line 6: missing_key: no \"message\" field");
        assertThat(stats.records()).isEqualTo(6); // the blank line is not a record
        assertThat(stats.invalid()).isEqualTo(4);
        assertThat(stats.invalidByReason()).containsEntry(InvalidReason.NOT_JSON, 1L);
        assertThat(stats.accepted()).isEqualTo(2);
        assertThat(results).extracting(WindowResult::count).containsOnly(2L);
    }

    @Test
    void valueAggregateNeedsTheFieldOnlyOnSelectedEvents() throws Exception {
        JobSpec spec = JobSpec.defaults().withWindow(WindowSpec.tumbling(10_000, 0))
                .withAggregate(AggregateSpec.parse("avg:amount"));
        ReplayStats stats = replay(spec,
                "{\"timestamp\":1000,\"message\":\"critical\",\"amount\":2}",
                "{\"timestamp\":1001,\"message\":\"critical\",\"amount\":\"x\"}",
                "{\"timestamp\":1002,\"message\":\"info\"}",
                "{\"timestamp\":1003,\"message\":\"critical\",\"amount\":4.5}");
        assertThat(invalid).containsExactly("line 2: bad_value: \"amount\" is missing or not a number");
        assertThat(stats.filtered()).isEqualTo(1);
        assertThat(results).containsExactly(WindowResult.ofValue("critical", 0, 10_000, 2, 3.25));
    }

    @Test
    void allowedLatenessGivesOneUpdatedResultPerLateEvent() throws Exception {
        JobSpec spec = JobSpec.defaults().withWindow(WindowSpec.tumbling(10_000, 0)).withOutOfOrdernessMs(0)
                .withAllowedLatenessMs(5_000).withTypes(null);
        ReplayStats stats = replay(spec,
                event(1, 1_000, "x"),
                event(2, 10_000, "x"),   // W = 9_999: [0,10000) fires with 1
                event(3, 2_000, "x"),    // late, within lateness: fires with 2
                event(4, 3_000, "x"),    // fires with 3
                event(5, 14_999, "x"),   // W = 14_998 < 9_999 + 5_000
                event(6, 4_000, "x"),    // fires with 4
                event(7, 15_000, "x"),   // W = 14_999: cleaned
                event(8, 5_000, "x"));   // too late: side output
        assertThat(results).filteredOn(r -> r.windowStart() == 0).extracting(WindowResult::count)
                .containsExactly(1L, 2L, 3L, 4L);
        assertThat(late).containsExactly(event(8, 5_000, "x"));
        assertThat(stats.late()).isEqualTo(1);
        assertThat(stats.lateFirings()).isEqualTo(3);
    }

    @Test
    void replayFromMemoryEqualsReplayFromLines() throws Exception {
        List<String> lines = new ArrayList<>();
        for (int i = 0; i < 5_000; i++) {
            lines.add(event(i, 1_700_000_000_000L + i * 7L - (i % 13) * 400L, i % 3 == 0 ? "important" : i % 3 == 1 ? "critical" : "info"));
        }
        replay(JobSpec.defaults(), lines.toArray(new String[0]));
        List<WindowResult> fromLines = new ArrayList<>(results);
        results.clear();
        byte[][] events = new byte[lines.size()][];
        for (int i = 0; i < events.length; i++) {
            events[i] = lines.get(i).getBytes(StandardCharsets.UTF_8);
        }
        ReplayStats stats = Replay.run(JobSpec.defaults().withTypes(Set.of("important", "critical")), events,
                results::add, null, invalid::add);
        assertThat(results).containsExactlyInAnyOrderElementsOf(fromLines);
        assertThat(stats.records()).isEqualTo(5_000);
        assertThat(stats.accepted() + stats.late() + stats.filtered()).isEqualTo(5_000);
    }

    @Test
    void handlesCrLfLinesLongLinesAndNoTrailingNewline() throws Exception {
        // Just under the 256 KiB record limit, and behind ~170 KB of filtered lines so that it straddles the end of
        // the reader's first 256 KiB buffer (the reader must compact or grow its buffer mid-line).
        String longValue = "y".repeat(250_000);
        StringBuilder filler = new StringBuilder();
        for (int i = 0; i < 3_000; i++) {
            filler.append(event(100 + i, 1_200, "info")).append('\n');
        }
        String input = event(1, 1_000, "critical") + "\r\n" + filler
                + "{\"timestamp\":1500,\"message\":\"critical\",\"pad\":\"" + longValue + "\"}\n"
                + event(2, 2_000, "critical");
        ReplayStats stats = Replay.run(JobSpec.defaults().withWindow(WindowSpec.tumbling(10_000, 0)),
                new ByteArrayInputStream(input.getBytes(StandardCharsets.UTF_8)), results::add, null, invalid::add);
        assertThat(invalid).isEmpty();
        assertThat(stats.accepted()).isEqualTo(3);
        assertThat(results).containsExactly(ofCount("critical", 0, 10_000, 3));
    }

    @Test
    void timestampsWhoseWindowsWouldOverflowAreAbsurdForEveryWindowKind() throws Exception {
        for (String window : new String[] {"sliding:10s:5s", "tumbling:10s", "session:5s"}) {
            results.clear();
            invalid.clear();
            ReplayStats stats = replay(JobSpec.defaults().withWindow(WindowSpec.parse(window)),
                    event(1, Long.MAX_VALUE, "critical"),
                    event(2, Long.MIN_VALUE, "critical"),
                    event(3, (1L << 62) + 1, "critical"),
                    event(4, 1_700_000_000_000L, "critical"));
            assertThat(stats.invalidByReason()).as(window).containsEntry(InvalidReason.ABSURD_TIMESTAMP, 3L);
            assertThat(invalid).as(window).hasSize(3).allSatisfy(line -> assertThat(line).contains("absurd_timestamp"));
            assertThat(stats.accepted()).as(window).isEqualTo(1);
            assertThat(results).as(window).isNotEmpty()
                    .allSatisfy(r -> assertThat(r.windowEnd()).isGreaterThan(1_700_000_000_000L));
        }
    }
}
