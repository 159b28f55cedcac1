package io.flinklite.runtime.checkpoint;

import java.util.ArrayDeque;
import java.util.Collections;
import java.util.Deque;
import java.util.Map;
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

    private StateSummary(Map<String, Long> panesPerKey, long openPanes, int keyGroups) {
        this.panesPerKey = Collections.unmodifiableMap(panesPerKey);
        this.openPanes = openPanes;
        this.keyGroups = keyGroups;
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

    /** Walks {@code state} once. */
    public static StateSummary of(StateTape state) {
        Map<String, Long> perKey = new TreeMap<>();
        long total = 0;
        int groups = 0;
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
                    if (parent != null && parent.keyGroupList) {
                        groups++;
                    }
                    Frame frame = new Frame(parent == null ? null : parent.key);
                    if (t == StateTape.START_ARRAY && parent != null && !parent.array) {
                        frame.paneList = "panes".equals(field) || "sessions".equals(field);
                        frame.keyGroupList = "keyGroups".equals(field);
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
                    }
                    break;
                default:
                    break;
            }
            field = null;
        }
        return new StateSummary(perKey, total, groups);
    }

    private static final class Frame {
        String key;
        boolean array;
        boolean paneList;
        boolean keyGroupList;

        Frame(String key) {
            this.key = key;
        }
    }
}
