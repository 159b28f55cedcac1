package io.flinklite.runtime.graph;

import io.flinklite.job.JobSpec;
import io.flinklite.runtime.metrics.JobMetrics;

/**
 * {@link JobSpec#selects} decided once per key instance, and the built-in job's events counted per type. The
 * decoder interns keys, so the same text arrives as the same {@code String} again and again: a small table by
 * identity (indexed by the string's cached hash) answers with one reference comparison instead of a set lookup
 * that ends in {@code String.equals}, and holds that type's counters. Bounded: when the table is full (many
 * distinct keys, where interning stops anyway), misses ask the spec and count under {@link JobMetrics#OTHER_TYPE}.
 */
final class SelectionCache {
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
