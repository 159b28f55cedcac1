package io.flinklite.app;

import io.flinklite.app.cli.UserFacingException;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Map;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

class ConfigurationTest {

    @TempDir
    Path dir;

    @Test
    void environmentWinsOverTheFileAndKafkaPropertiesComeFromBoth() throws Exception {
        Path file = dir.resolve("flinklite.properties");
        Files.writeString(file, "# a comment\nbootstrap-servers = file:9092\nwindow=tumbling:1m\n"
                + "kafka.security.protocol=SASL_SSL\nkafka.sasl.mechanism=PLAIN\n");
        Configuration c = Configuration.load(new String[] {"run", "--config", file.toString()},
                Map.of("FLINKLITE_BOOTSTRAP_SERVERS", "env:9092", "FLINKLITE_KAFKA_SASL_MECHANISM", "SCRAM-SHA-512",
                        "PATH", "/bin"));
        assertThat(c.setting("bootstrap-servers")).isEqualTo("env:9092");
        assertThat(c.sourceOf("bootstrap-servers")).isEqualTo("FLINKLITE_BOOTSTRAP_SERVERS");
        assertThat(c.setting("window")).isEqualTo("tumbling:1m");
        assertThat(c.sourceOf("window")).isEqualTo(file + ":3");
        assertThat(c.setting("group-id")).isNull();
        assertThat(c.kafkaProperties()).containsExactlyInAnyOrderEntriesOf(
                Map.of("security.protocol", "SASL_SSL", "sasl.mechanism", "SCRAM-SHA-512"));
    }

    @Test
    void theFileCanBeNamedWithAnEqualsSignOrByTheEnvironment() throws Exception {
        Path file = dir.resolve("c.properties");
        Files.writeString(file, "group-id=g\n");
        assertThat(Configuration.load(new String[] {"run", "--config=" + file}, Map.of()).setting("group-id")).isEqualTo("g");
        assertThat(Configuration.load(new String[] {"run"}, Map.of("FLINKLITE_CONFIG", file.toString())).setting("group-id"))
                .isEqualTo("g");
    }

    @Test
    void aMissingFileIsAClearError() {
        assertThatThrownBy(() -> Configuration.load(new String[] {"--config", dir.resolve("nope").toString()}, Map.of()))
                .isInstanceOf(UserFacingException.class).hasMessageContaining("does not exist");
    }
}
