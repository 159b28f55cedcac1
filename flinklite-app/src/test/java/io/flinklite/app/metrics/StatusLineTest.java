package io.flinklite.app.metrics;

import io.flinklite.runtime.metrics.JobMetrics;
import org.junit.jupiter.api.Test;

import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.time.Duration;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

class StatusLineTest {

    private static final long NOW_MS = 1_800_000_000_000L;
    private static final long SECOND_NANOS = 1_000_000_000L;

    @Test
    void beforeAnyRecordItSaysSo() {
        StatusLine line = new StatusLine(new JobMetrics(), 0);
        assertThat(line.next(NOW_MS, 10 * SECOND_NANOS))
                .isEqualTo("flinklite: 0 events/s (0 total) | watermark: none yet | open windows 0 | no checkpoint yet");
    }

    @Test
    void ratesCountOnlyTheEventsSinceThePreviousLine() {
        JobMetrics metrics = new JobMetrics();
        metrics.addEventsTotal(1_000);
        StatusLine line = new StatusLine(metrics, 0);

        metrics.addEventsTotal(2_000_000);
        metrics.setWatermarkMs(NOW_MS - 5_200);
        metrics.windowOperator("windows").set(12, 20);
        metrics.checkpointCompleted(1, NOW_MS - 3_000, 1, 1);
        assertThat(line.next(NOW_MS, 10 * SECOND_NANOS)).isEqualTo("flinklite: 200,000 events/s (2,001,000 total)"
                + " | watermark 2027-01-15T07:59:54.800Z, 5.2 s behind | open windows 12 | last checkpoint 3 s ago");

        metrics.addEventsTotal(50);
        assertThat(line.next(NOW_MS + 5_000, 15 * SECOND_NANOS)).startsWith("flinklite: 10 events/s (2,001,050 total)");
    }

    @Test
    void consumerLagAndWhileItShrinksAnEstimateOfTheTimeToCatchUp() {
        JobMetrics metrics = new JobMetrics();
        StatusLine line = new StatusLine(metrics, 0);
        metrics.setPartitions(new JobMetrics.PartitionStats[] {
                new JobMetrics.PartitionStats("t", 0, 0, 600_000, false),
                new JobMetrics.PartitionStats("t", 1, 0, 400_000, false)});
        assertThat(line.next(NOW_MS, 10 * SECOND_NANOS)).contains(" | lag 1,000,000 | ").doesNotContain("caught up");
        // 200,000 fewer in 10 s: 800,000 more take 40 s.
        metrics.setPartitions(new JobMetrics.PartitionStats[] {
                new JobMetrics.PartitionStats("t", 0, 0, 500_000, false),
                new JobMetrics.PartitionStats("t", 1, 0, 300_000, false)});
        assertThat(line.next(NOW_MS + 10_000, 20 * SECOND_NANOS)).contains(" | lag 800,000, caught up in ~40 s | ");
        metrics.setPartitions(new JobMetrics.PartitionStats[] {
                new JobMetrics.PartitionStats("t", 0, 0, 0, false),
                new JobMetrics.PartitionStats("t", 1, 0, 0, false)});
        assertThat(line.next(NOW_MS + 20_000, 30 * SECOND_NANOS)).contains(" | lag 0 | ");
    }

    @Test
    void theEndOfABoundedInputIsNamed() {
        JobMetrics metrics = new JobMetrics();
        metrics.setWatermarkMs(Long.MAX_VALUE);
        assertThat(new StatusLine(metrics, 0).next(NOW_MS, SECOND_NANOS)).contains("| watermark: end of input |");
    }

    @Test
    void startedItPrintsPeriodicallyAndStopsWhenClosed() {
        ByteArrayOutputStream bytes = new ByteArrayOutputStream();
        PrintStream out = new PrintStream(bytes, true, StandardCharsets.UTF_8);
        try (StatusLine ignored = StatusLine.start(Duration.ofMillis(20), new JobMetrics(), out)) {
            await().atMost(Duration.ofSeconds(10))
                    .until(() -> bytes.toString(StandardCharsets.UTF_8).lines().count() >= 2);
        }
        assertThat(bytes.toString(StandardCharsets.UTF_8).lines()).allMatch(l -> l.startsWith("flinklite: "));
    }

    @Test
    void aZeroIntervalPrintsNothing() {
        ByteArrayOutputStream bytes = new ByteArrayOutputStream();
        try (StatusLine ignored = StatusLine.start(Duration.ZERO, new JobMetrics(),
                new PrintStream(bytes, true, StandardCharsets.UTF_8))) {
            assertThat(bytes.size()).isZero();
        }
    }
}
