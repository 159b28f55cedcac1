package io.flinklite.app.cli;

import io.flinklite.app.Configuration;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import picocli.CommandLine;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Map;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

/** The plug-in sinks' options as run flags: flags, then environment, then config file; secrets never as flags. */
class SinkOptionsTest {

    @TempDir
    Path dir;

    private static Map<String, String> values(Configuration configuration, String... args) {
        RunCommand run = new RunCommand();
        CommandLine cli = new CommandLine(run);
        cli.setDefaultValueProvider(new ConfigDefaults(configuration));
        cli.parseArgs(args);
        return SinkOptions.values(run.spec);
    }

    @Test
    void flagsEnvironmentAndConfigFileFeedTheSinksSettings() throws Exception {
        Path file = Files.writeString(dir.resolve("f.properties"), "cassandra-keyspace=from_file\n"
                + "cassandra-password=file-secret\ncassandra-local-dc=file-dc\njdbc-table=file_table\n");
        String[] args = {"--config", file.toString(), "--cassandra-contact-points", "db1:9042", "--cassandra-create-table",
                "--cassandra-local-dc", "flag-dc"};
        Map<String, String> v = values(Configuration.load(args, Map.of("FLINKLITE_CASSANDRA_USER", "env-user")), args);
        assertThat(v).containsEntry("cassandra-contact-points", "db1:9042")
                .containsEntry("cassandra-create-table", "true")
                .containsEntry("cassandra-local-dc", "flag-dc")
                .containsEntry("cassandra-keyspace", "from_file")
                .containsEntry("cassandra-user", "env-user")
                .containsEntry("cassandra-password", "file-secret")
                .containsEntry("jdbc-table", "file_table")
                .doesNotContainKey("jdbc-url");
    }

    @Test
    void aToggleIsOffUnlessGivenAndSecretsHaveNoFlag() {
        assertThat(values(Configuration.empty(), "--cassandra-contact-points", "db1").get("cassandra-create-table"))
                .isNotEqualTo("true");
        assertThatThrownBy(() -> values(Configuration.empty(), "--cassandra-password", "s3cret"))
                .isInstanceOf(CommandLine.UnmatchedArgumentException.class);
        assertThatThrownBy(() -> values(Configuration.empty(), "--jdbc-password", "s3cret"))
                .isInstanceOf(CommandLine.UnmatchedArgumentException.class);
    }
}
