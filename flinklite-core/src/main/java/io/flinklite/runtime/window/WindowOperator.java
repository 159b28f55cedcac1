package io.flinklite.runtime.window;

import io.flinklite.api.WindowAssigner;
import io.flinklite.runtime.metrics.JobMetrics;
import io.flinklite.runtime.operator.OneInputOperator;
import io.flinklite.runtime.operator.OperatorTags;
import io.flinklite.runtime.operator.Output;
import io.flinklite.runtime.operator.ReportsMetrics;
import io.flinklite.runtime.state.KeyGroupedState;
import io.flinklite.runtime.state.KeyGroups;
import io.flinklite.runtime.state.StateFormatException;
import io.flinklite.runtime.state.StateReader;
import io.flinklite.runtime.state.StateWriter;

import java.util.Arrays;
import java.util.HashMap;
import java.util.Objects;

/**
 * The keyed event-time window operator, with the semantics of Flink's {@code WindowOperator} +
 * {@code EventTimeTrigger} (see docs/semantics.md for the rules and their Flink references).
 *
 * <p><b>Tumbling and sliding windows</b> share per-key <em>panes</em>: the time axis is cut into pieces of
 * {@code gcd(size, slide)} on the window grid, each element updates the one accumulator of its pane, and a firing
 * combines the panes of its window. Each (key, window) that received an element has an entry with timer flags: a
 * timer at the window's max timestamp {@code end - 1} (the firing) and one at {@code end - 1 + allowedLateness} (the
 * cleanup; the same timer when the lateness is 0). A pane is freed when the last window containing it is cleaned.
 *
 * <p><b>Session windows</b> are kept per key as a sorted array of disjoint windows with one accumulator each, merged
 * as Flink's {@code MergingWindowSet} does: a new element's window {@code [ts, ts + gap)} merges with every session it
 * intersects (touching ends included), before the lateness check, so a late element within the allowed lateness can
 * bridge sessions that already fired.
 *
 * <p><b>Lateness.</b> A window is late when {@code end - 1 + allowedLateness <= watermark}; an element skips late
 * windows. An element added to a window whose max timestamp is already {@code <= watermark} fires it at once with its
 * full contents. An element that every window skipped goes to the side output {@link OperatorTags#LATE_DATA} and is
 * counted.
 *
 * <p>Results are emitted by the {@link WindowAggregator} through the operator's {@link Output} (their type is the
 * aggregator's); the operator forwards each watermark after the firings it caused.
 *
 * <p>Task thread only. The per-element path allocates nothing for the built-in aggregates (maps and the timer heap
 * grow and stay).
 */
public final class WindowOperator implements OneInputOperator<Object>, ReportsMetrics {

    private static final int FIRE_TIMER = 1;
    private static final int CLEANUP_TIMER = 2;
    /** Keys whose arrays {@link #prefetch} loads at a time: a few hundred keys' arrays fit in the L2 cache. */
    private static final int PREFETCH_KEYS = 256;

    /** The state of one key. */
    static final class KeyState {
        final String key;
        final int keyGroup;
        /** Pane start -> accumulator slot (tumbling/sliding). */
        final LongIntHashMap panes;
        /** Window start -> live timer flags (tumbling/sliding). */
        final LongIntHashMap windows;
        /** Session windows sorted by start, pairwise non-intersecting. */
        long[] sessionStarts;
        long[] sessionEnds;
        int[] sessionSlots;
        int[] sessionTimers;
        int sessions;
        /** Position in its group's list of {@link KeyGroupLists}; -1 when not listed. */
        int groupIndex = -1;

        KeyState(String key, boolean session) {
            this.key = key;
            this.keyGroup = KeyGroups.of(key);
            if (session) {
                panes = null;
                windows = null;
                sessionStarts = new long[4];
                sessionEnds = new long[4];
                sessionSlots = new int[4];
                sessionTimers = new int[4];
            } else {
                panes = new LongIntHashMap(4);
                windows = new LongIntHashMap(4);
            }
        }

