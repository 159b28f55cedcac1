package io.flinklite.app.cli;

import io.flinklite.app.Configuration;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.MethodSource;
import picocli.CommandLine;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Model.OptionSpec;

import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Collection;
import java.util.List;
import java.util.Map;
import java.util.stream.Collectors;

import static org.assertj.core.api.Assertions.assertThat;
import static org.junit.jupiter.api.Assertions.assertTimeoutPreemptively;

/**
 * Every usage error is one line naming the flag, the bad value and where it came from, then the help hint, exit 2.
 * The cases are generated from picocli's model of every command, so a flag added later is covered without change.
 */
class UsageErrorTest {
    @TempDir
    static Path dir;

    record Case(String command, String flag, String value, List<String> args) {
        @Override
        public String toString() {
            return command + " " + flag + "=" + value;
        }
    }

    /** One case per option of every command that takes a value: a blank text, or an unparseable typed value. */
    static List<Case> everyOptionsBadValue() throws Exception {
        Path input = Files.createTempFile("usage", ".jsonl");
        input.toFile().deleteOnExit();
        List<Case> cases = new ArrayList<>();
        collect(new CommandLine(new FlinkLiteCommand()), input, cases);
        assertThat(cases).hasSizeGreaterThan(40);
        return cases;
    }

    private static void collect(CommandLine cmd, Path input, List<Case> cases) {
        CommandSpec spec = cmd.getCommandSpec();
        List<String> prefix = new ArrayList<>(Arrays.asList(spec.qualifiedName().split(" ")));
        prefix.remove(0);
        for (OptionSpec option : spec.options()) {
            if (option.usageHelp() || option.versionHelp() || !option.longestName().startsWith("--")) {
                continue;
            }
            String bad = badValue(option);
            List<String> args = new ArrayList<>(prefix);
            for (OptionSpec required : spec.requiredArgs().stream().filter(a -> a instanceof OptionSpec)
                    .map(a -> (OptionSpec) a).collect(Collectors.toList())) {
                if (required != option) {
                    args.add(required.longestName() + "=" + (required.longestName().contains("output")
                            ? dir.resolve("out-" + cases.size()) : input));
                }
            }
            // A check that came after connecting would fail fast on this unreachable broker, not hang.
            if (spec.findOption("--bootstrap-servers") != null && option != spec.findOption("--bootstrap-servers")) {
                args.add("--bootstrap-servers=127.0.0.1:9");
            }
            if (spec.findOption("--connect-timeout") != null && option != spec.findOption("--connect-timeout")) {
                args.add("--connect-timeout=2s");
            }
            args.add(option.longestName() + "=" + bad);
            cases.add(new Case(spec.qualifiedName(), option.longestName(), bad, args));
        }
        for (CommandLine sub : cmd.getSubcommands().values()) {
            if (!(sub.getCommand() instanceof CommandLine.HelpCommand)) {
                collect(sub, input, cases);
            }
        }
    }

