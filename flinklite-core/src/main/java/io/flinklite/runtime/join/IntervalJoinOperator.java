package io.flinklite.runtime.join;

import io.flinklite.api.OutputTag;
import io.flinklite.runtime.metrics.JobMetrics;
import io.flinklite.runtime.operator.Output;
import io.flinklite.runtime.operator.ReportsMetrics;
import io.flinklite.runtime.operator.TwoInputOperator;
import io.flinklite.runtime.state.KeyGroupedState;
import io.flinklite.runtime.state.StateFormatException;
import io.flinklite.runtime.state.StateReader;
import io.flinklite.runtime.state.StateWriter;
import io.flinklite.runtime.window.TimerQueue;

import java.util.ArrayList;
import java.util.Arrays;
import java.util.HashMap;
import java.util.List;
import java.util.Objects;

/**
 * The keyed event-time interval join, with the semantics of Flink's {@code IntervalJoinOperator}
 * ({@code keyBy(..).intervalJoin(..).between(lower, upper)}, both bounds inclusive): a left element at {@code l} and
 * a right element of the same key at {@code r} pair when {@code l + lower <= r <= l + upper}.
 *
 * <ol>
 *   <li><b>Arrival.</b> An element whose timestamp is below the operator's watermark ({@code ts < W}) is late: it
 *       goes to its side's late output ({@code lateLeft}, {@code lateRight}) and is counted; Flink does the same when
 *       asked with {@code sideOutputLeftLateData}, and drops it otherwise. Any other element is buffered on its side
 *       and paired at once with every buffered element of the other side within the bounds.</li>
 *   <li><b>Cleanup.</b> A buffered left element at {@code l} is dropped once {@code W >= l + max(upper, 0)}, a right
 *       one at {@code r} once {@code W >= r + max(-lower, 0)}: Flink's cleanup timers, which fire when the watermark
 *       advances to or past them. So an element that arrives exactly at the watermark is still buffered until the
 *       next advance. A key whose two buffers are empty holds no state.</li>
 *   <li><b>Output.</b> Each pair is one {@link JoinedPair} on the main output with timestamp {@code max(l, r)} (as
 *       Flink's). Order, which Flink leaves to its state's hash map: the pairs of one arriving element in the order of
 *       the other side's timestamps, and among equal timestamps in the order those elements arrived.</li>
 * </ol>
 *
 * <p><b>State.</b> Per key, each side is an array of its buffered elements sorted by timestamp (arrival order among
 * equal ones), held as the {@link ElementCodec} copies them (the built-in job: the JSON object's bytes) beside a
 * {@code long} timestamp. Since a side's cleanup bound is the same for all its elements, cleanup removes a prefix of
 * that array, so one timer per key and side (at its earliest element's cleanup time) replaces Flink's timer per
 * element. Snapshots are written by key group; timers are rebuilt on restore.
 *
 * <p>Task thread only (the {@link io.flinklite.runtime.operator.Operator} contract). Per element the work is a binary
 * search plus the pairs found; the one allocation is the codec's copy of the element.
 *
 * @param <IN1> left elements as they arrive
 * @param <IN2> right elements as they arrive
 * @param <S1>  left elements as buffered
 * @param <S2>  right elements as buffered
 */
public final class IntervalJoinOperator<IN1, IN2, S1, S2> implements TwoInputOperator<IN1, IN2>, ReportsMetrics {
    private final JoinMeter meter = new JoinMeter();
    private static final long NO_TIMER = Long.MIN_VALUE;
    private static final int LEFT = 0;
    private static final int RIGHT = 1;
    /** Per buffered element beside the codec's copy: its timestamp and the reference to the copy. */
    static final int SLOT_BYTES = 8 + 4;

    /** One side of one key: elements {@code [head, head + size)} of the arrays, sorted by timestamp. */
    static final class Buffer {
        long[] timestamps = new long[4];
        Object[] elements = new Object[4];
        int head;
        int size;
        /** The time of this buffer's live cleanup timer; {@link #NO_TIMER} when none is registered. */
        long timerAt = NO_TIMER;

        long earliest() {
            return timestamps[head];
        }

        /** Inserts after every element with a timestamp at or below {@code ts}. */
        void insert(long ts, Object element) {
            if (head + size == timestamps.length) {
                makeRoom();
            }
            int i = head + size;
            while (i > head && timestamps[i - 1] > ts) {
                i--;
            }
            int end = head + size;
            System.arraycopy(timestamps, i, timestamps, i + 1, end - i);
            System.arraycopy(elements, i, elements, i + 1, end - i);
            timestamps[i] = ts;
            elements[i] = element;
            size++;
        }

