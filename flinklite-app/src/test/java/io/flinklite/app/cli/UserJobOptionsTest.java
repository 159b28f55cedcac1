package io.flinklite.app.cli;

import io.flinklite.app.Configuration;
import org.junit.jupiter.api.Test;

import java.io.PrintWriter;
import java.io.StringWriter;

import static org.assertj.core.api.Assertions.assertThat;

/** What {@code run} says about user-code flags that cannot work together, before it touches Kafka. */
class UserJobOptionsTest {

    private static String runAndCaptureErrors(String... args) {
        StringWriter err = new StringWriter();
        picocli.CommandLine cli = new picocli.CommandLine(new FlinkLiteCommand());
        cli.setErr(new PrintWriter(err));
        int[] code = {0};
        cli.setExecutionExceptionHandler((ex, commandLine, parseResult) -> {
            commandLine.getErr().println("flinklite: " + ex.getMessage());
            code[0] = 1;
            return 1;
        });
        cli.setDefaultValueProvider(new ConfigDefaults(Configuration.empty()));
        cli.execute(args);
        assertThat(code[0]).isEqualTo(1);
        return err.toString();
    }

    @Test
    void builtInJobFlagsAreRejectedWithAUserJob() {
        assertThat(runAndCaptureErrors("run", "--jar", "x.jar", "--job", "com.example.MyJob", "--window", "tumbling:1m"))
                .contains("--window does not apply to --job");
    }

    @Test
    void aggregateAndAggregateClassExcludeEachOther() {
        assertThat(runAndCaptureErrors("run", "--jar", "x.jar", "--aggregate-class", "com.example.Agg", "--aggregate", "sum:v"))
                .contains("--aggregate and --aggregate-class exclude each other");
    }

    @Test
    void aClassWithoutAJarIsNamed() {
        assertThat(runAndCaptureErrors("run", "--job", "com.example.MyJob"))
                .contains("--job names a class in your jar: add --jar JAR");
    }

    @Test
    void aMissingJarIsNamedBeforeKafkaIsTouched() {
        assertThat(runAndCaptureErrors("run", "--jar", "no-such.jar", "--job", "com.example.MyJob",
                "--bootstrap-servers", "127.0.0.1:1"))
                .contains("job jar no-such.jar does not exist");
    }

    @Test
    void aBadJdbcUrlIsNamedBeforeKafkaIsTouched() {
        assertThat(runAndCaptureErrors("run", "--jdbc-url", "postgres://db/x", "--bootstrap-servers", "127.0.0.1:1"))
                .contains("bad JDBC URL 'postgres://db/x'");
    }
}
