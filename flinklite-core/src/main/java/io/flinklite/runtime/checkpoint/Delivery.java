package io.flinklite.runtime.checkpoint;

import java.util.Locale;

/** The delivery guarantee of a job's Kafka output, chosen with {@code --delivery}. */
public enum Delivery {
    /**
     * Results are written as windows fire. After a crash, windows fired since the last checkpoint fire again with
     * identical contents, so a consumer can de-duplicate by key and window.
     */
    AT_LEAST_ONCE("at-least-once"),
    /**
     * Results are written in Kafka transactions that commit with each checkpoint: a {@code read_committed} consumer
     * sees every result exactly once, one checkpoint interval after it fired.
     */
    EXACTLY_ONCE("exactly-once");

    private final String label;

    Delivery(String label) {
        this.label = label;
    }

    /** As typed on the command line and recorded in checkpoints. */
    public String label() {
        return label;
    }

    /** The delivery whose {@link #label()} is exactly {@code label} (as a checkpoint records it); {@code null} when none. */
    public static Delivery ofLabel(String label) {
        for (Delivery d : values()) {
            if (d.label.equals(label)) {
                return d;
            }
        }
        return null;
    }

    /** @throws IllegalArgumentException naming the accepted values */
    public static Delivery parse(String text) {
        String t = text.trim().toLowerCase(Locale.ROOT).replace('_', '-');
        for (Delivery d : values()) {
            if (d.label.equals(t)) {
                return d;
            }
        }
        throw new IllegalArgumentException("bad delivery '" + text + "': expected at-least-once or exactly-once");
    }

    @Override
    public String toString() {
        return label;
    }
}