        boolean isEmpty() {
            return panes == null ? sessions == 0 : panes.isEmpty() && windows.isEmpty();
        }
    }

    private final WindowAssigner assigner;
    private final boolean session;
    private final long size;
    private final long slide;
    private final long offset;
    private final long gap;
    private final long paneSize;
    private final long allowedLateness;
    private final WindowAggregator aggregator;
    private final Output<?> output;

    private final HashMap<String, KeyState> keys = new HashMap<>();
    /** The same keys as {@link #keys}, by key group and in key order, for snapshots. */
    private final KeyGroupLists keyGroups = new KeyGroupLists();
    private final TimerQueue timers = new TimerQueue();
    private long watermark = Long.MIN_VALUE;
    private int[] slotScratch = new int[16];
    /** Snapshot scratch: one key's pane or window starts and their values, in start order. */
    private long[] sortedStarts = new long[16];
    private int[] sortedValues = new int[16];
    /** Window timer flags widened to long, for {@link StateWriter#writeLongPairArray}. */
    private long[] sortedFlags = new long[16];
    /** Keeps the JIT from removing {@link #prefetch}'s loads as dead code. */
    private long prefetchSink;

    private long openWindows;
    /** Where {@link #publishMetrics} sets the open windows and panes: this operator's, see {@link #registerMetrics}. */
    private JobMetrics.WindowGauges gauges;
    private long firings;
    private long lateFirings;
    private long lateElementCount;
    private long elementCount;
    private long partials;
    private long latePartials;
    // What publishMetrics reported so far.
    private long publishedFirings;
    private long publishedLateFirings;
    private long publishedLate;
    private long publishedElements;

    /**
     * @param allowedLatenessMs how long after firing a window keeps its state and accepts late elements
     * @param aggregator        accumulators and result emission (through {@code output})
     * @param output            the late side output and the watermarks; results go through the aggregator
     */
    public WindowOperator(WindowAssigner assigner, long allowedLatenessMs, WindowAggregator aggregator,
                          Output<?> output) {
        this.assigner = Objects.requireNonNull(assigner, "assigner");
        io.flinklite.job.Durations.checkAllowedLateness(allowedLatenessMs);
        this.session = assigner.isSession();
        this.size = assigner.sizeMs();
        this.slide = assigner.slideMs();
        this.offset = assigner.offsetMs();
        this.gap = assigner.gapMs();
        this.paneSize = paneSize(assigner);
        this.allowedLateness = allowedLatenessMs;
        this.aggregator = Objects.requireNonNull(aggregator, "aggregator");
        this.output = Objects.requireNonNull(output, "output");
    }

    /**
     * The pane size of {@code assigner}'s windows, {@code gcd(size, slide)} on the window grid (0 for sessions): the
     * unit of accumulation, here and in a scaled-out job's source tasks.
     */
    public static long paneSize(WindowAssigner assigner) {
        return assigner.isSession() ? 0 : gcd(assigner.sizeMs(), assigner.slideMs());
    }

    private static long gcd(long a, long b) {
        while (b != 0) {
            long t = a % b;
            a = b;
            b = t;
        }
        return a;
    }

    /** The operator's current watermark; {@link Long#MIN_VALUE} before the first. */
    public long currentWatermark() { return watermark; }

    /** Firings so far, on-time and late. */
    public long firings() { return firings; }

    /** Firings caused by a late element within the allowed lateness. */
    public long lateFirings() { return lateFirings; }

    /** Elements sent to the late side output. */
    public long lateElements() { return lateElementCount; }

    /** Open accumulators: panes (tumbling/sliding) or session windows. */
    public long openPanes() { return aggregator.liveSlots(); }

    /** Windows holding state (fired or not, until cleaned). */
    public long openWindows() { return openWindows; }