        private void makeRoom() {
            if (head > 0 && size <= timestamps.length / 2) {
                System.arraycopy(timestamps, head, timestamps, 0, size);
                System.arraycopy(elements, head, elements, 0, size);
                Arrays.fill(elements, size, head + size, null);
                head = 0;
                return;
            }
            int cap = timestamps.length * 2;
            timestamps = Arrays.copyOf(timestamps, cap);
            elements = Arrays.copyOf(elements, cap);
        }

        /** The first index in {@code [head, head + size]} whose timestamp is at least {@code ts}. */
        int firstAtOrAfter(long ts) {
            int lo = head;
            int hi = head + size;
            while (lo < hi) {
                int mid = (lo + hi) >>> 1;
                if (timestamps[mid] < ts) {
                    lo = mid + 1;
                } else {
                    hi = mid;
                }
            }
            return lo;
        }
    }

    /** The state of one key. */
    static final class KeyState {
        final String key;
        final Buffer left = new Buffer();
        final Buffer right = new Buffer();

        KeyState(String key) {
            this.key = key;
        }

        boolean isEmpty() {
            return left.size == 0 && right.size == 0;
        }
    }

    private final long lowerBound;
    private final long upperBound;
    private final long leftCleanupDelay;
    private final long rightCleanupDelay;
    private final ElementCodec<IN1, S1> leftCodec;
    private final ElementCodec<IN2, S2> rightCodec;
    private final Output<JoinedPair<S1, S2>> output;
    private final OutputTag<IN1> lateLeftTag;
    private final OutputTag<IN2> lateRightTag;

    private final HashMap<String, KeyState> keys = new HashMap<>();
    private final TimerQueue timers = new TimerQueue();
    private final JoinedPair<S1, S2> pair = new JoinedPair<>();
    private long watermark = Long.MIN_VALUE;

    private long pairs;
    private long lateLeft;
    private long lateRight;
    private long bufferedElements;
    private long bufferedBytes;

    /**
     * @param lowerBoundMs the smallest {@code r - l} that pairs
     * @param upperBoundMs the largest {@code r - l} that pairs; at least {@code lowerBoundMs}
     * @param output       receives the pairs (main output) and the late elements (the two tags)
     */
    public IntervalJoinOperator(long lowerBoundMs, long upperBoundMs, ElementCodec<IN1, S1> leftCodec,
                                ElementCodec<IN2, S2> rightCodec, Output<JoinedPair<S1, S2>> output,
                                OutputTag<IN1> lateLeftTag, OutputTag<IN2> lateRightTag) {
        if (lowerBoundMs > upperBoundMs) {
            throw new IllegalArgumentException("the lower bound " + lowerBoundMs + " ms is above the upper bound "
                    + upperBoundMs + " ms");
        }
        this.lowerBound = lowerBoundMs;
        this.upperBound = upperBoundMs;
        this.leftCleanupDelay = Math.max(upperBoundMs, 0);
        this.rightCleanupDelay = Math.max(-lowerBoundMs, 0);
        this.leftCodec = Objects.requireNonNull(leftCodec, "leftCodec");
        this.rightCodec = Objects.requireNonNull(rightCodec, "rightCodec");
        this.output = Objects.requireNonNull(output, "output");
        this.lateLeftTag = Objects.requireNonNull(lateLeftTag, "lateLeftTag");
        this.lateRightTag = Objects.requireNonNull(lateRightTag, "lateRightTag");
    }

    /** The operator's watermark; {@link Long#MIN_VALUE} before the first. */
    public long currentWatermark() { return watermark; }

    /** Pairs emitted so far. */
    public long pairs() { return pairs; }

    /** Left elements that arrived behind the watermark (sent to the late output). */
    public long lateLeft() { return lateLeft; }

    /** Right elements that arrived behind the watermark (sent to the late output). */
    public long lateRight() { return lateRight; }

    /** Elements buffered now, both sides. */
    public long bufferedElements() { return bufferedElements; }

    /**
     * Heap bytes of the buffered elements: the codec's copies plus a timestamp and a reference each (the arrays'
     * spare capacity and the per-key objects are not counted; the benchmark measures the whole heap).
     */
    public long bufferedBytes() { return bufferedBytes; }

