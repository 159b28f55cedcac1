package io.flinklite.app.cli;

import io.flinklite.app.Configuration;
import picocli.CommandLine;

/**
 * Feeds picocli the values of options not given as flags from the {@link Configuration} (environment, then file);
 * when neither has one, the option's annotated default applies. This is what makes flags win.
 *
 * <p>Only the commands that talk to Kafka read the configuration; {@code replay} stays a deterministic function of
 * its flags and input, whatever the environment holds.
 */
final class ConfigDefaults implements CommandLine.IDefaultValueProvider {

    private static final java.util.Set<String> CONFIGURED_COMMANDS = java.util.Set.of("run", "simulate", "demo");

    private final Configuration configuration;

    ConfigDefaults(Configuration configuration) {
        this.configuration = configuration;
    }

    /** Whether {@code command} takes settings from the configuration (replay does not). */
    static boolean readsConfiguration(CommandLine.Model.CommandSpec command) {
        return CONFIGURED_COMMANDS.contains(command.name());
    }

    Configuration configuration() {
        return configuration;
    }

    @Override
    public String defaultValue(CommandLine.Model.ArgSpec argSpec) {
        if (!(argSpec instanceof CommandLine.Model.OptionSpec)) {
            return null;
        }
        CommandLine.Model.OptionSpec option = (CommandLine.Model.OptionSpec) argSpec;
        if (option.command() == null || !CONFIGURED_COMMANDS.contains(option.command().name())) {
            return null;
        }
        String name = option.longestName();
        if (!name.startsWith("--") || name.equals("--config") || name.equals("--kafka-property")) {
            return null;
        }
        return configuration.setting(name.substring(2));
    }

    /** The configuration behind {@code spec}'s command line, or an empty one when none was installed (tests). */
    static Configuration of(CommandLine.Model.CommandSpec spec) {
        CommandLine.IDefaultValueProvider provider = spec.defaultValueProvider();
        if (provider == null) {
            provider = spec.root().defaultValueProvider();
        }
        return provider instanceof ConfigDefaults ? ((ConfigDefaults) provider).configuration() : Configuration.empty();
    }
}
