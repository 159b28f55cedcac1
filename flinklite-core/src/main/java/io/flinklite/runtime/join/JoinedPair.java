package io.flinklite.runtime.join;

/**
 * One pair of a stream-stream join, as the join operators emit it on their main output: the key, the left and the
 * right element as the join keeps them (for the built-in job, each element's JSON object as read), their timestamps,
 * and for window joins the window.
 *
 * <p><b>Reused.</b> An operator fills one instance per pair and hands it to {@link
 * io.flinklite.runtime.operator.Output#emit}; its fields are valid only during that call (the {@code Output}
 * contract). A consumer that keeps a pair copies what it needs ({@link #copy()}). The elements themselves are the
 * operator's stored copies: read them, never change them.
 *
 * @param <L> the left elements as stored
 * @param <R> the right elements as stored
 */
public final class JoinedPair<L, R> {
    private String key;
    private L left;
    private R right;
    private long leftTimestampMs;
    private long rightTimestampMs;
    private boolean windowed;
    private long windowStartMs;
    private long windowEndMs;

    /** An empty pair for an operator to fill. */
    public JoinedPair() {
    }

    void setInterval(String key, L left, long leftTimestampMs, R right, long rightTimestampMs) {
        this.key = key;
        this.left = left;
        this.right = right;
        this.leftTimestampMs = leftTimestampMs;
        this.rightTimestampMs = rightTimestampMs;
        this.windowed = false;
        this.windowStartMs = 0;
        this.windowEndMs = 0;
    }

    void setWindowed(String key, L left, long leftTimestampMs, R right, long rightTimestampMs, long startMs, long endMs) {
        setInterval(key, left, leftTimestampMs, right, rightTimestampMs);
        this.windowed = true;
        this.windowStartMs = startMs;
        this.windowEndMs = endMs;
    }

    public String key() { return key; }

    public L left() { return left; }

    public R right() { return right; }

    public long leftTimestampMs() { return leftTimestampMs; }

    public long rightTimestampMs() { return rightTimestampMs; }

    /** True for a window join's pair, which then has {@link #windowStartMs()} and {@link #windowEndMs()}. */
    public boolean isWindowed() { return windowed; }

    /** The window's start (inclusive); 0 for an interval join's pair. */
    public long windowStartMs() { return windowStartMs; }

    /** The window's end (exclusive); 0 for an interval join's pair. */
    public long windowEndMs() { return windowEndMs; }

    /** A pair of its own with the same fields (the elements are shared: they are immutable stored copies). */
    public JoinedPair<L, R> copy() {
        JoinedPair<L, R> c = new JoinedPair<>();
        c.setInterval(key, left, leftTimestampMs, right, rightTimestampMs);
        c.windowed = windowed;
        c.windowStartMs = windowStartMs;
        c.windowEndMs = windowEndMs;
        return c;
    }

    @Override
    public String toString() {
        return "JoinedPair{key=" + key + ", left@" + leftTimestampMs + "=" + show(left) + ", right@" + rightTimestampMs
                + "=" + show(right) + (windowed ? ", window=[" + windowStartMs + ", " + windowEndMs + ")" : "") + "}";
    }

    private static String show(Object element) {
        return element instanceof byte[]
                ? new String((byte[]) element, java.nio.charset.StandardCharsets.UTF_8) : String.valueOf(element);
    }
}
