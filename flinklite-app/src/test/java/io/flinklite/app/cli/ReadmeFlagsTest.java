package io.flinklite.app.cli;

import org.junit.jupiter.api.Test;
import picocli.CommandLine;

import java.nio.file.Files;
import java.nio.file.Path;

import static org.assertj.core.api.Assertions.assertThat;

/** The README documents every flag that {@code run}, {@code simulate} and {@code demo} print in {@code --help}. */
class ReadmeFlagsTest {

    @Test
    void everyFlagOfTheKafkaCommandsIsInTheReadme() throws Exception {
        String readme = Files.readString(Path.of("..", "README.md"));
        for (Object command : new Object[] {new RunCommand(), new SimulateCommand(), new DemoCommand()}) {
            CommandLine cli = new CommandLine(command);
            for (CommandLine.Model.OptionSpec option : cli.getCommandSpec().options()) {
                String name = option.longestName();
                if (name.equals("--help") || name.equals("--version")) {
                    continue;
                }
                String documented = option.negatable() ? "--[no-]" + name.substring(2) : name;
                assertThat(readme).as("README documents %s of %s", documented, cli.getCommandName())
                        .contains("`" + documented);
            }
        }
    }
}
