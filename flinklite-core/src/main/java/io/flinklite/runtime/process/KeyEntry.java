package io.flinklite.runtime.process;

import java.util.Arrays;

/**
 * Everything a {@link KeyedProcessOperator} holds for one key: the contents of each declared state (one slot per
 * state, {@code null} when empty) and the key's timers, sorted and without duplicates. It exists only while it holds
 * something: the operator drops it once {@link #isEmpty()}. Task thread only.
 */
final class KeyEntry {
    private static final long[] NO_TIMERS = new long[0];

    final String key;
    private final Object[] states;
    private int nonEmptyStates;
    /** Timer times ascending in {@code [0, timerCount)}. */
    long[] timers = NO_TIMERS;
    int timerCount;
    /** The position in the {@link TimerHeap}; -1 while the key has no timer. */
    int heapIndex = -1;

    KeyEntry(String key, int stateCount) {
        this.key = key;
        this.states = new Object[stateCount];
    }

    boolean isEmpty() {
        return nonEmptyStates == 0 && timerCount == 0;
    }

    Object state(int slot) {
        return states[slot];
    }

    /** Sets the contents of state {@code slot}; {@code null} empties it. */
    void setState(int slot, Object contents) {
        Object old = states[slot];
        if (old == null && contents != null) {
            nonEmptyStates++;
        } else if (old != null && contents == null) {
            nonEmptyStates--;
        }
        states[slot] = contents;
    }

    long earliestTimer() {
        return timers[0];
    }

    /** Adds a timer at {@code time}; false when the key has one there already. */
    boolean addTimer(long time) {
        int i = Arrays.binarySearch(timers, 0, timerCount, time);
        if (i >= 0) {
            return false;
        }
        i = -i - 1;
        if (timerCount == timers.length) {
            timers = Arrays.copyOf(timers, Math.max(2, timerCount * 2));
        }
        System.arraycopy(timers, i, timers, i + 1, timerCount - i);
        timers[i] = time;
        timerCount++;
        return true;
    }

    /** Removes the timer at {@code time}: its former index, or -1 when there was none. */
    int removeTimer(long time) {
        int i = Arrays.binarySearch(timers, 0, timerCount, time);
        if (i < 0) {
            return -1;
        }
        System.arraycopy(timers, i + 1, timers, i, timerCount - i - 1);
        timerCount--;
        return i;
    }
}
