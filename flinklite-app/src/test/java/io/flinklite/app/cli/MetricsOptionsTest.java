package io.flinklite.app.cli;

import io.flinklite.app.metrics.MetricsConfig;
import org.junit.jupiter.api.Test;
import picocli.CommandLine;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;

import java.time.Duration;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

class MetricsOptionsTest {

    @Command(name = "job")
    static final class JobCommand {
        @Mixin
        MetricsOptions metrics;
    }

    private static MetricsConfig parse(String... args) {
        JobCommand command = new JobCommand();
        new CommandLine(command).parseArgs(args);
        return command.metrics.config();
    }

    @Test
    void defaultsAreTheOriginalPortOnAllAddressesWithAStatusLineEveryTenSeconds() {
        assertThat(parse()).isEqualTo(MetricsConfig.defaults());
        assertThat(MetricsConfig.defaults()).isEqualTo(new MetricsConfig("0.0.0.0", 1234, Duration.ofSeconds(10)));
    }

    @Test
    void hostPortAndIntervalAreConfigurableAndZeroSecondsTurnsTheStatusLineOff() {
        MetricsConfig config = parse("--metrics-host", "127.0.0.1", "--metrics-port", "9400", "--status-interval", "0s");
        assertThat(config).isEqualTo(new MetricsConfig("127.0.0.1", 9400, Duration.ZERO));
        assertThat(config.statusEnabled()).isFalse();
        assertThat(parse("--status-interval", "1m").statusInterval()).isEqualTo(Duration.ofMinutes(1));
    }

    @Test
    void badValuesNameTheOffendingValue() {
        assertThatThrownBy(() -> parse("--metrics-port", "70000"))
                .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("70000");
        assertThatThrownBy(() -> parse("--status-interval", "soon"))
                .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("soon");
    }
}