    /** Keys holding state. */
    public int keys() { return keys.size(); }

    @Override
    public void processElement1(IN1 element, long timestampMs, String key) throws Exception {
        meter.received++;
        if (timestampMs < watermark) {
            lateLeft++;
            output.emitSide(lateLeftTag, element, timestampMs);
            return;
        }
        process(leftCodec.retain(element), leftCodec, timestampMs, key, true);
    }

    @Override
    public void processElement2(IN2 element, long timestampMs, String key) throws Exception {
        meter.received++;
        if (timestampMs < watermark) {
            lateRight++;
            output.emitSide(lateRightTag, element, timestampMs);
            return;
        }
        process(rightCodec.retain(element), rightCodec, timestampMs, key, false);
    }

    /**
     * Buffers an element that is not late and pairs it with the other side's elements in range: for a left element
     * at {@code l} the rights in {@code [l + lower, l + upper]}, for a right one at {@code r} the lefts in
     * {@code [r - upper, r - lower]}.
     */
    @SuppressWarnings("unchecked")
    private <S> void process(S stored, ElementCodec<?, S> codec, long ts, String key, boolean isLeft) throws Exception {
        KeyState ks = keyState(key);
        Buffer ours = isLeft ? ks.left : ks.right;
        Buffer other = isLeft ? ks.right : ks.left;
        ours.insert(ts, stored);
        bufferedElements++;
        bufferedBytes += codec.heapBytes(stored) + SLOT_BYTES;
        long lo = saturatedAdd(ts, isLeft ? lowerBound : -upperBound);
        long hi = saturatedAdd(ts, isLeft ? upperBound : -lowerBound);
        int end = other.head + other.size;
        for (int i = other.firstAtOrAfter(lo); i < end && other.timestamps[i] <= hi; i++) {
            if (isLeft) {
                emit(key, (S1) stored, ts, (S2) other.elements[i], other.timestamps[i]);
            } else {
                emit(key, (S1) other.elements[i], other.timestamps[i], (S2) stored, ts);
            }
        }
        scheduleCleanup(ks, ours, isLeft ? LEFT : RIGHT, saturatedAdd(ts, isLeft ? leftCleanupDelay : rightCleanupDelay));
    }

    private void emit(String key, S1 left, long leftTs, S2 right, long rightTs) throws Exception {
        pairs++;
        pair.setInterval(key, left, leftTs, right, rightTs);
        output.emit(pair, Math.max(leftTs, rightTs));
    }

    private KeyState keyState(String key) {
        KeyState ks = keys.get(key);
        if (ks == null) {
            ks = new KeyState(key);
            keys.put(key, ks);
        }
        return ks;
    }

    /** Registers the buffer's cleanup timer at {@code time} unless a live one is due no later. */
    private void scheduleCleanup(KeyState ks, Buffer buffer, int side, long time) {
        if (buffer.timerAt == NO_TIMER || time < buffer.timerAt) {
            buffer.timerAt = time;
            timers.add(time, ks, side, 0);
        }
        // A timer replaced by an earlier one stays in the heap; when it pops, its time no longer matches timerAt.
    }

    /**
     * Advances the watermark: drops every buffered element whose cleanup time it reached (Flink's cleanup timers),
     * then forwards it.
     */
    /** Pairs, late elements per side and buffered state (see {@link JoinMeter}). Task thread, between batches. */
    @Override
    public void publishMetrics(JobMetrics metrics) {
        meter.publish(metrics, pairs, lateLeft, lateRight, bufferedElements(), bufferedBytes());
    }

    @Override
    public void processWatermark(long watermarkMs) throws Exception {
        if (watermarkMs <= watermark) {
            return;
        }
        watermark = watermarkMs;
        while (!timers.isEmpty() && timers.peekTime() <= watermarkMs) {
            timers.pop();
            KeyState ks = (KeyState) timers.poppedOwner;
            boolean left = timers.poppedStart == LEFT;
            Buffer buffer = left ? ks.left : ks.right;
            if (timers.poppedTime != buffer.timerAt) {
                continue; // replaced by an earlier timer, which already ran
            }
            buffer.timerAt = NO_TIMER;
            long delay = left ? leftCleanupDelay : rightCleanupDelay;
            ElementCodec<?, ?> codec = left ? leftCodec : rightCodec;
            purge(buffer, codec, watermarkMs, delay);
            if (buffer.size > 0) {
                scheduleCleanup(ks, buffer, left ? LEFT : RIGHT, saturatedAdd(buffer.earliest(), delay));
            } else if (ks.isEmpty()) {
                keys.remove(ks.key, ks);
            }
        }
        output.emitWatermark(watermarkMs);
    }

