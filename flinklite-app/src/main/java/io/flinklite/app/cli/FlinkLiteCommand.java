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
     * Parses and runs {@code args}. Bad flags print a one-line message and the usage, never a stack trace.
     *
     * @return the process exit code: 0 on success, 2 on bad usage, 1 on a failure at run time
     */
    public static int execute(String... args) {
        io.flinklite.app.Configuration configuration;
        try {
            configuration = io.flinklite.app.Configuration.load(args, System.getenv());
        } catch (UserFacingException e) {
            System.err.println("flinklite: " + e.getMessage());
            return 1;
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
        cli.setDefaultValueProvider(new ConfigDefaults(configuration));
        cli.setParameterExceptionHandler((ex, params) -> {
            // Bad flags: one line naming the problem, then the usage of the (sub)command, exit 2.
            CommandLine cmd = ex.getCommandLine();
            cmd.getErr().println("flinklite: " + ex.getMessage());
            cmd.usage(cmd.getErr());
            return cmd.getCommandSpec().exitCodeOnInvalidInput();
        });
        cli.setExecutionExceptionHandler((ex, commandLine, parseResult) -> {
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

    /** Reads the version from the jar manifest; "dev" when run from classes. */
    static final class Version implements CommandLine.IVersionProvider {
        @Override
        public String[] getVersion() {
            String v = FlinkLiteCommand.class.getPackage().getImplementationVersion();
            return new String[] {"flinklite " + (v == null ? "dev" : v)};
        }
    }
}
