package io.flinklite.app.cli;

import io.flinklite.app.SinkRegistry;
import io.flinklite.sink.SinkOption;
import picocli.CommandLine;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Model.OptionSpec;

import java.util.LinkedHashMap;
import java.util.Map;

/**
 * The flags of the plug-in sinks ({@link SinkRegistry}): each non-secret {@link SinkOption} becomes a {@code --NAME}
 * flag of the command, which, like every flag, can also be set in the config file or as {@code FLINKLITE_NAME}.
 * Secrets have no flag and are read from the config file or the environment only.
 */
public final class SinkOptions implements CommandLine.IModelTransformer {

    @Override
    public CommandSpec transform(CommandSpec spec) {
        for (SinkOption o : SinkRegistry.installed().options()) {
            if (o.isToggle()) {
                spec.addOption(OptionSpec.builder(o.flag()).type(boolean.class).arity("0")
                        .description(o.description()).build());
            } else if (!o.secret()) {
                spec.addOption(OptionSpec.builder(o.flag()).paramLabel(o.paramLabel()).type(String.class)
                        .description(o.description()).build());
            }
        }
        return spec;
    }

    /** Option name (without dashes) to value for every sink option that is set, secrets included. */
    static Map<String, String> values(CommandSpec spec) {
        Map<String, String> values = new LinkedHashMap<>();
        io.flinklite.app.Configuration configuration = ConfigDefaults.of(spec);
        for (SinkOption o : SinkRegistry.installed().options()) {
            String v;
            if (o.secret()) {
                v = configuration.setting(o.name());
            } else {
                OptionSpec option = spec.findOption(o.flag());
                Object value = option == null ? null : option.getValue();
                v = value == null ? null : value.toString();
            }
            if (v != null && !v.isBlank()) {
                values.put(o.name(), v);
            }
        }
        return values;
    }
}
