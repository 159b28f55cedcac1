package io.flinklite.source;

import org.junit.jupiter.api.Test;

import java.util.ArrayList;
import java.util.List;
import java.util.Map;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

/** The source index of the connector contract: a reader or listener of one source keeps working as source 0. */
class SourceContractTest {

    @Test
    void everyRecordNamesItsSourceAndTheUnindexedAddIsSourceZeroAlsoAcrossGrowth() {
        RecordBatch batch = new RecordBatch();
        byte[] payload = {'{', '}'};
        for (int i = 0; i < 1_000; i++) {
            if (i % 2 == 0) {
                batch.add(i % 3, i, payload);
            } else {
                batch.add(i % 5, i % 3, i, 7L, payload, 0, 2);
            }
        }
        assertThat(batch.size()).isEqualTo(1_000);
        for (int i = 0; i < 1_000; i++) {
            assertThat(batch.source(i)).isEqualTo(i % 2 == 0 ? 0 : i % 5);
            assertThat(batch.partition(i)).isEqualTo(i % 3);
            assertThat(batch.offset(i)).isEqualTo(i);
        }
        batch.clear();
        batch.add(2, 1, 9, RecordBatch.NO_TIMESTAMP, null, 0, 0);
        assertThat(batch.source(0)).isEqualTo(2);
        assertThat(batch.payload(0)).isNull();
    }

    /** A reader of one source, as every reader was before sources had an index. */
    private static final class OneSource implements SourceReader {
        Map<Integer, Long> restored;

        @Override
        public boolean poll(RecordBatch batch, PartitionListener listener, long timeoutMs) {
            return false;
        }

        @Override
        public void restorePositions(Map<Integer, Long> nextOffsets) {
            restored = nextOffsets;
        }

        @Override
        public int partitionCount() {
            return 3;
        }

        @Override
        public long reportedWatermark(int partition) {
            return 100 + partition;
        }

        @Override
        public String topicOf(int partition) {
            return "events";
        }

        @Override
        public long lag(int partition) {
            return 10 + partition;
        }

        @Override
        public void close() {
        }
    }

    @Test
    void theIndexedQuestionsOfAReaderOfOneSourceAnswerForSourceZeroAndKnowNoOther() {
        OneSource reader = new OneSource();
        assertThat(reader.sourceCount()).isEqualTo(1);
        assertThat(reader.partitionCount(0)).isEqualTo(3);
        assertThat(reader.partitionCount(1)).isEqualTo(-1);
        assertThat(reader.reportedWatermark(0, 2)).isEqualTo(102);
        assertThat(reader.reportedWatermark(1, 2)).isEqualTo(Long.MIN_VALUE);
        assertThat(reader.topicOf(0, 1)).isEqualTo("events");
        assertThat(reader.topicOf(1, 1)).isEmpty();
        assertThat(reader.lag(0, 1)).isEqualTo(11);
        assertThat(reader.lag(1, 1)).isEqualTo(-1);
        reader.restorePositions(0, Map.of(1, 5L));
        assertThat(reader.restored).containsExactly(Map.entry(1, 5L));
        assertThatThrownBy(() -> reader.restorePositions(1, Map.of(1, 5L)))
                .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("no source 1");
    }

    @Test
    void aListenerOfOneSourceTakesSourceZeroAndRefusesAnotherInOneLine() {
        List<String> events = new ArrayList<>();
        PartitionListener one = new PartitionListener() {
            @Override
            public void partitionAssigned(int partition) {
                events.add("+" + partition);
            }

            @Override
            public void partitionRevoked(int partition) {
                events.add("-" + partition);
            }
        };
        one.partitionAssigned(0, 4);
        one.partitionRevoked(0, 4);
        assertThat(events).containsExactly("+4", "-4");
        assertThatThrownBy(() -> one.partitionAssigned(1, 0))
                .isInstanceOf(IllegalStateException.class).hasMessageContaining("source 1");
        assertThatThrownBy(() -> one.partitionRevoked(2, 0))
                .isInstanceOf(IllegalStateException.class).hasMessageContaining("source 2");
    }

    @Test
    void aDeadLetterHandlerThatDoesNotTellSourcesApartGetsEveryDeadLetter() {
        List<String> got = new ArrayList<>();
        DeadLetterHandler handler = (partition, offset, payload, off, len, reason, detail) ->
                got.add(partition + "@" + offset + " " + reason.label());
        handler.deadLetter(1, 2, 3, null, 0, 0, InvalidReason.NULL_VALUE, "no value");
        assertThat(got).containsExactly("2@3 null_value");
    }
}
