package io.flinklite.api;

import org.junit.jupiter.api.Test;

import java.time.Instant;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

class StateSerializerTest {

    @Test
    void theBuiltInSerializersRoundTripTheirEdgeValues() {
        for (long v : new long[] {0, -1, Long.MIN_VALUE, Long.MAX_VALUE}) {
            assertThat(StateSerializer.longs().fromText(StateSerializer.longs().toText(v))).isEqualTo(v);
        }
        for (double v : new double[] {0.1, -0.0, Double.NaN, Double.NEGATIVE_INFINITY, Double.MIN_VALUE}) {
            assertThat(Double.doubleToRawLongBits(StateSerializer.doubles().fromText(StateSerializer.doubles().toText(v))))
                    .isEqualTo(Double.doubleToRawLongBits(v));
        }
        assertThat(StateSerializer.integers().fromText(StateSerializer.integers().toText(Integer.MIN_VALUE)))
                .isEqualTo(Integer.MIN_VALUE);
        assertThat(StateSerializer.strings().fromText(StateSerializer.strings().toText("é \"x\"\n"))).isEqualTo("é \"x\"\n");
        assertThat(StateSerializer.booleans().fromText(StateSerializer.booleans().toText(true))).isTrue();
        StateSerializer<Instant> instants = StateSerializer.of(Instant::toString, Instant::parse);
        assertThat(instants.fromText(instants.toText(Instant.ofEpochMilli(1)))).isEqualTo(Instant.ofEpochMilli(1));
    }

    @Test
    void textTheyDidNotWriteIsAnIllegalArgument() {
        assertThatThrownBy(() -> StateSerializer.longs().fromText("1.5")).isInstanceOf(IllegalArgumentException.class);
        assertThatThrownBy(() -> StateSerializer.booleans().fromText("yes")).isInstanceOf(IllegalArgumentException.class)
                .hasMessageContaining("'yes'");
    }
}
