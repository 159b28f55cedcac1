package io.flinklite.job;

import io.flinklite.api.WindowAssigner;
import java.util.Objects;

/**
 * The window of the built-in job, as typed on the command line: {@code sliding:10s:5s}, {@code tumbling:10s},
 * {@code session:5s}; tumbling and sliding take an optional offset as a further part ({@code tumbling:1h:15m}).
 * Immutable.
 */
public final class WindowSpec {

    private final WindowAssigner assigner;

    private WindowSpec(WindowAssigner assigner) {
        this.assigner = assigner;
    }

    /** @throws IllegalArgumentException as {@link WindowAssigner#tumbling(long, long)} */
    public static WindowSpec tumbling(long sizeMs, long offsetMs) {
        return new WindowSpec(WindowAssigner.tumbling(sizeMs, offsetMs));
    }

    /** @throws IllegalArgumentException as {@link WindowAssigner#sliding(long, long, long)} */
    public static WindowSpec sliding(long sizeMs, long slideMs, long offsetMs) {
        return new WindowSpec(WindowAssigner.sliding(sizeMs, slideMs, offsetMs));
    }

    /** @throws IllegalArgumentException as {@link WindowAssigner#session(long)} */
    public static WindowSpec session(long gapMs) {
        return new WindowSpec(WindowAssigner.session(gapMs));
    }

    /** The seed job's window, {@link JobSpec#DEFAULT_WINDOW}: sliding, 10 s long, every 5 s. */
    public static WindowSpec defaults() {
        return parse(JobSpec.DEFAULT_WINDOW);
    }

    /**
     * Parses {@code sliding:SIZE:SLIDE[:OFFSET]}, {@code tumbling:SIZE[:OFFSET]} or {@code session:GAP}.
     *
     * @throws IllegalArgumentException naming the offending text
     */
    public static WindowSpec parse(String text) {
        Objects.requireNonNull(text, "window");
        String[] parts = text.trim().split(":");
        try {
            switch (parts[0].toLowerCase(java.util.Locale.ROOT)) {
                case "tumbling":
                    if (parts.length == 2) return tumbling(Durations.parseMillis(parts[1]), 0);
                    if (parts.length == 3) return tumbling(Durations.parseMillis(parts[1]), Durations.parseMillis(parts[2]));
                    break;
                case "sliding":
                    if (parts.length == 3) return sliding(Durations.parseMillis(parts[1]), Durations.parseMillis(parts[2]), 0);
                    if (parts.length == 4) {
                        return sliding(Durations.parseMillis(parts[1]), Durations.parseMillis(parts[2]), Durations.parseMillis(parts[3]));
                    }
                    break;
                case "session":
                    if (parts.length == 2) return session(Durations.parseMillis(parts[1]));
                    break;
                default:
                    break;
            }
        } catch (IllegalArgumentException e) {
            throw new IllegalArgumentException("bad window '" + text + "': " + e.getMessage(), e);
        }
        throw new IllegalArgumentException("bad window '" + text
                + "': expected sliding:SIZE:SLIDE, tumbling:SIZE or session:GAP, e.g. sliding:10s:5s");
    }

    /** The window assigner this spec stands for, with Apache Flink's rules. */
    public WindowAssigner assigner() { return assigner; }

    public WindowAssigner.Kind kind() { return assigner.kind(); }
    /** Window length for tumbling and sliding windows; 0 for sessions. */
    public long sizeMs() { return assigner.sizeMs(); }
    /** Distance between window starts; equals the size for tumbling windows; 0 for sessions. */
    public long slideMs() { return assigner.slideMs(); }
    /** Shift of the window grid from the epoch, as Flink's {@code offset}. */
    public long offsetMs() { return assigner.offsetMs(); }
    /** Session gap; 0 for other kinds. */
    public long gapMs() { return assigner.gapMs(); }

    /** The canonical form, which {@link #parse} accepts: {@code sliding:10s:5s}. */
    @Override
    public String toString() {
        String offset = offsetMs() != 0 ? ":" + Durations.format(offsetMs()) : "";
        switch (kind()) {
            case TUMBLING:
                return "tumbling:" + Durations.format(sizeMs()) + offset;
            case SLIDING:
                return "sliding:" + Durations.format(sizeMs()) + ":" + Durations.format(slideMs()) + offset;
            default:
                return "session:" + Durations.format(gapMs());
        }
    }

    @Override
    public boolean equals(Object o) {
        return o instanceof WindowSpec && toString().equals(o.toString());
    }

    @Override
    public int hashCode() {
        return toString().hashCode();
    }
}