    /** Flink's {@code cleanupTime}: max timestamp plus allowed lateness, saturating at {@link Long#MAX_VALUE}. */
    private long cleanupTime(long maxTimestamp) {
        long t = maxTimestamp + allowedLateness;
        return t >= maxTimestamp ? t : Long.MAX_VALUE;
    }

    private KeyState keyState(String key) {
        KeyState ks = keys.get(key);
        if (ks == null) {
            ks = new KeyState(key, session);
            keys.put(key, ks);
            keyGroups.add(ks);
        }
        return ks;
    }

    /** Drops the state of {@code ks}, if it is still the live state of its key (timers may name dropped states). */
    private void removeKey(KeyState ks) {
        if (keys.remove(ks.key, ks)) {
            keyGroups.remove(ks);
        }
    }

    /**
     * Processes one element of {@code key} with event time {@code timestamp} against the current watermark.
     *
     * @param element handed to the aggregator (and, if late, to the late side output); not retained by built-ins
     * @param key     never {@code null}: the edge into a window operator is keyed
     */
    @Override
    public void processElement(Object element, long timestamp, String key) throws Exception {
        elementCount++;
        boolean skipped = session ? processSessionElement(element, key, timestamp) : processPaneElement(element, key, timestamp);
        if (skipped && isElementLate(timestamp)) {
            lateElementCount++;
            output.emitSide(OperatorTags.LATE_DATA, element, timestamp);
        }
    }

    /** Fires what {@code watermarkMs} makes due ({@link #advanceWatermark}), then forwards it. */
    @Override
    public void processWatermark(long watermarkMs) throws Exception {
        advanceWatermark(watermarkMs);
        output.emitWatermark(watermarkMs);
    }

    /** Files the open windows and panes under this operator's id. */
    @Override
    public void registerMetrics(String operatorId, JobMetrics metrics) {
        reportGaugesTo(metrics.windowOperator(operatorId));
    }

    /**
     * Where {@link #publishMetrics} sets the open windows and panes, for an operator that is not a node of a task's
     * graph (a scaled-out job's keyed task files them by task: {@link JobMetrics#windowTask}).
     */
    public void reportGaugesTo(JobMetrics.WindowGauges gauges) {
        this.gauges = java.util.Objects.requireNonNull(gauges, "gauges");
    }

    /** Accepted (elements in, minus late), late, firings, late firings; open panes and windows (once registered). */
    @Override
    public void publishMetrics(JobMetrics metrics) {
        long lateDelta = lateElementCount - publishedLate;
        metrics.addAccepted(elementCount - publishedElements - lateDelta);
        metrics.addLate(lateDelta);
        metrics.addWindowsFlushed(firings - publishedFirings);
        metrics.addLateFirings(lateFirings - publishedLateFirings);
        if (gauges != null) {
            gauges.set(openWindows, openPanes());
        }
        publishedLate = lateElementCount;
        publishedElements = elementCount;
        publishedFirings = firings;
        publishedLateFirings = lateFirings;
    }

    private boolean isElementLate(long timestamp) {
        long t = timestamp + allowedLateness;
        return (t >= timestamp ? t : Long.MAX_VALUE) <= watermark;
    }

    /** @return true when every window of the element was late (or it has none) */
    private boolean processPaneElement(Object element, String key, long timestamp) throws Exception {
        long lastStart = WindowAssigner.windowStart(timestamp, offset, slide);
        long lowest = timestamp - size;
        // lastStart has the latest end of all the element's windows: if it is late, all are.
        if (lastStart <= lowest || cleanupTime(lastStart + size - 1) <= watermark) {
            return true;
        }
        KeyState ks = keyState(key);
        long pane = WindowAssigner.windowStart(timestamp, offset, paneSize);
        int slot = ks.panes.get(pane);
        if (slot == LongIntHashMap.MISSING) {
            slot = aggregator.newSlot();
            ks.panes.put(pane, slot);
        }
        aggregator.add(slot, element);
        registerWindows(ks, lastStart, lowest);
        return false;
    }

