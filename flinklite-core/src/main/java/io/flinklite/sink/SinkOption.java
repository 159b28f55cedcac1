package io.flinklite.sink;

import java.util.Objects;
import java.util.regex.Pattern;

/**
 * One setting of a sink: a {@code run} flag {@code --NAME}, the config-file key {@code NAME} and the environment
 * variable {@code FLINKLITE_NAME} (upper case, dashes as underscores). A {@linkplain #secret() secret} (a password)
 * has no flag, because flags show up in {@code ps}: it comes from the config file or the environment only. Immutable.
 */
public final class SinkOption {
    private static final Pattern NAME = Pattern.compile("[a-z][a-z0-9]*(-[a-z0-9]+)+");

    private final String name;
    private final String paramLabel;
    private final String description;
    private final boolean secret;
    private final boolean toggle;

    private SinkOption(String name, String paramLabel, String description, boolean secret, boolean toggle) {
        if (!NAME.matcher(Objects.requireNonNull(name, "name")).matches()) {
            throw new IllegalArgumentException("bad sink option name '" + name + "': expected PREFIX-NAME in lower case,"
                    + " e.g. cassandra-keyspace");
        }
        this.name = name;
        this.paramLabel = Objects.requireNonNull(paramLabel, "paramLabel");
        this.description = Objects.requireNonNull(description, "description");
        this.secret = secret;
        this.toggle = toggle;
    }

    /**
     * A setting with a flag.
     *
     * @param name        the flag without dashes, prefixed by the sink's name: {@code cassandra-keyspace}
     * @param paramLabel  how help shows the value: {@code KEYSPACE}, {@code DURATION}
     * @param description one or two sentences for {@code --help}, ending with the default in brackets
     */
    public static SinkOption of(String name, String paramLabel, String description) {
        return new SinkOption(name, paramLabel, description, false, false);
    }

    /**
     * An on/off setting: the flag takes no value ({@code --cassandra-create-table}); in the config file or the
     * environment it is {@code true} or {@code false}. Its value in {@link SinkSettings} is {@code "true"} when on.
     */
    public static SinkOption toggle(String name, String description) {
        return new SinkOption(name, "", description, false, true);
    }

    /** A secret setting: config file or environment only, never a flag, never logged. */
    public static SinkOption secret(String name, String description) {
        return new SinkOption(name, "SECRET", description, true, false);
    }

    /** The flag without dashes; also the config-file key. */
    public String name() { return name; }

    public String paramLabel() { return paramLabel; }

    public String description() { return description; }

    /** True for settings that must never appear on a command line or in a log. */
    public boolean secret() { return secret; }

    /** True for an on/off flag without a value; see {@link #toggle}. */
    public boolean isToggle() { return toggle; }

    /** {@code --NAME}. */
    public String flag() { return "--" + name; }

    @Override
    public String toString() { return flag(); }
}
