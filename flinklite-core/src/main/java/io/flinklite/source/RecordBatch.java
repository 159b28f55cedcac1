package io.flinklite.source;

import java.util.Arrays;

/**
 * A reusable batch of raw source records, filled by {@link SourceReader#poll} and consumed by the task loop. Each
 * record is a source index (which of the reader's sources, see {@link SourceReader}; 0 for a reader of one), a
 * partition id, an offset, the record's own timestamp (Kafka's; {@link #NO_TIMESTAMP} when it has none)
 * and a slice of a byte array holding the payload (the JSON event), or {@code null} for a record without a value (a
 * Kafka tombstone). The arrays are referenced, not copied: a Kafka reader passes each {@code ConsumerRecord.value()}
 * as it is.
 *
 * <p>A reader whose records have a key and headers (Kafka) adds, per record, its own handle to the record and names
 * the {@link RecordMetadata} that reads them from it: they are read only when asked for ({@link #key},
 * {@link #headerCount}, ...). Records added without a handle have no key and no headers.
 *
 * <p>Owned and cleared by the task thread; growing is the only allocation, and it stops once the batch has reached
 * the source's usual batch size.
 */
public final class RecordBatch {
    private int size;
    private int[] sources = new int[256];
    private int[] partitions = new int[256];
    private long[] offsets = new long[256];
    private long[] timestamps = new long[256];
    private byte[][] payloads = new byte[256][];
    private int[] payloadOffsets = new int[256];
    private int[] payloadLengths = new int[256];
    /** Per record, the reader's handle for {@link #metadata}; null for none. */
    private Object[] handles = new Object[256];
    private RecordMetadata metadata;

    /** A record without a timestamp of its own (the same value as Kafka's {@code RecordBatch.NO_TIMESTAMP}). */
    public static final long NO_TIMESTAMP = -1;

    /** Appends one record; {@code payload[offset, offset + length)} must stay unchanged until the batch is cleared. */
    public void add(int partition, long offset, byte[] payload, int payloadOffset, int payloadLength) {
        add(partition, offset, NO_TIMESTAMP, payload, payloadOffset, payloadLength);
    }

    /**
     * Appends one record with its own timestamp; {@code payload} may be {@code null} (no value: a tombstone), else
     * {@code payload[offset, offset + length)} must stay unchanged until the batch is cleared.
     */
    public void add(int partition, long offset, long timestampMs, byte[] payload, int payloadOffset, int payloadLength) {
        add(0, partition, offset, timestampMs, payload, payloadOffset, payloadLength);
    }

    /**
     * Appends one record of source {@code source} (its index in the reader), with its own timestamp; as
     * {@link #add(int, long, long, byte[], int, int)} otherwise.
     */
    public void add(int source, int partition, long offset, long timestampMs, byte[] payload, int payloadOffset,
                    int payloadLength) {
        add(source, partition, offset, timestampMs, payload, payloadOffset, payloadLength, null);
    }

    /**
     * Appends one record with the reader's {@code handle} to it, from which the {@link #metadata(RecordMetadata)
     * metadata reader} reads its key and headers when asked; as {@link #add(int, int, long, long, byte[], int, int)}
     * otherwise. {@code handle} may be {@code null} (no key, no headers).
     */
    public void add(int source, int partition, long offset, long timestampMs, byte[] payload, int payloadOffset,
                    int payloadLength, Object handle) {
        if (size == partitions.length) {
            grow();
        }
        sources[size] = source;
        partitions[size] = partition;
        offsets[size] = offset;
        timestamps[size] = timestampMs;
        payloads[size] = payload;
        payloadOffsets[size] = payloadOffset;
        payloadLengths[size] = payloadLength;
        handles[size] = handle;
        size++;
    }

    /** Appends one record whose payload is the whole array. */
    public void add(int partition, long offset, byte[] payload) {
        add(partition, offset, payload, 0, payload.length);
    }

    public int size() { return size; }

    public boolean isEmpty() { return size == 0; }

    /** Which of the reader's sources the record comes from; 0 for a reader of one source. */
    public int source(int i) { return sources[i]; }

    /** The record's partition within its source. */
    public int partition(int i) { return partitions[i]; }

    /** The record's position in its partition (a Kafka offset, a line number); the next position is offset + 1. */
    public long offset(int i) { return offsets[i]; }

    /** The record's own timestamp, epoch ms, or {@link #NO_TIMESTAMP}. */
    public long timestamp(int i) { return timestamps[i]; }

    /** {@code null} for a record without a value. */
    public byte[] payload(int i) { return payloads[i]; }

    public int payloadOffset(int i) { return payloadOffsets[i]; }

    public int payloadLength(int i) { return payloadLengths[i]; }

    /**
     * Names what reads the key and headers from the handles this batch's records are added with, until the next
     * {@link #clear()} (a reader names it in each poll).
     */
    public void metadata(RecordMetadata reader) {
        this.metadata = reader;
    }

    /** The record's key; {@code null} when it has none. Read from the reader's record only now; not copied. */
    public byte[] key(int i) {
        Object h = handle(i);
        return h == null ? null : metadata.key(h);
    }

    /** Number of the record's headers; 0 when it has none. */
    public int headerCount(int i) {
        Object h = handle(i);
        return h == null ? 0 : metadata.headerCount(h);
    }

    /** The name of the record's header {@code h}, {@code 0 <= h < headerCount(i)}. */
    public String headerName(int i, int h) {
        return metadata.headerName(headerHandle(i, h), h);
    }

    /** The value of the record's header {@code h}; may be {@code null}. Not copied. */
    public byte[] headerValue(int i, int h) {
        return metadata.headerValue(headerHandle(i, h), h);
    }

    private Object handle(int i) {
        if (i < 0 || i >= size) {
            throw new IndexOutOfBoundsException("record " + i + " of a batch of " + size);
        }
        Object h = handles[i];
        if (h != null && metadata == null) {
            throw new IllegalStateException("records were added with handles but no RecordMetadata was named");
        }
        return h;
    }

    private Object headerHandle(int i, int h) {
        Object handle = handle(i);
        if (handle == null || h < 0 || h >= metadata.headerCount(handle)) {
            throw new IndexOutOfBoundsException("header " + h + " of a record with " + headerCount(i));
        }
        return handle;
    }

    /** Forgets every record (and drops the payload and handle references so they can be collected). */
    public void clear() {
        Arrays.fill(payloads, 0, size, null);
        Arrays.fill(handles, 0, size, null);
        metadata = null;
        size = 0;
    }

    private void grow() {
        int n = partitions.length * 2;
        sources = Arrays.copyOf(sources, n);
        partitions = Arrays.copyOf(partitions, n);
        offsets = Arrays.copyOf(offsets, n);
        timestamps = Arrays.copyOf(timestamps, n);
        payloads = Arrays.copyOf(payloads, n);
        payloadOffsets = Arrays.copyOf(payloadOffsets, n);
        payloadLengths = Arrays.copyOf(payloadLengths, n);
        handles = Arrays.copyOf(handles, n);
    }
}
