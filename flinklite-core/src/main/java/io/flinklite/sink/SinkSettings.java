package io.flinklite.sink;

import java.util.Map;
import java.util.Objects;

/**
 * What {@code run} was told for one sink: the values of its {@link SinkOption}s that were set (flags, config file,
 * environment, in that order of precedence), the process environment for settings a sink reads itself (libpq's
 * {@code PGPASSWORD}), and the job's name (the Kafka consumer group), which a sink may write into its rows. Immutable.
 */
public final class SinkSettings {
    private final Map<String, String> values;
    private final Map<String, String> environment;
    private final String jobName;

    /**
     * @param values      option name (without dashes) to value, for the options that were set; blank values count
     *                    as unset
     * @param environment the process environment (a test's map)
     * @param jobName     the job's name, e.g. its consumer group
     */
    public SinkSettings(Map<String, String> values, Map<String, String> environment, String jobName) {
        this.values = Map.copyOf(Objects.requireNonNull(values, "values"));
        this.environment = Map.copyOf(Objects.requireNonNull(environment, "environment"));
        this.jobName = Objects.requireNonNull(jobName, "jobName");
    }

    /** The value of option {@code name}, trimmed, or {@code null} when it was not set. */
    public String get(String name) {
        String v = values.get(name);
        return v == null || v.isBlank() ? null : v.trim();
    }

    /** Whether option {@code name} was set to a non-blank value. */
    public boolean isSet(String name) {
        return get(name) != null;
    }

    /** Whether the toggle option {@code name} is on ({@code true}, any case). */
    public boolean isOn(String name) {
        return "true".equalsIgnoreCase(get(name));
    }

    /** Every option that was set: name to value. May contain secrets: never print it. */
    public Map<String, String> values() { return values; }

    public Map<String, String> environment() { return environment; }

    public String jobName() { return jobName; }

    /** Names only: values may be secrets. */
    @Override
    public String toString() { return "SinkSettings" + values.keySet(); }
}
