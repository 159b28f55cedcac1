package io.flinklite.runtime.shuffle;

import io.flinklite.api.Event;
import io.flinklite.runtime.state.ByteArrayWriter;

import java.nio.charset.StandardCharsets;

/**
 * The one binary format of the values of the repartition stream between the two stages of a scaled-out job, its
 * encoder (one reused buffer) and its decoders. Big-endian; every value starts with {@link #VERSION} and a kind byte:
 *
 * <pre>
 * RAW      3 | 1 | origin (20) | timestamp (8) | flags (1: bit 0 has value, bit 1 has id) | value (8, double) | id (8) | original bytes
 * PARTIAL  3 | 2 | origin (20) | pane start (8) | accumulator (the aggregator's WindowAggregator.writePartial form)
 * MARKER   3 | 3 | job (4) | source partition (4) | total source partitions (4) | watermark (8) | idle (1) | topic length (2) | topic (UTF-8)
 * origin = source topic's String.hashCode (4) | source partition (4) | lineage (4) | sequence (8)
 * </pre>
 *
 * The origin makes a record resent by a source task restored from an older snapshot recognisable: {@code sequence}
 * counts the RAW and PARTIAL records the source task sent to the record's repartition partition (1, 2, ...; part of
 * the source task's snapshot, so a restored task resends the same records with the same numbers), {@code lineage}
 * names the run of that counter (fixed by the first element a task with no snapshot reads, so two fresh starts at
 * the same offset agree and a start elsewhere does not), and a keyed task skips what it has already merged (see
 * {@link KeyedStage}).
 *
 * RAW and PARTIAL records are keyed: the record key is the window key's UTF-8 bytes (see {@link ShufflePartitioner});
 * a MARKER has no key and goes to every partition. A MARKER's watermark is {@link Long#MIN_VALUE} before its source
 * partition had one. A MARKER's {@code job} is {@link #jobHash} of the job its source task runs: instances of one group
 * started with other job flags (window, types, key, aggregate) would otherwise merge each other's partials silently,
 * and a source task sends a marker before its first keyed record, so a keyed task sees whose records follow.
 *
 * <p>Encoder: not thread-safe; each {@code encode...} call overwrites the previous record ({@link #array()},
 * {@link #length()}).
 */
public final class ShuffleRecords {
    public static final byte VERSION = 3;
    public static final byte RAW = 1;
    public static final byte PARTIAL = 2;
    public static final byte MARKER = 3;

    /** Bytes of a RAW or PARTIAL record's origin (after the version and kind). */
    private static final int ORIGIN = 4 + 4 + 4 + 8;
    /** Where a RAW or PARTIAL record's own fields start. */
    private static final int BODY = 2 + ORIGIN;
    /** Bytes before a RAW record's original bytes. */
    public static final int RAW_HEADER = BODY + 8 + 1 + 8 + 8;
    /** Bytes before a PARTIAL record's accumulator. */
    public static final int PARTIAL_HEADER = BODY + 8;
    private static final int MARKER_FIXED = 2 + 4 + 4 + 4 + 8 + 1 + 2;

    private final ByteArrayWriter out = new ByteArrayWriter(256);

    /** The bytes of the last record encoded: {@code [0, length())}. */
    public byte[] array() { return out.array(); }

    public int length() { return out.length(); }

    /**
     * A RAW record of {@code event} (its original bytes, event time {@code timestampMs}, value and id) from the source
     * partition {@code sourcePartition} of the topic whose name has hash {@code topicHash}, the {@code sequence}-th
     * keyed record of {@code lineage} for its repartition partition.
     */
    public ShuffleRecords encodeRaw(int topicHash, int sourcePartition, int lineage, long sequence, Event event,
                                    long timestampMs) {
        origin(RAW, topicHash, sourcePartition, lineage, sequence).putLong(timestampMs)
                .putByte((event.hasValue() ? 1 : 0) | (event.hasId() ? 2 : 0))
                .putDouble(event.hasValue() ? event.value() : 0.0)
                .putLong(event.hasId() ? event.id() : 0L);
        if (event.payload() != null) {
            out.putBytes(event.payload(), event.payloadOffset(), event.payloadLength());
        }
        return this;
    }