    /**
     * The keyed side of a two-stage job (runtime.shuffle): merges a partial accumulator of {@code key}'s pane
     * starting at {@code paneStart} (what {@link WindowAggregator#writePartial} wrote into {@code b[off, off + len)})
     * as if the pane's elements had arrived one by one: the pane's windows are registered, and one already past its
     * firing time but within the allowed lateness fires again with its full contents. A partial whose windows are all
     * past their cleanup time is dropped and counted ({@link #latePartials()}): its source task sends a pane's partial
     * before the watermark that passes it, so that only happens when an idle source partition came back behind the
     * job's watermark.
     *
     * @throws IllegalStateException    for session windows (their elements are shuffled raw)
     * @throws IllegalArgumentException when {@code paneStart} is not a pane start of this operator's window grid
     */
    public void mergePartial(String key, long paneStart, byte[] b, int off, int len) throws Exception {
        if (session) {
            throw new IllegalStateException("session windows take no partial accumulators; their elements go raw");
        }
        if (WindowAssigner.windowStart(paneStart, offset, paneSize) != paneStart) {
            throw new IllegalArgumentException("a partial for pane " + paneStart + " is not on the pane grid of "
                    + assigner + " (pane size " + paneSize + " ms)");
        }
        long lastStart = WindowAssigner.windowStart(paneStart, offset, slide);
        long lowest = paneStart - size;
        if (lastStart <= lowest || cleanupTime(lastStart + size - 1) <= watermark) {
            latePartials++;
            return;
        }
        KeyState ks = keyState(key);
        int slot = ks.panes.get(paneStart);
        if (slot == LongIntHashMap.MISSING) {
            slot = aggregator.newSlot();
            ks.panes.put(paneStart, slot);
        }
        aggregator.mergePartial(slot, b, off, len);
        partials++;
        registerWindows(ks, lastStart, lowest);
    }

    /** Partial accumulators merged ({@link #mergePartial}). */
    public long partials() { return partials; }

    /** Partial accumulators dropped because all their windows were past their cleanup time. */
    public long latePartials() { return latePartials; }

    /** Registers (or fires again, when already past their firing time) the windows {@code (lowest, lastStart]}. */
    private void registerWindows(KeyState ks, long lastStart, long lowest) throws Exception {
        for (long start = lastStart; start > lowest; start -= slide) {
            long end = start + size;
            long maxTs = end - 1;
            long cleanup = cleanupTime(maxTs);
            if (cleanup <= watermark) {
                continue; // this window is gone; earlier ones (smaller starts) are too
            }
            int flags = ks.windows.get(start);
            if (flags == LongIntHashMap.MISSING) {
                openWindows++;
                if (maxTs <= watermark) {
                    // First element of a window already past its firing time but within the lateness.
                    ks.windows.put(start, CLEANUP_TIMER);
                    timers.add(cleanup, ks, start, end);
                    fireWindow(ks, start, end, true);
                } else {
                    ks.windows.put(start, FIRE_TIMER | CLEANUP_TIMER);
                    timers.add(maxTs, ks, start, end);
                    if (cleanup != maxTs) {
                        timers.add(cleanup, ks, start, end);
                    }
                }
            } else if (maxTs <= watermark) {
                // EventTimeTrigger.onElement: the window already fired; fire again with the full contents.
                fireWindow(ks, start, end, true);
            }
            // Otherwise the window's firing and cleanup timers are registered already.
        }
    }

    private void fireWindow(KeyState ks, long start, long end, boolean late) throws Exception {
        int n = 0;
        for (long pane = start; pane < end; pane += paneSize) {
            int slot = ks.panes.get(pane);
            if (slot != LongIntHashMap.MISSING) {
                if (n == slotScratch.length) {
                    slotScratch = Arrays.copyOf(slotScratch, n * 2);
                }
                slotScratch[n++] = slot;
            }
        }
        if (n > 0) {
            emit(ks.key, start, end, slotScratch, n, late);
        }
    }

