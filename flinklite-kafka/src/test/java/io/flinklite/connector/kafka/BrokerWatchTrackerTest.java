package io.flinklite.connector.kafka;

import org.junit.jupiter.api.Test;

import static org.assertj.core.api.Assertions.assertThat;

/** When the broker watch logs, and what it reports as the start of an outage. */
class BrokerWatchTrackerTest {

    private static final String SERVERS = "k:9092";

    @Test
    void warnsOnceWithTheOutageSoFarThenEveryMinuteThenOnceWhenBack() {
        BrokerWatch.Tracker t = new BrokerWatch.Tracker();
        assertThat(t.observe(true, 0, 1_000, null, SERVERS)).isNull();
        assertThat(t.unreachableSinceMs()).isZero();
        // The last answer was at 1 s: the outage counts from then.
        assertThat(t.observe(false, 6_000, 11_000, "timed out", SERVERS))
                .isEqualTo("cannot reach Kafka at k:9092 for 10 s (timed out); /health/ready reports not ready until it"
                        + " answers (repeated every 60 s)");
        assertThat(t.unreachableSinceMs()).isEqualTo(1_000);
        for (long now = 16_000; now < 71_000; now += 5_000) {
            assertThat(t.observe(false, now - 5_000, now, "timed out", SERVERS)).as("at %d ms", now).isNull();
        }
        assertThat(t.observe(false, 66_000, 71_000, "timed out", SERVERS))
                .isEqualTo("still cannot reach Kafka at k:9092: unreachable for 70 s (timed out)");
        assertThat(t.observe(false, 71_000, 76_000, "timed out", SERVERS)).isNull();
        assertThat(t.observe(false, 126_000, 131_000, "timed out", SERVERS)).contains("unreachable for 130 s");
        assertThat(t.observe(true, 0, 133_000, null, SERVERS)).isEqualTo("Kafka at k:9092 answers again after 132 s unreachable");
        assertThat(t.unreachableSinceMs()).isZero();
        assertThat(t.observe(true, 0, 138_000, null, SERVERS)).isNull();
    }

    @Test
    void anOutageFromTheStartCountsFromTheFirstUnansweredProbe() {
        BrokerWatch.Tracker t = new BrokerWatch.Tracker();
        assertThat(t.observe(false, 2_000, 7_000, "no node", SERVERS)).contains("for 5 s");
        assertThat(t.unreachableSinceMs()).isEqualTo(2_000);
    }
}
