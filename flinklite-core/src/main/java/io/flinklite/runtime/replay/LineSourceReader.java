package io.flinklite.runtime.replay;

import io.flinklite.source.PartitionListener;
import io.flinklite.source.RecordBatch;
import io.flinklite.source.SourceReader;

import java.io.IOException;
import java.io.InputStream;
import java.util.Arrays;
import java.util.Objects;

/**
 * A bounded source over JSON lines: partition 0, the offset of a record is its 1-based line number. Blank lines are
 * skipped (they are not records) but counted in the line numbers; a trailing {@code \r} is dropped. Records point
 * into one reused buffer, which is safe because the task finishes a batch before it polls again.
 *
 * <p>Memory stays bounded whatever the input: a line longer than {@code maxLineBytes} is handed on as its first
 * {@code maxLineBytes + 1} bytes (which the decoder rejects as oversized) and the rest of it is skipped unread.
 */
public final class LineSourceReader implements AlternatingSourceReader.Lines {
    private static final int CHUNK = 1 << 16;

    private final InputStream in;
    private final int maxLineBytes;
    private byte[] buffer = new byte[CHUNK * 4];
    /** The buffer holds [0, filled); a partial line starts at {@code consumed}; no newline in [consumed, scanned). */
    private int filled;
    private int consumed;
    private int scanned;
    /** Inside an oversized line that was already handed on: drop bytes up to the next newline. */
    private boolean skipping;
    private long lineNumber;
    private boolean eof;
    private boolean announced;

    /** @param maxLineBytes lines longer than this are cut (and then invalid as oversized) */
    public LineSourceReader(InputStream in, int maxLineBytes) {
        this.in = Objects.requireNonNull(in, "in");
        if (maxLineBytes <= 0) {
            throw new IllegalArgumentException("max line size must be positive, got " + maxLineBytes);
        }
        this.maxLineBytes = maxLineBytes;
    }

    @Override
    public boolean poll(RecordBatch batch, PartitionListener listener, long timeoutMs) throws IOException {
        if (!announced) {
            listener.partitionAssigned(0);
            announced = true;
        }
        compact(); // the previous batch has been processed: its lines may be overwritten
        while (true) {
            int lineStart = consumed;
            for (int i = scanned; i < filled; i++) {
                if (buffer[i] != '\n') {
                    continue;
                }
                if (skipping) {
                    skipping = false;
                } else {
                    addLine(batch, lineStart, i);
                }
                lineStart = i + 1;
            }
            consumed = lineStart;
            scanned = filled;
            if (skipping) {
                consumed = filled; // drop the rest of an oversized line as it arrives
            } else if (filled - consumed > maxLineBytes + 1) { // + 1: room for a '\r' before the newline
                lineNumber++;
                batch.add(0, lineNumber, buffer, consumed, maxLineBytes + 1);
                consumed = filled;
                skipping = true;
            }
            if (eof && consumed < filled) {
                if (!skipping) {
                    addLine(batch, consumed, filled);
                }
                consumed = filled;
            }
            if (!batch.isEmpty()) {
                return true;
            }
            if (eof) {
                return false;
            }
            compact();
            if (buffer.length - filled < CHUNK) {
                buffer = Arrays.copyOf(buffer, buffer.length * 2);
            }
            int n = in.read(buffer, filled, buffer.length - filled);
            if (n < 0) {
                eof = true;
            } else {
                filled += n;
            }
        }
    }

    /** Moves the unconsumed tail to the front of the buffer. */
    private void compact() {
        if (consumed > 0) {
            System.arraycopy(buffer, consumed, buffer, 0, filled - consumed);
            filled -= consumed;
            scanned -= consumed;
            consumed = 0;
        }
    }

    private void addLine(RecordBatch batch, int from, int to) {
        lineNumber++;
        int end = to;
        if (end > from && buffer[end - 1] == '\r') {
            end--;
        }
        for (int i = from; i < end; i++) {
            byte c = buffer[i];
            if (c != ' ' && c != '\t' && c != '\r') {
                batch.add(0, lineNumber, buffer, from, end - from);
                return;
            }
        }
    }

    /**
     * Physical lines read so far, blank ones included: once {@link #poll} has returned {@code false}, the number of
     * lines in the input (a last line without a newline counts; nothing after a final newline does).
     */
    @Override
    public long linesRead() {
        return lineNumber;
    }

    @Override
    public String topicOf(int partition) {
        return "input";
    }

    @Override
    public void close() throws IOException {
        in.close();
    }
}