    private void emit(String key, long start, long end, int[] slots, int n, boolean late) throws Exception {
        firings++;
        if (late) {
            lateFirings++;
        }
        aggregator.emit(key, start, end, slots, n);
    }

    /** @return true when the element's session window was late */
    private boolean processSessionElement(Object element, String key, long timestamp) throws Exception {
        long start = timestamp;
        long end = timestamp + gap;
        KeyState ks = keyState(key);
        int n = ks.sessions;
        long[] starts = ks.sessionStarts;
        long[] ends = ks.sessionEnds;
        // Sessions are disjoint and sorted, so their ends are sorted too: find the first that reaches our start.
        int first = 0;
        while (first < n && ends[first] < start) {
            first++;
        }
        int last = first - 1;
        while (last + 1 < n && starts[last + 1] <= end) {
            last++;
        }
        int index;
        if (last < first) {
            index = insertSession(ks, first, start, end, aggregator.newSlot(), 0);
            openWindows++;
        } else {
            long mergedStart = Math.min(start, starts[first]);
            long mergedEnd = Math.max(end, ends[last]);
            if (first != last || mergedStart != starts[first] || mergedEnd != ends[first]) {
                mergeSessions(ks, first, last, mergedStart, mergedEnd);
            }
            // else: the new window lies inside one session; Flink's MergingWindowSet leaves it untouched.
            index = first;
        }
        long maxTs = ks.sessionEnds[index] - 1;
        long cleanup = cleanupTime(maxTs);
        if (cleanup <= watermark) {
            // Only a new, unmerged window can be late here: merged ones contain a live window. Flink retires it.
            removeSession(ks, index);
            if (ks.isEmpty()) {
                removeKey(ks);
            }
            return true;
        }
        aggregator.add(ks.sessionSlots[index], element);
        long sStart = ks.sessionStarts[index];
        long sEnd = ks.sessionEnds[index];
        int flags = ks.sessionTimers[index];
        if (maxTs <= watermark) {
            fireSession(ks, index, true);
        } else if ((flags & FIRE_TIMER) == 0) {
            flags |= FIRE_TIMER;
            timers.add(maxTs, ks, sStart, sEnd);
        }
        if ((flags & CLEANUP_TIMER) == 0) {
            flags |= CLEANUP_TIMER;
            if (cleanup != maxTs || (flags & FIRE_TIMER) == 0) {
                timers.add(cleanup, ks, sStart, sEnd);
            }
        }
        ks.sessionTimers[index] = flags;
        return false;
    }

    /** Replaces sessions {@code [first, last]} by one {@code [start, end)} holding all their contents. */
    private void mergeSessions(KeyState ks, int first, int last, long start, long end) {
        int target = ks.sessionSlots[first];
        for (int i = first + 1; i <= last; i++) {
            aggregator.merge(target, ks.sessionSlots[i]);
            aggregator.free(ks.sessionSlots[i]);
        }
        // The merged windows' timers are deleted (their flags go with them); EventTimeTrigger.onMerge registers the
        // new window's firing timer unless the watermark has passed it. Its cleanup timer is registered by the caller.
        int flags = 0;
        long maxTs = end - 1;
        if (maxTs > watermark) {
            flags = FIRE_TIMER;
            timers.add(maxTs, ks, start, end);
        }
        int removed = last - first;
        int n = ks.sessions;
        System.arraycopy(ks.sessionStarts, last + 1, ks.sessionStarts, first + 1, n - last - 1);
        System.arraycopy(ks.sessionEnds, last + 1, ks.sessionEnds, first + 1, n - last - 1);
        System.arraycopy(ks.sessionSlots, last + 1, ks.sessionSlots, first + 1, n - last - 1);
        System.arraycopy(ks.sessionTimers, last + 1, ks.sessionTimers, first + 1, n - last - 1);
        ks.sessions = n - removed;
        openWindows -= removed;
        ks.sessionStarts[first] = start;
        ks.sessionEnds[first] = end;
        ks.sessionSlots[first] = target;
        ks.sessionTimers[first] = flags;
    }

