package io.flinklite.runtime.graph;

import io.flinklite.api.Event;
import io.flinklite.job.TimestampSpec;

import java.util.Objects;

/**
 * How a source turns record bytes into {@link Event}s: today's JSON decoder settings (key field, value field, where
 * event time comes from) and which decoded events must carry a value (one without it is invalid, {@code bad_value},
 * and does not move the watermark). Immutable.
 */
public final class EventFormat {

    /** Decides, per decoded event, whether the job needs its value. Task thread; must not allocate. */
    @FunctionalInterface
    public interface ValueRequirement {
        boolean requiresValue(Event event);
    }

    private static final ValueRequirement ALWAYS = e -> true;
    private static final ValueRequirement NEVER = e -> false;

    private final String keyField;
    private final String valueField;
    private final TimestampSpec timestamps;
    private final ValueRequirement valueRequirement;

    /**
     * @param valueField       the JSON number field, or {@code null} when the job reads none
     * @param valueRequirement which events need the value; {@code null}: every event when {@code valueField} is
     *                         given, none otherwise
     */
    public EventFormat(String keyField, String valueField, TimestampSpec timestamps, ValueRequirement valueRequirement) {
        this.keyField = Objects.requireNonNull(keyField, "keyField");
        this.valueField = valueField;
        this.timestamps = Objects.requireNonNull(timestamps, "timestamps");
        this.valueRequirement = valueRequirement != null ? valueRequirement : valueField != null ? ALWAYS : NEVER;
    }

    public String keyField() { return keyField; }

    /** {@code null} when the job reads no value. */
    public String valueField() { return valueField; }

    public TimestampSpec timestamps() { return timestamps; }

    public ValueRequirement valueRequirement() { return valueRequirement; }

    /** The settings that shape the decoded events, for fingerprints. */
    public String describe() {
        return "keyField=" + keyField + ";valueField=" + valueField
                + (timestamps.equals(TimestampSpec.defaults()) ? "" : ";timestamps=" + timestamps);
    }
}
