package com.example;

import io.flinklite.api.Event;
import org.junit.jupiter.api.Test;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

class AverageTest {
    private final Average average = new Average();

    @Test
    void averagesTheValuesAndCountsThem() {
        Average.Sum acc = average.createAccumulator();
        acc = average.add(Event.of(1, 1_000, "critical", 10), acc);
        acc = average.add(Event.of(2, 2_000, "critical", 20), acc);
        acc = average.add(Event.of(3, 3_000, "critical", 45), acc);
        Average.Result r = average.getResult(acc);
        assertThat(r.count()).isEqualTo(3);
        assertThat(r.mean()).isEqualTo(25.0);
        assertThat(r.doubleValue()).isEqualTo(25.0);
    }

    @Test
    void mergeAddsTheSecondIntoTheFirstAndLeavesTheSecondAlone() {
        Average.Sum a = average.add(Event.of(1, 1_000, "k", 1), average.createAccumulator());
        Average.Sum b = average.add(Event.of(2, 2_000, "k", 5), average.createAccumulator());
        Average.Sum merged = average.merge(a, b);
        assertThat(average.getResult(merged).mean()).isEqualTo(3.0);
        assertThat(average.toText(b)).isEqualTo("1,5.0");
    }

    @Test
    void anEmptyWindowHasNoMeanAndEventsWithoutValueDoNotCount() {
        Average.Sum acc = average.add(Event.of(1, 1_000, "k"), average.createAccumulator());
        assertThat(average.getResult(acc).count()).isZero();
        assertThat(average.getResult(acc).mean()).isNaN();
    }

    @Test
    void accumulatorsSurviveACheckpointAsText() {
        Average.Sum acc = average.add(Event.of(1, 1_000, "k", 0.1), average.createAccumulator());
        acc = average.add(Event.of(2, 2_000, "k", 0.2), acc);
        Average.Sum restored = average.fromText(average.toText(acc));
        assertThat(average.getResult(restored).mean()).isEqualTo(average.getResult(acc).mean());
        assertThat(average.getResult(restored).count()).isEqualTo(2);
        assertThatThrownBy(() -> average.fromText("garbage")).isInstanceOf(IllegalArgumentException.class)
                .hasMessageContaining("garbage");
    }
}