    private static String badValue(OptionSpec option) {
        Class<?> type = option.type();
        if (option.arity().max() == 0 || type == boolean.class || type == Boolean.class) {
            return "maybe";
        }
        if (type == String.class || type == Path.class || type == java.io.File.class) {
            return "";
        }
        if (Map.class.isAssignableFrom(type) || Collection.class.isAssignableFrom(type)) {
            return "";
        }
        return "%bad%";
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("everyOptionsBadValue")
    void aBadValueIsOneLineNamingFlagValueAndSourceThenTheHintExit2(Case c) {
        Run run = assertTimeoutPreemptively(Duration.ofSeconds(60), () -> run(Configuration.empty(), c.args()));
        List<String> lines = run.lines();
        assertThat(run.code).as(run.err).isEqualTo(2);
        assertThat(lines).as(run.err).hasSize(2);
        assertThat(lines.get(0)).startsWith("flinklite: ").contains(c.flag());
        if (!c.value().equals("maybe")) {
            assertThat(lines.get(0)).contains("'" + c.value() + "' (from the command line)");
        } else {
            assertThat(lines.get(0)).contains("maybe");
        }
        assertThat(lines.get(1)).isEqualTo("see '" + c.command() + " --help'");
    }

    @Test
    void lateChecksAreUsageErrorsToo() {
        Object[][] cases = {
                {"--start-from=middle", "--start-from 'middle' (from the command line): expected earliest or latest"},
                {"--max-record-size=0", "--max-record-size '0' (from the command line): must be positive"},
                {"--commit-interval=0s", "--commit-interval '0s' (from the command line): must be positive"},
                {"--idle-timeout=0s", null},
                {"--types= , ", "--types ' , ' (from the command line): bad types"},
                {"--key-field=a..b", "--key-field 'a..b' (from the command line): bad field path"},
                {"--metrics-port=70000", "--metrics-port '70000' (from the command line): must be between 0 and 65535"},
                {"--status-interval=soon", "--status-interval 'soon' (from the command line): bad duration"},
                {"--timestamp-field=.ts", "--timestamp-field '.ts' (from the command line): bad field path"},
                {"--repartition-partitions=4", "only applies with --scale-out"},
        };
        for (Object[] c : cases) {
            List<String> args = new ArrayList<>(List.of("run", "--bootstrap-servers=127.0.0.1:9", "--connect-timeout=2s"));
            args.add((String) c[0]);
            if (c[1] == null) {
                args.add("--idle-wall-clock");
            }
            Run run = run(Configuration.empty(), args);
            assertThat(run.code).as(run.err).isEqualTo(2);
            assertThat(run.lines()).as(run.err).hasSize(2);
            assertThat(run.lines().get(0)).contains(c[1] == null ? "--idle-wall-clock" : (String) c[1]);
            assertThat(run.lines().get(1)).isEqualTo("see 'flinklite run --help'");
        }
    }

    @Test
    void aMissingJarIsAUsageErrorOfTheJarFlag() {
        Run run = run(Configuration.empty(), List.of("run", "--bootstrap-servers=127.0.0.1:9", "--connect-timeout=2s",
                "--jar", dir.resolve("missing.jar").toString(), "--job", "com.example.Job"));
        assertThat(run.code).as(run.err).isEqualTo(2);
        assertThat(run.lines().get(0)).startsWith("flinklite: --jar '" + dir.resolve("missing.jar")
                + "' (from the command line): job jar ").contains("does not exist");
    }

    @Test
    void simulateChecksItsPartitionsBeforeConnecting() {
        Run run = run(Configuration.empty(), List.of("simulate", "--bootstrap-servers=127.0.0.1:9",
                "--connect-timeout=2s", "--partitions=0"));
        assertThat(run.code).as(run.err).isEqualTo(2);
        assertThat(run.lines().get(0)).startsWith("flinklite: --partitions '0' (from the command line): must be positive");
    }

    @Test
    void aBadValueFromTheEnvironmentOrTheFileNamesItsSource() throws Exception {
        Path file = dir.resolve("flinklite.properties");
        Files.writeString(file, "# settings\ngroup-id = g\n\nwindow = sliding:10s\n");
        Configuration fromFile = Configuration.load(new String[] {"--config", file.toString()}, Map.of());
        Run run = run(fromFile, List.of("run", "--config", file.toString()));
        assertThat(run.code).isEqualTo(2);
        assertThat(run.lines().get(0)).startsWith("flinklite: --window 'sliding:10s' (from " + file + ":4): ");
        Configuration fromEnv = Configuration.load(new String[0], Map.of("FLINKLITE_IDLE_TIMEOUT", "\u0665s"));
        run = run(fromEnv, List.of("run"));
        assertThat(run.code).isEqualTo(2);
        assertThat(run.lines().get(0)).startsWith("flinklite: --idle-timeout '\u0665s' (from FLINKLITE_IDLE_TIMEOUT): ");
        // The command line wins over the variable, and a bad value there is reported as the command line's.
        run = run(fromEnv, List.of("run", "--idle-timeout", "5x"));
        assertThat(run.lines().get(0)).startsWith("flinklite: --idle-timeout '5x' (from the command line): ");
    }

    @Test
    void unknownKeysAndVariablesAreWarnedWithTheClosestName() throws Exception {
        Path file = dir.resolve("typo.properties");
        Files.writeString(file, "boostrap-servers=broker:9092\nkafka.acks=all\n");
        Configuration c = Configuration.load(new String[] {"--config", file.toString()},
                Map.of("FLINKLITE_GRUOP_ID", "x", "FLINKLITE_KAFKA_SASL_MECHANISM", "PLAIN"));
        Run run = run(c, List.of("run", "--config", file.toString(), "--max-record-size=0"));
        assertThat(run.err).contains("flinklite: warning: unknown key 'boostrap-servers' in " + file
                + ":1 is ignored; did you mean 'bootstrap-servers'?");
        assertThat(run.err).contains("flinklite: warning: unknown environment variable FLINKLITE_GRUOP_ID is ignored; "
                + "did you mean FLINKLITE_GROUP_ID?");
        assertThat(run.err).doesNotContain("acks").doesNotContain("SASL");
    }

    @Test
    void theSinksSecretsAreKnownSettingsThoughTheyHaveNoFlag() throws Exception {
        Path file = dir.resolve("secrets.properties");
        Files.writeString(file, "jdbc-password=a\ncassandra-password=b\n");
        Configuration c = Configuration.load(new String[] {"--config", file.toString()},
                Map.of("FLINKLITE_CASSANDRA_PASSWORD", "c", "FLINKLITE_JDBC_PASSWORD", "d"));
        Run run = run(c, List.of("run", "--config", file.toString(), "--max-record-size=0"));
        assertThat(run.err).doesNotContain("warning");
    }

    @Test
    void anUnknownFlagIsOneLineWithASuggestionNotTheWholeHelp() {
        Run run = run(Configuration.empty(), List.of("run", "--windwo", "tumbling:1m"));
        assertThat(run.code).isEqualTo(2);
        assertThat(run.lines()).hasSize(2);
        assertThat(run.lines().get(0)).contains("--windwo").contains("--window");
        assertThat(run.lines().get(1)).isEqualTo("see 'flinklite run --help'");
    }

    @Test
    void versionIsTheProjectVersion() throws Exception {
        PrintStream oldOut = System.out;
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        System.setOut(new PrintStream(out, true, StandardCharsets.UTF_8));
        try {
            assertThat(FlinkLiteCommand.execute(Configuration.empty(), "-V")).isZero();
        } finally {
            System.setOut(oldOut);
        }
        String pom = Files.readString(Path.of("pom.xml"));
        String version = pom.substring(pom.indexOf("<version>") + 9, pom.indexOf("</version>"));
        assertThat(out.toString(StandardCharsets.UTF_8).trim()).isEqualTo("flinklite " + version);
    }

    record Run(int code, String err) {
        List<String> lines() {
            return Arrays.stream(err.split("\n")).filter(l -> !l.startsWith("flinklite: warning:"))
                    .collect(Collectors.toList());
        }
    }

    private static Run run(Configuration configuration, List<String> args) {
        PrintStream oldErr = System.err;
        PrintStream oldOut = System.out;
        ByteArrayOutputStream err = new ByteArrayOutputStream();
        System.setErr(new PrintStream(err, true, StandardCharsets.UTF_8));
        System.setOut(new PrintStream(new ByteArrayOutputStream(), true, StandardCharsets.UTF_8));
        try {
            int code = FlinkLiteCommand.execute(configuration, args.toArray(new String[0]));
            return new Run(code, err.toString(StandardCharsets.UTF_8));
        } finally {
            System.setErr(oldErr);
            System.setOut(oldOut);
        }
    }
}
