package io.flinklite.app.cli;

import picocli.CommandLine;
import picocli.CommandLine.Command;

/**
 * The top-level {@code flinklite} command. Each subcommand is its own class in this package; add it to
 * {@code subcommands} below.
 */
@Command(name = "flinklite",
        mixinStandardHelpOptions = true,
        versionProvider = FlinkLiteCommand.Version.class,
        description = "A lightweight event-time stream processor for Kafka with Apache Flink's window semantics.",
        subcommands = {
                CommandLine.HelpCommand.class,
                ReplayCommand.class,
                RunCommand.class,
                SimulateCommand.class,
                DemoCommand.class,
                CheckpointCommand.class,
        })
public final class FlinkLiteCommand implements Runnable {

    @CommandLine.Spec
    CommandLine.Model.CommandSpec spec;

    @Override
    public void run() {
        spec.commandLine().usage(System.out);
    }

    /**
     * Parses and runs {@code args}. A usage error is one line naming the flag, its value and where it came from, then
     * the help hint ({@link UsageErrors}); never a stack trace.
     *
     * @return the process exit code: 0 on success, 2 on bad usage, 1 on a failure at run time
     */
    public static int execute(String... args) {
        io.flinklite.app.Configuration configuration;
        try {
            configuration = io.flinklite.app.Configuration.load(args, System.getenv());
        } catch (UserFacingException e) {
            System.err.println("flinklite: " + e.getMessage());
            System.err.println("see 'flinklite --help'");
            return UsageErrors.EXIT_USAGE;
        }
        return execute(configuration, args);
    }

    /**
     * Parses and runs {@code args} with settings not given as flags taken from {@code configuration}.
     *
     * @return the process exit code, as {@link #execute(String...)}
     */
    public static int execute(io.flinklite.app.Configuration configuration, String... args) {
        CommandLine cli = new CommandLine(new FlinkLiteCommand());
        UsageErrors usage = new UsageErrors(args, configuration);
        cli.setDefaultValueProvider(new ConfigDefaults(configuration));
        cli.setParameterExceptionHandler((ex, params) -> usage.handleParseError(ex));
        cli.setExecutionStrategy(parseResult -> {
            usage.checkBlankValues(parseResult);
            if (parseResult.hasSubcommand() && ConfigDefaults.readsConfiguration(parseResult.subcommand().commandSpec())) {
                usage.warnUnknownSettings(cli, cli.getErr());
            }
            return new CommandLine.RunLast().execute(parseResult);
        });
        cli.setExecutionExceptionHandler((ex, commandLine, parseResult) -> {
            Integer code = usage.handleExecutionError(ex, commandLine);
            if (code != null) {
                return code;
            }
            if (ex instanceof IllegalArgumentException || ex instanceof UserFacingException
                    || ex instanceof io.flinklite.connector.kafka.KafkaConnectorException
                    || ex instanceof io.flinklite.sink.SinkException
                    || ex instanceof io.flinklite.runtime.checkpoint.CheckpointCoordinator.CheckpointFailedException) {
                commandLine.getErr().println("flinklite: " + ex.getMessage());
                return 1;
            }
            throw ex;
        });
        return cli.execute(args);
    }

    /** The project version Maven wrote into {@code io/flinklite/app/version.properties}. */
    static final class Version implements CommandLine.IVersionProvider {
        @Override
        public String[] getVersion() {
            return new String[] {"flinklite " + version()};
        }

        static String version() {
            java.util.Properties p = new java.util.Properties();
            try (java.io.InputStream in = FlinkLiteCommand.class.getResourceAsStream("/io/flinklite/app/version.properties")) {
                if (in != null) {
                    p.load(in);
                }
            } catch (java.io.IOException e) {
                return "unknown (" + e.getMessage() + ")";
            }
            String v = p.getProperty("version");
            return v == null || v.startsWith("${") ? "unknown (built without Maven's resource filtering)" : v;
        }
    }
}
