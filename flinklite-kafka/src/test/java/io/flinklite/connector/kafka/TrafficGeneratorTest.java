package io.flinklite.connector.kafka;

import org.junit.jupiter.api.Test;

import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.EnumMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

class TrafficGeneratorTest {

    private static final long NOW = 1_700_000_000_000L;

    private static TrafficGenerator seedTraffic(long seed, double invalidFraction) {
        return new TrafficGenerator(seed, TrafficGenerator.Disorder.SEED, 50_000,
                List.of("important", "normal", "critical"), new double[] {1, 1, 1}, invalidFraction,
                TrafficGenerator.InvalidKind.values());
    }

    private static List<String> take(TrafficGenerator g, int n) {
        List<String> out = new ArrayList<>();
        TrafficGenerator.Generated r = new TrafficGenerator.Generated();
        for (int i = 0; i < n; i++) {
            out.add(new String(g.next(NOW, r).value(), StandardCharsets.UTF_8));
        }
        return out;
    }

    @Test
    void theSameSeedGivesTheSameRecordsAndAnotherSeedDifferentOnes() {
        assertThat(take(seedTraffic(7, 0.1), 500)).isEqualTo(take(seedTraffic(7, 0.1), 500));
        assertThat(take(seedTraffic(7, 0.1), 500)).isNotEqualTo(take(seedTraffic(8, 0.1), 500));
    }

    @Test
    void seedProfileLagsTheClockByWholeTenSecondStepsUpToFifty() {
        TrafficGenerator g = seedTraffic(1, 0);
        TrafficGenerator.Generated r = new TrafficGenerator.Generated();
        Set<Long> lags = new HashSet<>();
        Set<String> types = new HashSet<>();
        for (int i = 1; i <= 3_000; i++) {
            g.next(NOW, r);
            assertThat(r.id()).isEqualTo(i);
            lags.add(NOW - r.timestamp());
            types.add(r.type());
            assertThat(new String(r.value(), StandardCharsets.UTF_8)).isEqualTo(
                    "{\"id\":" + i + ",\"timestamp\":" + r.timestamp() + ",\"message\":\"" + r.type() + "\"}");
        }
        assertThat(lags).containsExactlyInAnyOrder(0L, 10_000L, 20_000L, 30_000L, 40_000L, 50_000L);
        assertThat(types).containsExactlyInAnyOrder("important", "normal", "critical");
    }

    @Test
    void uniformProfileStaysWithinTheMaximumDelay() {
        TrafficGenerator g = new TrafficGenerator(3, TrafficGenerator.Disorder.UNIFORM, 4_000, List.of("a"),
                new double[] {1}, 0, new TrafficGenerator.InvalidKind[0]);
        TrafficGenerator.Generated r = new TrafficGenerator.Generated();
        for (int i = 0; i < 2_000; i++) {
            long lag = NOW - g.next(NOW, r).timestamp();
            assertThat(lag).isBetween(0L, 4_000L);
        }
    }

    @Test
    void invalidRecordsCycleThroughEveryKindAtRoughlyTheGivenFraction() {
        TrafficGenerator g = seedTraffic(11, 0.2);
        TrafficGenerator.Generated r = new TrafficGenerator.Generated();
        Map<TrafficGenerator.InvalidKind, Integer> byKind = new EnumMap<>(TrafficGenerator.InvalidKind.class);
        int invalid = 0;
        for (int i = 0; i < 6_000; i++) {
            g.next(NOW, r);
            if (r.invalidKind() != null) {
                invalid++;
                byKind.merge(r.invalidKind(), 1, Integer::sum);
                assertThat(r.type()).isNull();
                if (r.invalidKind() == TrafficGenerator.InvalidKind.OVERSIZED) {
                    assertThat(r.value().length).isGreaterThanOrEqualTo(TrafficGenerator.OVERSIZED_BYTES - 2);
                }
            }
        }
        assertThat(invalid).isBetween(1_000, 1_400);
        assertThat(byKind).containsOnlyKeys(TrafficGenerator.InvalidKind.values());
        // Used in turn, so the counts differ by at most one.
        assertThat(byKind.values().stream().mapToInt(Integer::intValue).max().getAsInt()
                - byKind.values().stream().mapToInt(Integer::intValue).min().getAsInt()).isLessThanOrEqualTo(1);
    }

    @Test
    void typeWeightsShapeTheMix() {
        TrafficGenerator g = new TrafficGenerator(5, TrafficGenerator.Disorder.NONE, 0, List.of("rare", "common"),
                new double[] {1, 9}, 0, new TrafficGenerator.InvalidKind[0]);
        TrafficGenerator.Generated r = new TrafficGenerator.Generated();
        int rare = 0;
        for (int i = 0; i < 10_000; i++) {
            if (g.next(NOW, r).type().equals("rare")) {
                rare++;
            }
            assertThat(r.timestamp()).isEqualTo(NOW);
        }
        assertThat(rare).isBetween(800, 1_200);
    }

    @Test
    void badSettingsAreRejectedWithTheOffendingValue() {
        assertThatThrownBy(() -> TrafficGenerator.Disorder.parse("chaos")).hasMessageContaining("chaos");
        assertThatThrownBy(() -> TrafficGenerator.InvalidKind.parseList("not_json,bogus")).hasMessageContaining("bogus");
        assertThatThrownBy(() -> seedTraffic(1, 1.5)).hasMessageContaining("1.5");
        assertThat(TrafficGenerator.InvalidKind.parseList("all")).hasSize(6);
    }
}
