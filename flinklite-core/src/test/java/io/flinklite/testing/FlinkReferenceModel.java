package io.flinklite.testing;

import io.flinklite.api.WindowAssigner;

import java.util.ArrayList;
import java.util.Comparator;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.TreeSet;

/**
 * A deliberately naive model of Flink's {@code WindowOperator} + {@code EventTimeTrigger} +
 * {@code MergingWindowSet}, written straight from Flink's algorithm: one list of elements per (key, window), a sorted
 * set of timers with real deletion, the state-window mapping of merging windows. No panes, no lazy timers, no
 * primitive maps: the optimised operator must produce the same firings.
 */
final class FlinkReferenceModel {
    record Win(long start, long end) {
        long maxTs() { return end - 1; }
        boolean intersects(Win o) { return start <= o.end && end >= o.start; }
        Win cover(Win o) { return new Win(Math.min(start, o.start), Math.max(end, o.end)); }
    }

    record Timer(long time, String key, Win window) {
    }

    /** One firing: key, window, the summed element values, the element count. */
    record Firing(String key, long start, long end, long count, long sum) {
    }

    private final WindowAssigner assigner;
    private final long lateness;
    private long watermark = Long.MIN_VALUE;
    private final Map<String, Map<Win, List<Long>>> state = new HashMap<>();
    private final Map<String, Map<Win, Win>> mergingSets = new HashMap<>();
    private final TreeSet<Timer> timers = new TreeSet<>(Comparator.comparingLong(Timer::time)
            .thenComparing(Timer::key).thenComparingLong(t -> t.window().start()).thenComparingLong(t -> t.window().end()));
    final List<Firing> firings = new ArrayList<>();
    final List<Long> late = new ArrayList<>();

    FlinkReferenceModel(WindowAssigner assigner, long lateness) {
        this.assigner = assigner;
        this.lateness = lateness;
    }

    private long cleanupTime(Win w) {
        long t = w.maxTs() + lateness;
        return t >= w.maxTs() ? t : Long.MAX_VALUE;
    }

    private boolean isWindowLate(Win w) {
        return cleanupTime(w) <= watermark;
    }

    private List<Win> assign(long ts) {
        List<Win> out = new ArrayList<>();
        switch (assigner.kind()) {
            case TUMBLING: {
                long start = WindowAssigner.windowStart(ts, assigner.offsetMs(), assigner.sizeMs());
                out.add(new Win(start, start + assigner.sizeMs()));
                break;
            }
            case SLIDING: {
                long lastStart = WindowAssigner.windowStart(ts, assigner.offsetMs(), assigner.slideMs());
                for (long start = lastStart; start > ts - assigner.sizeMs(); start -= assigner.slideMs()) {
                    out.add(new Win(start, start + assigner.sizeMs()));
                }
                break;
            }
            default:
                out.add(new Win(ts, ts + assigner.gapMs()));
        }
        return out;
    }

    void processElement(String key, long ts, long value) {
        boolean skipped = true;
        Map<Win, List<Long>> keyState = state.computeIfAbsent(key, k -> new HashMap<>());
        for (Win window : assign(ts)) {
            Win actual = window;
            Win stateWindow = window;
            if (assigner.isSession()) {
                Map<Win, Win> mapping = mergingSets.computeIfAbsent(key, k -> new HashMap<>());
                actual = addWindow(key, mapping, window, keyState);
                if (isWindowLate(actual)) {
                    mapping.remove(actual);
                    continue;
                }
                stateWindow = mapping.get(actual);
            } else if (isWindowLate(window)) {
                continue;
            }
            skipped = false;
            keyState.computeIfAbsent(stateWindow, w -> new ArrayList<>()).add(value);
            // EventTimeTrigger.onElement
            if (actual.maxTs() <= watermark) {
                fire(key, actual, keyState.get(stateWindow));
            } else {
                timers.add(new Timer(actual.maxTs(), key, actual));
            }
            timers.add(new Timer(cleanupTime(actual), key, actual));
        }
        if (skipped && ts + lateness <= watermark) {
            late.add(value);
        }
    }

