package io.flinklite.runtime.replay;

import io.flinklite.runtime.task.PartitionListener;
import io.flinklite.runtime.task.RecordBatch;
import io.flinklite.runtime.task.SourceReader;

import java.io.IOException;
import java.io.InputStream;
import java.util.Arrays;
import java.util.Objects;

/**
 * A bounded source over JSON lines: partition 0, the offset of a record is its 1-based line number. Blank lines are
 * skipped (they are not records) but counted in the line numbers; a trailing {@code \r} is dropped. Records point
 * into one reused buffer, which is safe because the task finishes a batch before it polls again.
 */
public final class LineSourceReader implements SourceReader {
    private static final int CHUNK = 1 << 16;

    private final InputStream in;
    private byte[] buffer = new byte[CHUNK * 4];
    /** Bytes of the buffer in use: [0, filled); the unconsumed tail starts at {@code consumed}. */
    private int filled;
    private int consumed;
    private long lineNumber;
    private boolean eof;
    private boolean announced;

    public LineSourceReader(InputStream in) {
        this.in = Objects.requireNonNull(in, "in");
    }

    @Override
    public boolean poll(RecordBatch batch, PartitionListener listener, long timeoutMs) throws IOException {
        if (!announced) {
            listener.partitionAssigned(0);
            announced = true;
        }
        // Move the partial last line to the front; the previous batch has been processed.
        if (consumed > 0) {
            System.arraycopy(buffer, consumed, buffer, 0, filled - consumed);
            filled -= consumed;
            consumed = 0;
        }
        while (true) {
            if (!eof) {
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
            int lineStart = 0;
            for (int i = 0; i < filled; i++) {
                if (buffer[i] == '\n') {
                    addLine(batch, lineStart, i);
                    lineStart = i + 1;
                }
            }
            if (eof && lineStart < filled) {
                addLine(batch, lineStart, filled);
                lineStart = filled;
            }
            consumed = lineStart;
            if (!batch.isEmpty()) {
                return true;
            }
            if (eof) {
                return lineStart < filled || consumed < filled;
            }
            // No complete line yet (a long line, or only blank lines): read more.
            System.arraycopy(buffer, consumed, buffer, 0, filled - consumed);
            filled -= consumed;
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

    @Override
    public String topicOf(int partition) {
        return "input";
    }

    @Override
    public void close() throws IOException {
        in.close();
    }
}
