package io.flinklite.runtime.shuffle;

import io.flinklite.runtime.checkpoint.StateTape;

import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.Collections;
import java.util.Deque;
import java.util.HashSet;
import java.util.List;
import java.util.Optional;
import java.util.Set;

/**
 * What {@code checkpoint inspect} shows of one task snapshot of a scaled-out job, read from its state tape in one
 * pass without restoring it (so without the job's classes, and without holding more than counters):
 *
 * <ul>
 *   <li>a <b>source task</b> (its state has the {@code "shuffle"} object {@link ShuffleWriter} writes): the source
 *   partition it names, its watermark and idleness, and the partial accumulators it still holds (panes, and
 *   (key, pane) partials over how many keys), which it sends once its watermark passes their panes' end;</li>
 *   <li>a <b>keyed task</b> (the {@code "stage"} object of {@link KeyedStage}): the job's watermark as the task sees
 *   it, its marker table ({@link SourceWatermarks}: per source partition the last watermark reported, whether it has
 *   reported at all and whether it is idle), the resends it skipped and the gaps it saw, and its window operator's
 *   open windows and panes over how many keys.</li>
 * </ul>
 * Anything else is {@link Kind#OTHER} (a test's own stages, a later layout): nothing is guessed. Immutable.
 */
public final class TaskStateSummary {

    // Where each stage's state sits in a task's snapshot: the source graph's writer node, the keyed task's stage.
    private static final String SOURCE_STATE = "." + io.flinklite.runtime.graph.JobGraphs.SHUFFLE;
    private static final String SOURCE_PANE = SOURCE_STATE + ".panes[]";
    private static final String SOURCE_PARTIAL = SOURCE_PANE + ".keys[]";
    private static final String KEYED_STATE = "." + KeyedStage.SNAPSHOT_FIELD;
    private static final String KEY_STATE = KEYED_STATE + ".windows.keyGroups[].keys[]";
    private static final String MARKER_TOPIC = KEYED_STATE + ".sources.topics[]";
    private static final String MARKER_LIST = MARKER_TOPIC + ".partitions";
    private static final String MARKER = MARKER_LIST + "[]";

    /** Which stage wrote the snapshot. */
    public enum Kind { SOURCE, KEYED, OTHER }

    /** One row of a keyed task's marker table. */
    public record Marker(String topic, int partition, long watermarkMs, boolean reported, boolean idle) { }

    private Kind kind = Kind.OTHER;
    private String source;
    private long watermarkMs = Long.MIN_VALUE;
    private boolean idle;
    private long partialPanes;
    private long partials;
    private long duplicates;
    private long gaps;
    private long openWindows;
    private long openPanes;
    private final Set<String> keys = new HashSet<>();
    private final List<Marker> markers = new ArrayList<>();

    private TaskStateSummary() {
    }

    public Kind kind() { return kind; }

    /** A source task's partition as its writer names it, {@code <topic>/<partition>/<total partitions>}. */
    public Optional<String> source() { return Optional.ofNullable(source); }

    /** The task's own watermark (a source task's partition's, a keyed task's job-wide one); MIN_VALUE: none yet. */
    public long watermarkMs() { return watermarkMs; }

    /** A source task's input was idle at the snapshot. */
    public boolean idle() { return idle; }

    /** A source task's panes with partials not sent yet. */
    public long partialPanes() { return partialPanes; }

    /** A source task's (key, pane) partial accumulators not sent yet. */
    public long partials() { return partials; }

    /** Keys with state: a source task's keys with partials, a keyed task's keys with open windows or panes. */
    public int keys() { return keys.size(); }

    /** A keyed task's resends skipped (records a restored source task sent twice). */
    public long duplicatesSkipped() { return duplicates; }

    /** A keyed task's jumps in a source partition's numbering (repartition records lost). */
    public long sequenceGaps() { return gaps; }

    /** A keyed task's windows waiting for the watermark (session windows included). */
    public long openWindows() { return openWindows; }

    /** A keyed task's panes (or session windows) holding accumulators. */
    public long openPanes() { return openPanes; }

    /** A keyed task's marker table, by topic then partition. */
    public List<Marker> markers() { return Collections.unmodifiableList(markers); }