    private static int insertSession(KeyState ks, int at, long start, long end, int slot, int flags) {
        int n = ks.sessions;
        if (n == ks.sessionStarts.length) {
            int cap = n * 2;
            ks.sessionStarts = Arrays.copyOf(ks.sessionStarts, cap);
            ks.sessionEnds = Arrays.copyOf(ks.sessionEnds, cap);
            ks.sessionSlots = Arrays.copyOf(ks.sessionSlots, cap);
            ks.sessionTimers = Arrays.copyOf(ks.sessionTimers, cap);
        }
        System.arraycopy(ks.sessionStarts, at, ks.sessionStarts, at + 1, n - at);
        System.arraycopy(ks.sessionEnds, at, ks.sessionEnds, at + 1, n - at);
        System.arraycopy(ks.sessionSlots, at, ks.sessionSlots, at + 1, n - at);
        System.arraycopy(ks.sessionTimers, at, ks.sessionTimers, at + 1, n - at);
        ks.sessionStarts[at] = start;
        ks.sessionEnds[at] = end;
        ks.sessionSlots[at] = slot;
        ks.sessionTimers[at] = flags;
        ks.sessions = n + 1;
        return at;
    }

    private void removeSession(KeyState ks, int index) {
        aggregator.free(ks.sessionSlots[index]);
        int n = ks.sessions;
        System.arraycopy(ks.sessionStarts, index + 1, ks.sessionStarts, index, n - index - 1);
        System.arraycopy(ks.sessionEnds, index + 1, ks.sessionEnds, index, n - index - 1);
        System.arraycopy(ks.sessionSlots, index + 1, ks.sessionSlots, index, n - index - 1);
        System.arraycopy(ks.sessionTimers, index + 1, ks.sessionTimers, index, n - index - 1);
        ks.sessions = n - 1;
        openWindows--;
    }

    private void fireSession(KeyState ks, int index, boolean late) throws Exception {
        slotScratch[0] = ks.sessionSlots[index];
        emit(ks.key, ks.sessionStarts[index], ks.sessionEnds[index], slotScratch, 1, late);
    }

    private static int findSession(KeyState ks, long start, long end) {
        int lo = 0;
        int hi = ks.sessions - 1;
        while (lo <= hi) {
            int mid = (lo + hi) >>> 1;
            long s = ks.sessionStarts[mid];
            if (s < start) {
                lo = mid + 1;
            } else if (s > start) {
                hi = mid - 1;
            } else {
                return ks.sessionEnds[mid] == end ? mid : -1;
            }
        }
        return -1;
    }

    /**
     * Advances the watermark: every timer at or before it fires in time order (firings, then cleanups of state whose
     * allowed lateness has passed). A watermark that is not ahead of the current one is ignored: watermarks never go
     * backwards. {@link Long#MAX_VALUE} fires every open window (end of input).
     */
    public void advanceWatermark(long newWatermark) throws Exception {
        if (newWatermark <= watermark) {
            return;
        }
        watermark = newWatermark;
        while (!timers.isEmpty() && timers.peekTime() <= newWatermark) {
            timers.pop();
            onTimer((KeyState) timers.poppedOwner, timers.poppedTime, timers.poppedStart, timers.poppedEnd);
        }
    }

