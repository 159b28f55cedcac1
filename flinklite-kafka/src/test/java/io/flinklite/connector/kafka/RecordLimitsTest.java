package io.flinklite.connector.kafka;

import org.apache.kafka.common.header.Header;
import org.apache.kafka.common.header.internals.RecordHeader;
import org.apache.kafka.common.record.internal.AbstractRecords;
import org.apache.kafka.common.record.internal.CompressionType;
import org.apache.kafka.common.record.internal.DefaultRecord;
import org.apache.kafka.common.record.internal.DefaultRecordBatch;
import org.apache.kafka.common.record.internal.RecordBatch;
import org.junit.jupiter.api.Test;

import java.nio.charset.StandardCharsets;
import java.util.Map;
import java.util.Random;

import static org.assertj.core.api.Assertions.assertThat;

/** The record sizes FlinkLite computes are Kafka's own (its client's internal classes, test scope only). */
class RecordLimitsTest {

    @Test
    void sizesMatchKafkasRecordFormatForKeysValuesAndHeadersOfEveryLength() {
        Random random = new Random(7);
        for (int i = 0; i < 2_000; i++) {
            byte[] key = random.nextInt(5) == 0 ? null : new byte[random.nextInt(1 << random.nextInt(16))];
            byte[] value = random.nextInt(10) == 0 ? null : new byte[random.nextInt(1 << random.nextInt(21))];
            int n = random.nextInt(4);
            Header[] headers = new Header[n];
            int headerBytes = 0;
            for (int h = 0; h < n; h++) {
                String name = "flinklite.h" + h;
                byte[] v = random.nextInt(6) == 0 ? null : ("v" + random.nextInt(100_000)).getBytes(StandardCharsets.UTF_8);
                headers[h] = new RecordHeader(name, v);
                headerBytes += RecordLimits.headerSize(name, v);
            }
            int keyLength = key == null ? -1 : key.length;
            int valueLength = value == null ? -1 : value.length;
            int exact = DefaultRecordBatch.RECORD_BATCH_OVERHEAD
                    + DefaultRecord.sizeInBytes(0, 0L, keyLength,
                    valueLength, headers);
            int upperBound = AbstractRecords.estimateSizeInBytesUpperBound(RecordBatch.CURRENT_MAGIC_VALUE,
                    CompressionType.NONE, key, value, headers);
            // The topic limit is checked with the exact size, the producer's with its own upper bound.
            RecordLimits atExact = new RecordLimits(Integer.MAX_VALUE, Long.MAX_VALUE, false, Map.of("t", exact));
            RecordLimits belowExact = new RecordLimits(Integer.MAX_VALUE, Long.MAX_VALUE, false, Map.of("t", exact - 1));
            assertThat(atExact.tooLarge("t", keyLength, valueLength, headerBytes, n)).isNull();
            assertThat(belowExact.tooLarge("t", keyLength, valueLength, headerBytes, n)).contains("max.message.bytes of " + (exact - 1));
            RecordLimits atBound = new RecordLimits(upperBound, Long.MAX_VALUE, false, Map.of());
            RecordLimits belowBound = new RecordLimits(upperBound - 1, Long.MAX_VALUE, false, Map.of());
            assertThat(atBound.tooLarge("t", keyLength, valueLength, headerBytes, n)).isNull();
            assertThat(belowBound.tooLarge("t", keyLength, valueLength, headerBytes, n))
                    .isEqualTo(upperBound + " bytes, over the producer's max.request.size of " + (upperBound - 1));
        }
    }

    @Test
    void compressedOutputChecksOnlyTheProducersLimit() {
        RecordLimits compressed = new RecordLimits(1 << 20, 32L << 20, true, Map.of("t", 100));
        assertThat(compressed.tooLarge("t", 1, 1_000, 0, 0)).isNull();
        assertThat(compressed.tooLarge("t", 1, 2 << 20, 0, 0)).contains("max.request.size");
    }
}