    /**
     * Walks {@code state} (the task's whole snapshot, as the task manager writes it) once.
     *
     * @throws IllegalStateException when the tape is not well formed (it ends inside a value)
     */
    public static TaskStateSummary of(StateTape state) {
        TaskStateSummary s = new TaskStateSummary();
        s.walk(state.reader());
        return s;
    }

    private void walk(StateTape.Reader r) {
        // The path of each open container: "" for the root, then ".field" or "[]" per level, e.g.
        // KEY_STATE + ".panes[]".
        Deque<String> paths = new ArrayDeque<>();
        String field = null;
        String markerTopic = null;
        int markerPartition = 0;
        long markerWatermark = Long.MIN_VALUE;
        boolean markerReported = false;
        boolean markerIdle = false;
        for (int t = r.next(); t != StateTape.END; t = r.next()) {
            String at = paths.peek();
            switch (t) {
                case StateTape.FIELD_NAME:
                    field = r.text();
                    continue;
                case StateTape.START_OBJECT:
                case StateTape.START_ARRAY: {
                    String path = at == null ? "" : field != null ? at + "." + field : at + "[]";
                    if (t == StateTape.START_OBJECT) {
                        opened(path);
                        if (path.equals(MARKER)) {
                            markerWatermark = Long.MIN_VALUE;
                            markerReported = false;
                            markerIdle = false;
                        }
                    }
                    if (path.equals(MARKER_LIST)) {
                        markerPartition = 0;
                    }
                    paths.push(path);
                    break;
                }
                case StateTape.END_OBJECT:
                    if (paths.isEmpty()) {
                        throw new IllegalStateException("unbalanced state tape");
                    }
                    if (MARKER.equals(at) && markerTopic != null) {
                        markers.add(new Marker(markerTopic, markerPartition++, markerWatermark, markerReported,
                                markerIdle));
                    }
                    paths.pop();
                    break;
                case StateTape.END_ARRAY:
                    if (paths.isEmpty()) {
                        throw new IllegalStateException("unbalanced state tape");
                    }
                    paths.pop();
                    break;
                case StateTape.STRING:
                    if (SOURCE_STATE.equals(at) && "source".equals(field)) {
                        source = r.text();
                    } else if ("key".equals(field) && at != null && (at.equals(SOURCE_PARTIAL)
                            || at.equals(KEY_STATE))) {
                        keys.add(r.text());
                    } else if (MARKER_TOPIC.equals(at) && "topic".equals(field)) {
                        markerTopic = r.text();
                    }
                    break;
                case StateTape.LONG:
                case StateTape.DOUBLE:
                    if ("watermark".equals(field) && (SOURCE_STATE.equals(at) || KEYED_STATE.equals(at))) {
                        watermarkMs = r.longValue();
                    } else if (KEYED_STATE.equals(at) && "duplicates".equals(field)) {
                        duplicates = r.longValue();
                    } else if (KEYED_STATE.equals(at) && "gaps".equals(field)) {
                        gaps = r.longValue();
                    } else if (MARKER.equals(at) && "watermark".equals(field)) {
                        markerWatermark = r.longValue();
                    }
                    break;
                case StateTape.TRUE:
                case StateTape.FALSE: {
                    boolean v = t == StateTape.TRUE;
                    if (SOURCE_STATE.equals(at) && "idle".equals(field)) {
                        idle = v;
                    } else if (MARKER.equals(at)) {
                        if ("reported".equals(field)) {
                            markerReported = v;
                        } else if ("idle".equals(field)) {
                            markerIdle = v;
                        }
                    }
                    break;
                }
                default:
                    break;
            }
            field = null;
        }
        if (!paths.isEmpty()) {
            throw new IllegalStateException("state tape ends inside a value");
        }
    }

    /** An object opens at {@code path}: what it is, by where it is. */
    private void opened(String path) {
        switch (path) {
            case SOURCE_STATE:
                kind = Kind.SOURCE;
                break;
            case KEYED_STATE:
                kind = Kind.KEYED;
                break;
            case SOURCE_PANE:
                partialPanes++;
                break;
            case SOURCE_PARTIAL:
                partials++;
                break;
            case KEY_STATE + ".panes[]":
                openPanes++;
                break;
            case KEY_STATE + ".windows[]":
                openWindows++;
                break;
            case KEY_STATE + ".sessions[]":
                // A session window is its own pane: one accumulator, one window.
                openPanes++;
                openWindows++;
                break;
            default:
                break;
        }
    }
}
