package io.flinklite.job;

import org.junit.jupiter.api.Test;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

class JoinSpecTest {

    @Test
    void parsesIntervalBoundsWithSigns() {
        JoinSpec j = JoinSpec.parse("interval:-5s:250ms");
        assertThat(j.isInterval()).isTrue();
        assertThat(j.lowerBoundMs()).isEqualTo(-5000);
        assertThat(j.upperBoundMs()).isEqualTo(250);
        assertThat(j.toString()).isEqualTo("interval:-5s:250ms");
        assertThat(JoinSpec.parse(j.toString())).isEqualTo(j);
        assertThat(JoinSpec.parse("interval:-2m:-1m").upperBoundMs()).isEqualTo(-60_000);
        assertThat(JoinSpec.parse("interval:+1s:2s").lowerBoundMs()).isEqualTo(1000);
        assertThat(JoinSpec.parse("interval:0ms:0ms").toString()).isEqualTo("interval:0ms:0ms");
    }

    @Test
    void parsesWindowsAsTheWindowFlagDoes() {
        assertThat(JoinSpec.parse("tumbling:10s").window()).isEqualTo(WindowSpec.parse("tumbling:10s"));
        assertThat(JoinSpec.parse("sliding:10s:5s").toString()).isEqualTo("sliding:10s:5s");
        assertThat(JoinSpec.parse("session:3s").kind()).isEqualTo(JoinSpec.Kind.WINDOW);
    }

    @Test
    void badSpecsNameTheProblem() {
        assertThatThrownBy(() -> JoinSpec.parse("interval:5s:1s")).hasMessageContaining("lower bound 5s is above the upper bound 1s");
        assertThatThrownBy(() -> JoinSpec.parse("interval:5s")).hasMessageContaining("expected interval:LOWER:UPPER");
        assertThatThrownBy(() -> JoinSpec.parse("interval:-x:1s")).hasMessageContaining("bad join 'interval:-x:1s'");
        assertThatThrownBy(() -> JoinSpec.parse("hopping:1s")).hasMessageContaining("expected interval:LOWER:UPPER, tumbling:SIZE");
        assertThatThrownBy(() -> JoinSpec.parse("tumbling:0s")).hasMessageContaining("window size must be positive");
        assertThatThrownBy(() -> JoinSpec.interval(-Durations.MAX_MILLIS - 1, 0)).hasMessageContaining("within 100 years");
    }
}