    private void onTimer(KeyState ks, long time, long start, long end) throws Exception {
        long maxTs = end - 1;
        long cleanup = cleanupTime(maxTs);
        if (session) {
            int index = findSession(ks, start, end);
            if (index < 0) {
                return; // merged away or cleaned: a lazily deleted timer
            }
            int flags = ks.sessionTimers[index];
            if (time == maxTs && (flags & FIRE_TIMER) != 0) {
                flags &= ~FIRE_TIMER;
                fireSession(ks, index, false);
            }
            if (time == cleanup && (flags & CLEANUP_TIMER) != 0) {
                removeSession(ks, index);
                if (ks.isEmpty()) {
                    removeKey(ks);
                }
            } else {
                ks.sessionTimers[index] = flags;
            }
            return;
        }
        int flags = ks.windows.get(start);
        if (flags == LongIntHashMap.MISSING) {
            return;
        }
        if (time == maxTs && (flags & FIRE_TIMER) != 0) {
            flags &= ~FIRE_TIMER;
            fireWindow(ks, start, end, false);
        }
        if (time == cleanup && (flags & CLEANUP_TIMER) != 0) {
            ks.windows.remove(start);
            openWindows--;
            // Free the panes whose last window this was: those starting in [start, start + min(slide, size)).
            long exclusiveEnd = start + Math.min(slide, size);
            for (long pane = start; pane < exclusiveEnd; pane += paneSize) {
                int slot = ks.panes.remove(pane);
                if (slot != LongIntHashMap.MISSING) {
                    aggregator.free(slot);
                }
            }
            if (ks.isEmpty()) {
                removeKey(ks);
            }
        } else {
            ks.windows.put(start, flags);
        }
    }

    // ---- snapshot / restore ----

    /**
     * Writes the fields {@code "watermark", "assigner", "allowedLateness", "keyGroups": [{"keyGroup", "keys": [...]}]}: every
     * key's panes with their accumulators and its windows with their live timer flags ({@code 1} firing, {@code 2}
     * cleanup), or its session windows. Timers are stored as those flags and rebuilt on restore. Key groups with no
     * state are left out; a restore accepts any subset of groups.
     */
    @Override
    public void snapshotState(StateWriter out) {
        out.writeLong("watermark", watermark);
        out.writeString("assigner", assigner.toString());
        out.writeLong("allowedLateness", allowedLateness);
        out.beginArray("keyGroups");
        for (int g = 0; g < KeyGroups.COUNT; g++) {
            int n = keyGroups.size(g);
            if (n == 0) {
                continue;
            }
            KeyState[] group = keyGroups.sorted(g);
            out.beginObject(null);
            out.writeLong("keyGroup", g);
            out.beginArray("keys");
            for (int from = 0; from < n; from += PREFETCH_KEYS) {
                int to = Math.min(n, from + PREFETCH_KEYS);
                if (!session) {
                    prefetch(group, from, to);
                }
                for (int i = from; i < to; i++) {
                    writeKey(group[i], out);
                }
            }
            out.endArray();
            out.endObject();
        }
        out.endArray();
    }

    private void writeKey(KeyState ks, StateWriter out) {
        out.beginObject(null);
        out.writeString("key", ks.key);
        if (session) {
            out.beginArray("sessions");
            for (int i = 0; i < ks.sessions; i++) {
                out.beginObject(null);
                out.writeLong("start", ks.sessionStarts[i]);
                out.writeLong("end", ks.sessionEnds[i]);
                out.writeLong("timers", ks.sessionTimers[i]);
                aggregator.writeSlot(ks.sessionSlots[i], out);
                out.endObject();
            }
            out.endArray();
        } else {
            int panes = sortedEntries(ks.panes);
            aggregator.writePanes(out, "panes", "start", sortedStarts, sortedValues, panes);
            int windows = sortedEntries(ks.windows);
            for (int i = 0; i < windows; i++) {
                sortedFlags[i] = sortedValues[i];
            }
            out.writeLongPairArray("windows", "start", sortedStarts, "timers", sortedFlags, windows);
        }
        out.endObject();
    }