    /** MergingWindowSet.addWindow with TimeWindow.mergeWindows and the WindowOperator's merge function. */
    private Win addWindow(String key, Map<Win, Win> mapping, Win newWindow, Map<Win, List<Long>> keyState) {
        List<Win> windows = new ArrayList<>(mapping.keySet());
        windows.add(newWindow);
        windows.sort(Comparator.comparingLong(Win::start));
        List<List<Win>> groups = new ArrayList<>();
        List<Win> covers = new ArrayList<>();
        List<Win> current = null;
        Win cover = null;
        for (Win w : windows) {
            if (current == null) {
                current = new ArrayList<>(List.of(w));
                cover = w;
            } else if (cover.intersects(w)) {
                current.add(w);
                cover = cover.cover(w);
            } else {
                groups.add(current);
                covers.add(cover);
                current = new ArrayList<>(List.of(w));
                cover = w;
            }
        }
        groups.add(current);
        covers.add(cover);
        Win result = newWindow;
        boolean mergedNew = false;
        boolean anyMerge = false;
        for (int g = 0; g < groups.size(); g++) {
            List<Win> merged = new ArrayList<>(groups.get(g));
            if (merged.size() < 2) {
                continue;
            }
            anyMerge = true;
            Win mergeResult = covers.get(g);
            if (merged.remove(newWindow)) {
                mergedNew = true;
                result = mergeResult;
            }
            Win targetState = mapping.get(merged.get(0));
            List<Win> mergedStates = new ArrayList<>();
            for (Win m : merged) {
                Win s = mapping.remove(m);
                if (s != null) {
                    mergedStates.add(s);
                }
            }
            mapping.put(mergeResult, targetState);
            mergedStates.remove(targetState);
            if (!(merged.contains(mergeResult) && merged.size() == 1)) {
                if (mergeResult.maxTs() > watermark) {
                    timers.add(new Timer(mergeResult.maxTs(), key, mergeResult));
                }
                for (Win m : merged) {
                    timers.remove(new Timer(m.maxTs(), key, m));
                    timers.remove(new Timer(cleanupTime(m), key, m));
                }
                List<Long> target = keyState.computeIfAbsent(targetState, w -> new ArrayList<>());
                for (Win s : mergedStates) {
                    List<Long> values = keyState.remove(s);
                    if (values != null) {
                        target.addAll(values);
                    }
                }
            }
        }
        if (!anyMerge || (result.equals(newWindow) && !mergedNew)) {
            mapping.put(result, result);
        }
        return result;
    }

    void advanceWatermark(long newWatermark) {
        if (newWatermark <= watermark) {
            return;
        }
        watermark = newWatermark;
        while (!timers.isEmpty() && timers.first().time() <= watermark) {
            Timer t = timers.pollFirst();
            onEventTime(t);
        }
    }

    private void onEventTime(Timer t) {
        Map<Win, List<Long>> keyState = state.get(t.key());
        Win window = t.window();
        Win stateWindow = window;
        if (assigner.isSession()) {
            stateWindow = mergingSets.get(t.key()).get(window);
            if (stateWindow == null) {
                return;
            }
        }
        if (t.time() == window.maxTs()) {
            List<Long> contents = keyState.get(stateWindow);
            if (contents != null && !contents.isEmpty()) {
                fire(t.key(), window, contents);
            }
        }
        if (t.time() == cleanupTime(window)) {
            keyState.remove(stateWindow);
            timers.remove(new Timer(window.maxTs(), t.key(), window));
            if (assigner.isSession()) {
                mergingSets.get(t.key()).remove(window);
            }
        }
    }

    private void fire(String key, Win window, List<Long> contents) {
        long sum = 0;
        for (long v : contents) {
            sum += v;
        }
        firings.add(new Firing(key, window.start(), window.end(), contents.size(), sum));
    }
}
