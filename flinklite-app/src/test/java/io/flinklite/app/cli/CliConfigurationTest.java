package io.flinklite.app.cli;

import io.flinklite.app.Configuration;
import io.flinklite.connector.kafka.KafkaConnection;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import picocli.CommandLine;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Map;

import static org.assertj.core.api.Assertions.assertThat;

/** Flags win over the environment, which wins over the config file, which wins over defaults. */
class CliConfigurationTest {

    @TempDir
    Path dir;

    private RunCommand parse(Configuration configuration, String... args) {
        RunCommand run = new RunCommand();
        CommandLine cli = new CommandLine(run);
        cli.setDefaultValueProvider(new ConfigDefaults(configuration));
        cli.parseArgs(args);
        return run;
    }

    @Test
    void flagsWinOverEnvironmentOverFileOverDefaults() throws Exception {
        Path file = dir.resolve("f.properties");
        Files.writeString(file, "bootstrap-servers=file:9092\ngroup-id=file-group\nwindow=tumbling:1m\n"
                + "idle-timeout=7s\nkafka.security.protocol=SSL\nkafka.client.id=from-file\n");
        Configuration c = Configuration.load(new String[] {"--config", file.toString()},
                Map.of("FLINKLITE_GROUP_ID", "env-group", "FLINKLITE_WINDOW", "session:3s"));
        RunCommand run = parse(c, "--config", file.toString(), "--window", "tumbling:10s",
                "--kafka-property", "client.id=from-flag");
        KafkaConnection connection = run.kafka.connection();
        assertThat(connection.bootstrapServers()).isEqualTo("file:9092");
        assertThat(connection.properties()).containsEntry("security.protocol", "SSL").containsEntry("client.id", "from-flag");
        assertThat(run.run.groupId).isEqualTo("env-group");
        assertThat(run.job.spec().window().toString()).isEqualTo("tumbling:10s");
        assertThat(run.run.idleTimeoutMs).isEqualTo(7_000);
        assertThat(run.run.inputTopic).isEqualTo("flink-events");
        assertThat(run.job.spec()).isEqualTo(io.flinklite.job.JobSpec.defaults().withWindow(
                io.flinklite.job.WindowSpec.parse("tumbling:10s")));
    }

    @Test
    void withoutConfigurationTheDefaultsAreTheSeedJob() {
        RunCommand run = parse(Configuration.empty());
        assertThat(run.kafka.connection().bootstrapServers()).isEqualTo("localhost:9092");
        assertThat(run.job.spec()).isEqualTo(io.flinklite.job.JobSpec.defaults());
        assertThat(run.run.outputTopic).isEqualTo("processed-events");
        assertThat(run.run.groupId).isEqualTo("flinklite");
    }
}
