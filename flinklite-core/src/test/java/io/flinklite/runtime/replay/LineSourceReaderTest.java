package io.flinklite.runtime.replay;

import io.flinklite.source.PartitionListener;
import io.flinklite.source.RecordBatch;
import org.junit.jupiter.api.Test;

import java.io.ByteArrayInputStream;
import java.io.InputStream;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;

import static org.assertj.core.api.Assertions.assertThat;

class LineSourceReaderTest {

    /** Hands out at most {@code chunk} bytes per read, to put line ends at every position of a read. */
    private static InputStream trickle(String text, int chunk) {
        return new ByteArrayInputStream(text.getBytes(StandardCharsets.UTF_8)) {
            @Override
            public synchronized int read(byte[] b, int off, int len) {
                return super.read(b, off, Math.min(len, chunk));
            }
        };
    }

    private static List<String> readAll(InputStream in, int maxLine) throws Exception {
        LineSourceReader reader = new LineSourceReader(in, maxLine);
        RecordBatch batch = new RecordBatch();
        List<String> out = new ArrayList<>();
        List<Integer> assigned = new ArrayList<>();
        PartitionListener listener = new PartitionListener() {
            @Override public void partitionAssigned(int partition) { assigned.add(partition); }
            @Override public void partitionRevoked(int partition) { }
        };
        while (true) {
            batch.clear();
            boolean more = reader.poll(batch, listener, 0);
            for (int i = 0; i < batch.size(); i++) {
                out.add(batch.offset(i) + ":" + new String(batch.payload(i), batch.payloadOffset(i),
                        batch.payloadLength(i), StandardCharsets.UTF_8));
            }
            if (!more) {
                break;
            }
        }
        assertThat(assigned).containsExactly(0);
        return out;
    }

    @Test
    void splitsLinesNumbersThemAndSkipsBlankOnes() throws Exception {
        String text = "a\r\n\nbb\n  \nccc";
        for (int chunk = 1; chunk <= 5; chunk++) {
            assertThat(readAll(trickle(text, chunk), 100)).as("chunk " + chunk).containsExactly("1:a", "3:bb", "5:ccc");
        }
    }

    @Test
    void cutsOverlongLinesAndSkipsTheirRest() throws Exception {
        String text = "short\n" + "x".repeat(50) + "\nok\n" + "y".repeat(9) + "\n";
        for (int chunk = 1; chunk <= 13; chunk += 3) {
            assertThat(readAll(trickle(text, chunk), 8)).as("chunk " + chunk)
                    .containsExactly("1:short", "2:" + "x".repeat(9), "3:ok", "4:" + "y".repeat(9));
        }
    }

    @Test
    void emptyInputEndsAtOnce() throws Exception {
        assertThat(readAll(new ByteArrayInputStream(new byte[0]), 10)).isEmpty();
    }
}
