package io.flinklite.runtime.checkpoint;

import io.flinklite.runtime.state.KeyGroups;

import java.util.ArrayDeque;
import java.util.Collections;
import java.util.Deque;
import java.util.Map;
import java.util.Optional;
import java.util.TreeMap;

/**
 * What a person wants to know about a checkpoint's operator state without reading it: how many windows (panes) are
 * open per key. Computed by {@code checkpoint inspect} from the state tape, whatever operator wrote it, by this rule:
 * an object with a string field {@code "key"} is one key's state, and every object inside an array named
 * {@code "panes"} (slide-sized partial aggregates) or {@code "sessions"} below it is one open pane of that key. Not used on the task thread.
 */
public final class StateSummary {
    private final Map<String, Long> panesPerKey;
    private final long openPanes;
    private final int keyGroups;
    private final String problem;

    private StateSummary(Map<String, Long> panesPerKey, long openPanes, int keyGroups, String problem) {
        this.panesPerKey = Collections.unmodifiableMap(panesPerKey);
        this.openPanes = openPanes;
        this.keyGroups = keyGroups;
        this.problem = problem;
    }

    /** Open panes per key, keys in natural order. */
    public Map<String, Long> panesPerKey() {
        return panesPerKey;
    }

    public long openPanes() {
        return openPanes;
    }

    /** Number of elements of arrays named {@code "keyGroups"} that hold state (zero when the operator has none). */
    public int keyGroups() {
        return keyGroups;
    }

    /**
     * The first impossibility found on the way, whatever operator wrote the state: a {@code "keyGroup"} outside
     * [0, {@value KeyGroups#COUNT}), a {@code "key"} inside a key group that its hash puts in another group, a
     * negative {@code "partition"} or {@code "nextOffset"} in {@code "positions"}. Empty when there is none; used by
     * {@link RestoreCheck} for states it cannot restore without the job's classes.
     */
    public Optional<String> problem() {
        return Optional.ofNullable(problem);
    }

    /** Walks {@code state} once. */
    public static StateSummary of(StateTape state) {
        Map<String, Long> perKey = new TreeMap<>();
        long total = 0;
        int groups = 0;
        String problem = null;
        // For each open object or array: the key whose state it belongs to (inherited), and whether it is a pane list.
        Deque<Frame> stack = new ArrayDeque<>();
        String field = null;
        StateTape.Reader r = state.reader();
        for (int t = r.next(); t != StateTape.END; t = r.next()) {
            Frame parent = stack.peek();
            switch (t) {
                case StateTape.FIELD_NAME:
                    field = r.text();
                    continue;
                case StateTape.START_OBJECT:
                case StateTape.START_ARRAY: {
                    boolean inPaneList = parent != null && parent.paneList;
                    if (t == StateTape.START_OBJECT && inPaneList && parent.key != null) {
                        perKey.merge(parent.key, 1L, Long::sum);
                        total++;
                    }
                    Frame frame = new Frame(parent == null ? null : parent.key, parent == null ? -1 : parent.keyGroup);
                    if (parent != null && parent.keyGroupList) {
                        groups++;
                        frame.keyGroupElement = t == StateTape.START_OBJECT;
                    }
                    frame.positionElement = parent != null && parent.positionList;
                    if (t == StateTape.START_ARRAY && parent != null && !parent.array) {
                        frame.paneList = "panes".equals(field) || "sessions".equals(field);
                        frame.keyGroupList = "keyGroups".equals(field);
                        frame.positionList = "positions".equals(field);
                    }
                    frame.array = t == StateTape.START_ARRAY;
                    // A pane object below a pane list is not itself a list of panes.
                    stack.push(frame);
                    break;
                }
                case StateTape.END_OBJECT:
                case StateTape.END_ARRAY:
                    stack.pop();
                    break;
                case StateTape.STRING:
                    if ("key".equals(field) && parent != null && !parent.array) {
                        parent.key = r.text();
                        if (problem == null && parent.keyGroup >= 0 && KeyGroups.of(parent.key) != parent.keyGroup) {
                            problem = "its state puts key '" + parent.key + "' in key group " + parent.keyGroup
                                    + ", but the key belongs to group " + KeyGroups.of(parent.key);
                        }
                    }
                    break;
                case StateTape.LONG:
                    if (parent != null && parent.keyGroupElement && "keyGroup".equals(field)) {
                        long g = r.longValue();
                        if (g >= 0 && g < KeyGroups.COUNT) {
                            parent.keyGroup = (int) g;
                        } else if (problem == null) {
                            problem = "its state holds key group " + g + ", outside [0, " + KeyGroups.COUNT + ")";
                        }
                    } else if (problem == null && parent != null && parent.positionElement
                            && ("partition".equals(field) || "nextOffset".equals(field)) && r.longValue() < 0) {
                        problem = "its state holds a negative " + field + " in its positions: " + r.longValue();
                    }
                    break;
                default:
                    break;
            }
            field = null;
        }
        return new StateSummary(perKey, total, groups, problem);
    }

    private static final class Frame {
        String key;
        /** The key group whose state this is (inherited); -1 outside a key group. */
        int keyGroup;
        boolean array;
        boolean paneList;
        boolean keyGroupList;
        boolean keyGroupElement;
        boolean positionList;
        boolean positionElement;

        Frame(String key, int keyGroup) {
            this.key = key;
            this.keyGroup = keyGroup;
        }
    }
}