    /**
     * Starts a PARTIAL record of the pane at {@code paneStart} (origin as {@link #encodeRaw}); the caller appends the
     * accumulator to the returned buffer.
     */
    public ByteArrayWriter beginPartial(int topicHash, int sourcePartition, int lineage, long sequence, long paneStart) {
        return origin(PARTIAL, topicHash, sourcePartition, lineage, sequence).putLong(paneStart);
    }

    private ByteArrayWriter origin(byte kind, int topicHash, int sourcePartition, int lineage, long sequence) {
        return out.reset().putByte(VERSION).putByte(kind).putInt(topicHash).putInt(sourcePartition).putInt(lineage)
                .putLong(sequence);
    }

    /**
     * A MARKER of the job {@code job} ({@link #jobHash}); {@code topicUtf8} is the source topic's name in UTF-8 (at
     * most 65535 bytes).
     */
    public ShuffleRecords encodeMarker(int job, byte[] topicUtf8, int sourcePartition, int totalPartitions,
                                       long watermarkMs, boolean idle) {
        out.reset().putByte(VERSION).putByte(MARKER).putInt(job).putInt(sourcePartition).putInt(totalPartitions)
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

    /** A RAW or PARTIAL record's source: topic hash in the high 32 bits, source partition in the low 32. */
    public static long originSource(byte[] b, int off) { return ByteArrayWriter.getLong(b, off + 2); }

    public static int originLineage(byte[] b, int off) { return ByteArrayWriter.getInt(b, off + 10); }

    public static long originSequence(byte[] b, int off) { return ByteArrayWriter.getLong(b, off + 14); }

    /** The {@link #originSource} of {@code topicName}'s partition {@code partition}. */
    public static long source(String topicName, int partition) {
        return ((long) topicName.hashCode() << 32) | (partition & 0xffffffffL);
    }

    public static long rawTimestamp(byte[] b, int off) { return ByteArrayWriter.getLong(b, off + BODY); }

    public static boolean rawHasValue(byte[] b, int off) { return (b[off + BODY + 8] & 1) != 0; }

    public static boolean rawHasId(byte[] b, int off) { return (b[off + BODY + 8] & 2) != 0; }

    public static double rawValue(byte[] b, int off) { return ByteArrayWriter.getDouble(b, off + BODY + 9); }

    public static long rawId(byte[] b, int off) { return ByteArrayWriter.getLong(b, off + BODY + 17); }

    public static long partialPaneStart(byte[] b, int off) { return ByteArrayWriter.getLong(b, off + BODY); }

    /**
     * The one hash of a job's fingerprint that markers carry: {@link String#hashCode}, the same in every JVM, so
     * instances of one job agree.
     */
    public static int jobHash(String jobFingerprint) { return jobFingerprint.hashCode(); }

    public static int markerJob(byte[] b, int off) { return ByteArrayWriter.getInt(b, off + 2); }

    public static int markerPartition(byte[] b, int off) { return ByteArrayWriter.getInt(b, off + 6); }

    public static int markerTotal(byte[] b, int off) { return ByteArrayWriter.getInt(b, off + 10); }

    public static long markerWatermark(byte[] b, int off) { return ByteArrayWriter.getLong(b, off + 14); }

    public static boolean markerIdle(byte[] b, int off) { return b[off + 22] != 0; }

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
                return "raw " + describeOrigin(b, off) + " ts=" + rawTimestamp(b, off) + (rawHasValue(b, off) ? " value=" + rawValue(b, off) : "")
                        + " bytes=" + (len - RAW_HEADER);
            case PARTIAL:
                return "partial " + describeOrigin(b, off) + " pane=" + partialPaneStart(b, off) + " accumulator bytes=" + (len - PARTIAL_HEADER);
            default:
                return "marker " + markerTopic(b, off) + "/" + markerPartition(b, off) + " of " + markerTotal(b, off)
                        + " watermark=" + markerWatermark(b, off) + (markerIdle(b, off) ? " idle" : "")
                        + " job=" + Integer.toHexString(markerJob(b, off));
        }
    }

    private static String describeOrigin(byte[] b, int off) {
        long source = originSource(b, off);
        return "from topic#" + Integer.toHexString((int) (source >>> 32)) + "/" + (int) source + " seq="
                + Integer.toHexString(originLineage(b, off)) + ":" + originSequence(b, off);
    }
}
