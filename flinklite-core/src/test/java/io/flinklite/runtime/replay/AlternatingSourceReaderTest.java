package io.flinklite.runtime.replay;

import io.flinklite.source.PartitionListener;
import io.flinklite.source.RecordBatch;
import org.junit.jupiter.api.Test;

import java.io.ByteArrayInputStream;
import java.io.FilterInputStream;
import java.io.IOException;
import java.io.InputStream;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;

import static org.assertj.core.api.Assertions.assertThat;

class AlternatingSourceReaderTest {

    /** Reads everything; returns the events in order: "L:<line>" / "R:<line>" for records, "end L" / "end R". */
    private static List<String> turns(String left, String right, int maxChunk) throws Exception {
        AlternatingSourceReader reader = new AlternatingSourceReader(trickle(left, maxChunk), trickle(right, maxChunk),
                1 << 20, "l", "r");
        List<String> events = new ArrayList<>();
        PartitionListener listener = new PartitionListener() {
            @Override
            public void partitionAssigned(int partition) {
            }

            @Override
            public void partitionRevoked(int partition) {
                events.add("end " + (partition == AlternatingSourceReader.LEFT ? "L" : "R"));
            }
        };
        RecordBatch batch = new RecordBatch();
        boolean more = true;
        while (more) {
            batch.clear();
            more = reader.poll(batch, listener, 0);
            for (int i = 0; i < batch.size(); i++) {
                events.add((batch.partition(i) == AlternatingSourceReader.LEFT ? "L:" : "R:")
                        + new String(batch.payload(i), batch.payloadOffset(i), batch.payloadLength(i), StandardCharsets.UTF_8));
            }
        }
        reader.close();
        return events;
    }

    /** An input stream that returns at most {@code maxChunk} bytes per read, so batches end at odd places. */
    private static InputStream trickle(String text, int maxChunk) {
        return new FilterInputStream(new ByteArrayInputStream(text.getBytes(StandardCharsets.UTF_8))) {
            @Override
            public int read(byte[] b, int off, int len) throws IOException {
                return super.read(b, off, Math.min(len, maxChunk));
            }
        };
    }

    @Test
    void oneLineFromEachFileInTurnThenTheRestOfTheLongerOne() throws Exception {
        for (int chunk : new int[] {1, 3, 1 << 16}) {
            assertThat(turns("a1\na2\n", "b1\nb2\nb3\nb4\n", chunk)).as("chunk %d", chunk)
                    .containsExactly("L:a1", "R:b1", "L:a2", "R:b2", "end L", "R:b3", "R:b4", "end R");
            assertThat(turns("a1\na2\na3\na4", "b1\n", chunk)).as("chunk %d", chunk)
                    .containsExactly("L:a1", "R:b1", "L:a2", "end R", "L:a3", "L:a4", "end L");
        }
    }

    @Test
    void blankLinesTakeTheirTurnWithoutBeingRecords() throws Exception {
        assertThat(turns("a1\n\na3\n", "\nb2\nb3\n", 2))
                .containsExactly("L:a1", "R:b2", "L:a3", "R:b3", "end L", "end R");
        // turns: a1 (1), blank right line 1 (2), blank left line 2 (3), b2 (4), a3 (5), b3 (6), end of left (7), of right (8)
    }

    @Test
    void anEmptyFileEndsAtItsFirstTurn() throws Exception {
        assertThat(turns("", "b1\nb2\n", 4)).containsExactly("end L", "R:b1", "R:b2", "end R");
        assertThat(turns("a1\na2\n", "", 4)).containsExactly("L:a1", "end R", "L:a2", "end L");
        assertThat(turns("", "", 4)).containsExactly("end L", "end R");
    }

    @Test
    void aTrailingBlankLineIsALineThatTakesATurn() throws Exception {
        assertThat(turns("a1\n\n", "b1\nb2\nb3\n", 1 << 16))
                .containsExactly("L:a1", "R:b1", "R:b2", "end L", "R:b3", "end R");
    }
}
