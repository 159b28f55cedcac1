package io.flinklite.runtime.task;

import io.flinklite.api.Event;
import io.flinklite.api.FilterFunction;
import io.flinklite.api.KeySelector;
import io.flinklite.api.MapFunction;
import io.flinklite.job.JobSpec;
import io.flinklite.runtime.metrics.JobMetrics;
import io.flinklite.runtime.window.WindowOperator;

import java.util.List;

/**
 * What happens to a decoded, valid event between the source and the window operator: the built-in job's type filter,
 * or a user job's filters, maps and key selector. Task thread only.
 */
abstract class ElementPath {
    /** The event went to the window operator (which may still find it late). */
    static final int WINDOWED = 0;
    /** A filter dropped it. */
    static final int FILTERED = 1;
    /** It lacks the numeric value field the aggregate needs: invalid ({@code bad_value}), watermark untouched. */
    static final int BAD_VALUE = 2;

    /**
     * Decides whether the event is usable at all; called before the watermark sees it.
     *
     * @return {@link #BAD_VALUE} or {@link #WINDOWED} (meaning: valid)
     */
    abstract int validate(Event event);

    /** Runs the filters and hands the result to {@code operator}; returns {@link #WINDOWED} or {@link #FILTERED}. */
    abstract int process(Event event, WindowOperator operator) throws Exception;

    /** The window operator found the event just processed too late for every window. */
    void onLate(Event event) {
    }

    /** Publishes what this path counts beyond the task's own counters (the built-in job: events by type). */
    void publish(JobMetrics metrics) {
    }

    /** The built-in job: keep the selected types, key by the key field. */
    static final class BuiltIn extends ElementPath {
        private final JobSpec spec;
        private final boolean needsValue;
        private final SelectionCache selection;

        BuiltIn(JobSpec spec) {
            this.spec = spec;
            this.needsValue = spec.aggregate().hasValue();
            this.selection = new SelectionCache(spec);
        }

        @Override
        int validate(Event event) {
            // Only events that reach a value aggregate need a value; others are filtered whatever they carry.
            return needsValue && !event.hasValue() && selection.selects(event.key()) ? BAD_VALUE : WINDOWED;
        }

        @Override
        int process(Event event, WindowOperator operator) throws Exception {
            String key = event.key();
            if (!selection.selectAndCount(key)) {
                return FILTERED;
            }
            operator.processElement(event, key, event.timestamp());
            return WINDOWED;
        }

        @Override
        void onLate(Event event) {
            selection.countLate(event.key());
        }

        @Override
        void publish(JobMetrics metrics) {
            selection.publish(metrics);
        }
    }

    /**
     * {@link JobSpec#selects} decided once per key instance, and the built-in job's events counted per type. The
     * decoder interns keys, so the same text arrives as the same {@code String} again and again: a small table by
     * identity (indexed by the string's cached hash) answers with one reference comparison instead of a set lookup
     * that ends in {@code String.equals}, and holds that type's counters. Bounded: when the table is full (many
     * distinct keys, where interning stops anyway), misses ask the spec and count under {@link JobMetrics#OTHER_TYPE}.
     */
    static final class SelectionCache {
        private static final int CAPACITY = 1 << 10;
        private static final int MAX_PROBES = 8;
        private static final int FULL = -1;

        private final JobSpec spec;
        private final String[] keys = new String[CAPACITY];
        private final boolean[] selected = new boolean[CAPACITY];
        /** Per slot, counts since the last {@link #publish}; the extra last slot is {@link JobMetrics#OTHER_TYPE}. */
        private final long[] windowed = new long[CAPACITY + 1];
        private final long[] filtered = new long[CAPACITY + 1];
        private final long[] late = new long[CAPACITY + 1];
        /** Slots filled so far, in the order they were filled, so publishing skips empty ones. */
        private final int[] filledSlots = new int[CAPACITY];
        private int filledCount;

        SelectionCache(JobSpec spec) {
            this.spec = spec;
        }

        boolean selects(String key) {
            int slot = slotOf(key);
            return slot == FULL ? spec.selects(key) : selected[slot];
        }

        /** Like {@link #selects}, and counts the event as windowed or filtered under its type. */
        boolean selectAndCount(String key) {
            int slot = slotOf(key);
            boolean s = slot == FULL ? spec.selects(key) : selected[slot];
            int counter = slot == FULL ? CAPACITY : slot;
            if (s) {
                windowed[counter]++;
            } else {
                filtered[counter]++;
            }
            return s;
        }

        /** Counts an event of type {@code key} that the window operator found too late. */
        void countLate(String key) {
            int slot = slotOf(key);
            late[slot == FULL ? CAPACITY : slot]++;
        }

        /** Hands the counts since the last call to {@code metrics}, by type; between batches. */
        void publish(JobMetrics metrics) {
            for (int i = 0; i < filledCount; i++) {
                publishSlot(metrics, filledSlots[i], keys[filledSlots[i]]);
            }
            publishSlot(metrics, CAPACITY, JobMetrics.OTHER_TYPE);
        }

        private void publishSlot(JobMetrics metrics, int slot, String type) {
            if (windowed[slot] != 0 || filtered[slot] != 0 || late[slot] != 0) {
                metrics.addTypeCounts(type, windowed[slot] - late[slot], filtered[slot], late[slot]);
                windowed[slot] = 0;
                filtered[slot] = 0;
                late[slot] = 0;
            }
        }

        private int slotOf(String key) {
            int i = (key.hashCode() * 0x9E3779B9) >>> 22; // the top 10 bits: CAPACITY slots
            for (int probe = 0; probe < MAX_PROBES; probe++) {
                String k = keys[i];
                if (k == key) {
                    return i;
                }
                if (k == null) {
                    keys[i] = key;
                    selected[i] = spec.selects(key);
                    filledSlots[filledCount++] = i;
                    return i;
                }
                i = (i + 1) & (CAPACITY - 1);
            }
            return FULL;
        }
    }

    /** A user job's transformations, applied in order, then its key selector. */
    static final class UserFunctions extends ElementPath {
        private final Object[] functions;
        private final boolean[] isFilter;
        private final KeySelector<Object> keySelector;
        private final boolean needsValue;

        @SuppressWarnings("unchecked")
        UserFunctions(List<Object> transformations, KeySelector<?> keySelector, boolean needsValue) {
            this.functions = transformations.toArray();
            this.isFilter = new boolean[functions.length];
            for (int i = 0; i < functions.length; i++) {
                if (functions[i] instanceof FilterFunction) {
                    isFilter[i] = true;
                } else if (!(functions[i] instanceof MapFunction)) {
                    throw new IllegalArgumentException("unsupported transformation " + functions[i].getClass().getName());
                }
            }
            this.keySelector = (KeySelector<Object>) keySelector;
            this.needsValue = needsValue;
        }

        @Override
        int validate(Event event) {
            return needsValue && !event.hasValue() ? BAD_VALUE : WINDOWED;
        }

        @Override
        @SuppressWarnings("unchecked")
        int process(Event event, WindowOperator operator) throws Exception {
            Object element = event;
            for (int i = 0; i < functions.length; i++) {
                if (isFilter[i]) {
                    if (!((FilterFunction<Object>) functions[i]).filter(element)) {
                        return FILTERED;
                    }
                } else {
                    element = ((MapFunction<Object, Object>) functions[i]).map(element);
                }
            }
            String key = keySelector.getKey(element);
            if (key == null) {
                throw new IllegalStateException("the key selector returned null for " + element);
            }
            operator.processElement(element, key, event.timestamp());
            return WINDOWED;
        }
    }
}