    /** Drops the prefix of elements with {@code ts + delay <= watermark}. */
    @SuppressWarnings({"unchecked", "rawtypes"})
    private void purge(Buffer buffer, ElementCodec codec, long watermarkMs, long delay) {
        while (buffer.size > 0 && saturatedAdd(buffer.timestamps[buffer.head], delay) <= watermarkMs) {
            bufferedElements--;
            bufferedBytes -= codec.heapBytes(buffer.elements[buffer.head]) + SLOT_BYTES;
            buffer.elements[buffer.head] = null;
            buffer.head++;
            buffer.size--;
        }
        if (buffer.size == 0) {
            buffer.head = 0;
        }
    }

    private static long saturatedAdd(long a, long b) {
        long r = a + b;
        if (((a ^ r) & (b ^ r)) < 0) {
            return a < 0 ? Long.MIN_VALUE : Long.MAX_VALUE;
        }
        return r;
    }

    // ---- snapshot / restore ----

    /**
     * Writes the fields {@code "lowerBound", "upperBound", "watermark", "keyGroups": [{"keyGroup", "keys": [{"key",
     * "left": [{"ts", <element>}], "right": [...]}]}]}, key groups ascending, keys sorted, elements in buffer order.
     * Key groups without state are left out; a restore accepts any subset of groups.
     */
    @Override
    public void snapshotState(StateWriter out) {
        out.writeLong("lowerBound", lowerBound);
        out.writeLong("upperBound", upperBound);
        out.writeLong("watermark", watermark);
        List<KeyState> live = new ArrayList<>(keys.size());
        for (KeyState ks : keys.values()) {
            if (!ks.isEmpty()) {
                live.add(ks);
            }
        }
        KeyGroupedState.write(out, live, ks -> ks.key, (ks, w) -> {
            writeBuffer(w, "left", ks.left, leftCodec);
            writeBuffer(w, "right", ks.right, rightCodec);
        });
    }

    @SuppressWarnings("unchecked")
    private static <S> void writeBuffer(StateWriter out, String name, Buffer buffer, ElementCodec<?, S> codec) {
        out.beginArray(name);
        for (int i = buffer.head; i < buffer.head + buffer.size; i++) {
            out.beginObject(null);
            out.writeLong("ts", buffer.timestamps[i]);
            codec.write((S) buffer.elements[i], out);
            out.endObject();
        }
        out.endArray();
    }

    /**
     * Restores what {@link #snapshotState} wrote into this fresh operator; groups of several snapshots may be
     * combined.
     *
     * @throws StateFormatException when the snapshot is malformed or was taken with other bounds
     */
    @Override
    public void restoreState(StateReader in) {
        long lower = in.readLong("lowerBound");
        long upper = in.readLong("upperBound");
        if (lower != lowerBound || upper != upperBound) {
            throw new StateFormatException("interval join state was taken with bounds [" + lower + ", " + upper
                    + "] ms, but this job has [" + lowerBound + ", " + upperBound + "] ms");
        }
        watermark = Math.max(watermark, in.readLong("watermark"));
        KeyGroupedState.read(in, (key, r) -> {
            KeyState ks = keyState(key);
            readBuffer(r, "left", ks, ks.left, leftCodec, LEFT, leftCleanupDelay);
            readBuffer(r, "right", ks, ks.right, rightCodec, RIGHT, rightCleanupDelay);
            if (ks.isEmpty()) {
                keys.remove(key);
            }
        });
    }

    private <S> void readBuffer(StateReader in, String name, KeyState ks, Buffer buffer, ElementCodec<?, S> codec,
                                int side, long delay) {
        in.beginArray(name);
        while (in.hasNext()) {
            in.beginObject(null);
            long ts = in.readLong("ts");
            S stored = codec.read(in);
            in.endObject();
            buffer.insert(ts, stored);
            bufferedElements++;
            bufferedBytes += codec.heapBytes(stored) + SLOT_BYTES;
        }
        in.endArray();
        if (buffer.size > 0) {
            scheduleCleanup(ks, buffer, side, saturatedAdd(buffer.earliest(), delay));
        }
    }
}
