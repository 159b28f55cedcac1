package io.flinklite.runtime.state;

import java.nio.charset.StandardCharsets;
import java.util.Arrays;

/**
 * A growable big-endian byte buffer, reused record after record (no allocation once it is large enough), with the
 * matching static readers. The binary forms of the engine (the shuffle's records and partial accumulators) are written
 * with it, so byte order and widths are decided in one place.
 *
 * <p>Not thread-safe.
 */
public final class ByteArrayWriter {
    private byte[] buf;
    private int length;

    public ByteArrayWriter(int initialCapacity) {
        buf = new byte[Math.max(16, initialCapacity)];
    }

    /** Empties the buffer (keeps its capacity). */
    public ByteArrayWriter reset() {
        length = 0;
        return this;
    }

    /** The backing array: valid bytes are {@code [0, length())}; changes with the next write. */
    public byte[] array() { return buf; }

    public int length() { return length; }

    /** A copy of the bytes written. */
    public byte[] toByteArray() { return Arrays.copyOf(buf, length); }

    private void ensure(int more) {
        if (length + more > buf.length) {
            buf = Arrays.copyOf(buf, Math.max(length + more, buf.length * 2));
        }
    }

    public ByteArrayWriter putByte(int v) {
        ensure(1);
        buf[length++] = (byte) v;
        return this;
    }

    public ByteArrayWriter putShort(int v) {
        ensure(2);
        buf[length++] = (byte) (v >>> 8);
        buf[length++] = (byte) v;
        return this;
    }

    public ByteArrayWriter putInt(int v) {
        ensure(4);
        for (int shift = 24; shift >= 0; shift -= 8) {
            buf[length++] = (byte) (v >>> shift);
        }
        return this;
    }

    public ByteArrayWriter putLong(long v) {
        ensure(8);
        for (int shift = 56; shift >= 0; shift -= 8) {
            buf[length++] = (byte) (v >>> shift);
        }
        return this;
    }

    public ByteArrayWriter putDouble(double v) {
        return putLong(Double.doubleToRawLongBits(v));
    }

    public ByteArrayWriter putBytes(byte[] b, int off, int len) {
        ensure(len);
        System.arraycopy(b, off, buf, length, len);
        length += len;
        return this;
    }

    /** The UTF-8 bytes of {@code s} (allocates: not for the per-record path). */
    public ByteArrayWriter putUtf8(String s) {
        byte[] b = s.getBytes(StandardCharsets.UTF_8);
        return putBytes(b, 0, b.length);
    }

    public static int getShort(byte[] b, int off) {
        return ((b[off] & 0xff) << 8) | (b[off + 1] & 0xff);
    }

    public static int getInt(byte[] b, int off) {
        return ((b[off] & 0xff) << 24) | ((b[off + 1] & 0xff) << 16) | ((b[off + 2] & 0xff) << 8) | (b[off + 3] & 0xff);
    }

    public static long getLong(byte[] b, int off) {
        return ((long) getInt(b, off) << 32) | (getInt(b, off + 4) & 0xffffffffL);
    }

    public static double getDouble(byte[] b, int off) {
        return Double.longBitsToDouble(getLong(b, off));
    }
}