    /**
     * Loads the first word of the pane and window arrays of keys {@code [from, to)}, before they are written. Why: with
     * many keys, the snapshot walk is bound by cache misses on these small arrays, one key after another. This loop
     * has no dependencies between keys, so the processor keeps many misses in flight at once, and the writing loop
     * then finds the arrays in cache (measured: the task-thread pause at 1 M panes about halved). Touching the
     * accumulators the same way was tried and gained nothing measurable.
     */
    private void prefetch(KeyState[] group, int from, int to) {
        long sink = 0;
        for (int i = from; i < to; i++) {
            KeyState ks = group[i];
            sink += ks.panes.firstWord() + ks.windows.firstWord();
        }
        prefetchSink = sink;
    }

    /** Puts the entries of {@code map} into {@link #sortedStarts}/{@link #sortedValues} in key order; returns their number. */
    private int sortedEntries(LongIntHashMap map) {
        if (map.size() > sortedStarts.length) {
            int cap = Math.max(map.size(), sortedStarts.length * 2);
            sortedStarts = new long[cap];
            sortedValues = new int[cap];
            sortedFlags = new long[cap];
        }
        return map.sortedEntries(sortedStarts, sortedValues);
    }

    /**
     * Restores what {@link #snapshotState} wrote, into this operator, which must be fresh (no element processed).
     * Key groups are added to whatever was restored before, so the groups of several snapshots can be combined.
     *
     * @throws StateFormatException when the snapshot is malformed or was taken with another window or lateness
     */
    @Override
    public void restoreState(StateReader in) {
        long restoredWatermark = in.readLong("watermark");
        String restoredAssigner = in.readString("assigner");
        long restoredLateness = in.readLong("allowedLateness");
        if (!restoredAssigner.equals(assigner.toString()) || restoredLateness != allowedLateness) {
            throw new StateFormatException("window state was taken with " + restoredAssigner + " and allowed lateness "
                    + restoredLateness + " ms, but this job has " + assigner + " and " + allowedLateness + " ms");
        }
        watermark = Math.max(watermark, restoredWatermark);
        KeyGroupedState.read(in, this::readKey);
    }

    private void readKey(String key, StateReader in) {
        KeyState ks = keyState(key);
        if (session) {
            in.beginArray("sessions");
            while (in.hasNext()) {
                in.beginObject(null);
                long start = in.readLong("start");
                long end = in.readLong("end");
                int flags = (int) in.readLong("timers");
                int slot = aggregator.readSlot(in);
                in.endObject();
                if (ks.sessions > 0 && ks.sessionEnds[ks.sessions - 1] >= start) {
                    throw new StateFormatException("sessions of key '" + key + "' overlap or are out of order at " + start);
                }
                insertSession(ks, ks.sessions, start, end, slot, flags);
                openWindows++;
                registerRestoredTimers(ks, start, end, flags);
            }
            in.endArray();
        } else {
            in.beginArray("panes");
            while (in.hasNext()) {
                in.beginObject(null);
                long start = in.readLong("start");
                ks.panes.put(start, aggregator.readSlot(in));
                in.endObject();
            }
            in.endArray();
            in.beginArray("windows");
            while (in.hasNext()) {
                in.beginObject(null);
                long start = in.readLong("start");
                int flags = (int) in.readLong("timers");
                in.endObject();
                ks.windows.put(start, flags);
                openWindows++;
                registerRestoredTimers(ks, start, start + size, flags);
            }
            in.endArray();
        }
        if (ks.isEmpty()) {
            removeKey(ks);
        }
    }

    private void registerRestoredTimers(KeyState ks, long start, long end, int flags) {
        long maxTs = end - 1;
        long cleanup = cleanupTime(maxTs);
        if ((flags & FIRE_TIMER) != 0) {
            timers.add(maxTs, ks, start, end);
        }
        if ((flags & CLEANUP_TIMER) != 0 && (cleanup != maxTs || (flags & FIRE_TIMER) == 0)) {
            timers.add(cleanup, ks, start, end);
        }
    }
}
