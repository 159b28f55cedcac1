package io.flinklite.runtime.shuffle;

import io.flinklite.api.Event;
import io.flinklite.runtime.state.ByteArrayWriter;

import java.nio.charset.StandardCharsets;

/**
 * The one binary format of the values of the repartition stream between the two stages of a scaled-out job, its
 * encoder (one reused buffer) and its decoders. Big-endian; every value starts with {@link #VERSION} and a kind byte:
 *
 * <pre>
 * RAW      1 | 1 | timestamp (8) | flags (1: bit 0 has value, bit 1 has id) | value (8, double) | id (8) | original bytes
 * PARTIAL  1 | 2 | pane start (8) | accumulator (the aggregator's WindowAggregator.writePartial form)
 * MARKER   1 | 3 | source partition (4) | total source partitions (4) | watermark (8) | idle (1) | topic length (2) | topic (UTF-8)
 * </pre>
 *
 * RAW and PARTIAL records are keyed: the record key is the window key's UTF-8 bytes (see {@link ShufflePartitioner});
 * a MARKER has no key and goes to every partition. A MARKER's watermark is {@link Long#MIN_VALUE} before its source
 * partition had one.
 *
 * <p>Encoder: not thread-safe; each {@code encode...} call overwrites the previous record ({@link #array()},
 * {@link #length()}).
 */
public final class ShuffleRecords {
    public static final byte VERSION = 1;
    public static final byte RAW = 1;
    public static final byte PARTIAL = 2;
    public static final byte MARKER = 3;

    /** Bytes before a RAW record's original bytes. */
    public static final int RAW_HEADER = 2 + 8 + 1 + 8 + 8;
    /** Bytes before a PARTIAL record's accumulator. */
    public static final int PARTIAL_HEADER = 2 + 8;
    private static final int MARKER_FIXED = 2 + 4 + 4 + 8 + 1 + 2;

    private final ByteArrayWriter out = new ByteArrayWriter(256);

    /** The bytes of the last record encoded: {@code [0, length())}. */
    public byte[] array() { return out.array(); }

    public int length() { return out.length(); }

    /** A RAW record of {@code event} (its original bytes, event time {@code timestampMs}, value and id). */
    public ShuffleRecords encodeRaw(Event event, long timestampMs) {
        out.reset().putByte(VERSION).putByte(RAW).putLong(timestampMs)
                .putByte((event.hasValue() ? 1 : 0) | (event.hasId() ? 2 : 0))
                .putDouble(event.hasValue() ? event.value() : 0.0)
                .putLong(event.hasId() ? event.id() : 0L);
        if (event.payload() != null) {
            out.putBytes(event.payload(), event.payloadOffset(), event.payloadLength());
        }
        return this;
    }

    /** Starts a PARTIAL record of the pane at {@code paneStart}; the caller appends the accumulator to {@link #body()}. */
    public ByteArrayWriter beginPartial(long paneStart) {
        return out.reset().putByte(VERSION).putByte(PARTIAL).putLong(paneStart);
    }

    /** The buffer being written (for {@link #beginPartial}). */
    ByteArrayWriter body() { return out; }

    /** A MARKER; {@code topicUtf8} is the source topic's name in UTF-8 (at most 65535 bytes). */
    public ShuffleRecords encodeMarker(byte[] topicUtf8, int sourcePartition, int totalPartitions, long watermarkMs,
                                       boolean idle) {
        out.reset().putByte(VERSION).putByte(MARKER).putInt(sourcePartition).putInt(totalPartitions)
                .putLong(watermarkMs).putByte(idle ? 1 : 0).putShort(topicUtf8.length)
                .putBytes(topicUtf8, 0, topicUtf8.length);
        return this;
    }

    // ---- decoding: every method takes the value's array and offset; call kind() first, it validates ----

    /**
     * The kind of the value {@code b[off, off + len)}: {@link #RAW}, {@link #PARTIAL} or {@link #MARKER}, checking the
     * version and that the fixed part is complete.
     *
     * @throws IllegalArgumentException with what is wrong, for anything else
     */
    public static byte kind(byte[] b, int off, int len) {
        if (b == null || len < 2) {
            throw new IllegalArgumentException("a shuffle record has at least 2 bytes, got " + (b == null ? "none" : len));
        }
        if (b[off] != VERSION) {
            throw new IllegalArgumentException("shuffle record version " + b[off] + ", this build reads " + VERSION);
        }
        byte kind = b[off + 1];
        int min;
        switch (kind) {
            case RAW: min = RAW_HEADER; break;
            case PARTIAL: min = PARTIAL_HEADER; break;
            case MARKER:
                min = MARKER_FIXED;
                if (len >= min) {
                    min += ByteArrayWriter.getShort(b, off + MARKER_FIXED - 2);
                }
                break;
            default:
                throw new IllegalArgumentException("unknown shuffle record kind " + kind);
        }
        if (len < min) {
            throw new IllegalArgumentException("truncated shuffle record of kind " + kind + ": " + len + " bytes, needs "
                    + min);
        }
        return kind;
    }

    public static long rawTimestamp(byte[] b, int off) { return ByteArrayWriter.getLong(b, off + 2); }

    public static boolean rawHasValue(byte[] b, int off) { return (b[off + 10] & 1) != 0; }

    public static boolean rawHasId(byte[] b, int off) { return (b[off + 10] & 2) != 0; }

    public static double rawValue(byte[] b, int off) { return ByteArrayWriter.getDouble(b, off + 11); }

    public static long rawId(byte[] b, int off) { return ByteArrayWriter.getLong(b, off + 19); }

    public static long partialPaneStart(byte[] b, int off) { return ByteArrayWriter.getLong(b, off + 2); }

    public static int markerPartition(byte[] b, int off) { return ByteArrayWriter.getInt(b, off + 2); }

    public static int markerTotal(byte[] b, int off) { return ByteArrayWriter.getInt(b, off + 6); }

    public static long markerWatermark(byte[] b, int off) { return ByteArrayWriter.getLong(b, off + 10); }

    public static boolean markerIdle(byte[] b, int off) { return b[off + 18] != 0; }

    /** The marker's topic (allocates: markers are per watermark, not per record). */
    public static String markerTopic(byte[] b, int off) {
        int n = ByteArrayWriter.getShort(b, off + MARKER_FIXED - 2);
        return new String(b, off + MARKER_FIXED, n, StandardCharsets.UTF_8);
    }

    /** A one-line description of any value, for tools and error messages. */
    public static String describe(byte[] b, int off, int len) {
        byte kind;
        try {
            kind = kind(b, off, len);
        } catch (IllegalArgumentException e) {
            return "invalid: " + e.getMessage();
        }
        switch (kind) {
            case RAW:
                return "raw ts=" + rawTimestamp(b, off) + (rawHasValue(b, off) ? " value=" + rawValue(b, off) : "")
                        + " bytes=" + (len - RAW_HEADER);
            case PARTIAL:
                return "partial pane=" + partialPaneStart(b, off) + " accumulator bytes=" + (len - PARTIAL_HEADER);
            default:
                return "marker " + markerTopic(b, off) + "/" + markerPartition(b, off) + " of " + markerTotal(b, off)
                        + " watermark=" + markerWatermark(b, off) + (markerIdle(b, off) ? " idle" : "");
        }
    }
}
