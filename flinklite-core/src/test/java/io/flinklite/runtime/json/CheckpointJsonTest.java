package io.flinklite.runtime.json;

import io.flinklite.api.WindowResult;
import io.flinklite.job.JobSpec;
import io.flinklite.runtime.checkpoint.Checkpoint;
import io.flinklite.runtime.checkpoint.Checkpoints;
import io.flinklite.runtime.checkpoint.CorruptCheckpointException;
import io.flinklite.runtime.checkpoint.StateTape;
import org.junit.jupiter.api.Test;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.util.Arrays;
import java.util.List;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

class CheckpointJsonTest {

    private static byte[] encode(Checkpoint c) throws IOException {
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        long n = CheckpointJson.write(c, out);
        assertThat(n).isEqualTo(out.size());
        return out.toByteArray();
    }

    @Test
    void roundTripsEveryField() throws IOException {
        Checkpoint c = Checkpoints.sample(42);
        assertThat(CheckpointJson.read(encode(c))).isEqualTo(c);
    }

    @Test
    void roundTripsPendingRecordsAndLeavesThemOutWhenThereAreNone() throws IOException {
        Checkpoint c = Checkpoints.sample(7);
        Checkpoint withRecords = new Checkpoint(c.id(), c.previousId(), c.timeMs(), c.jobFingerprint(), "exactly-once",
                c.sources(), c.watermarkMs(), c.state(), c.pendingResults(), List.of(
                        new io.flinklite.runtime.checkpoint.EncodedResult("o-1", "{\"key\":\"o-1\",\"left\":{\"a\":\"\u00e9\"}}"),
                        new io.flinklite.runtime.checkpoint.EncodedResult(null, "plain text, no key")));
        byte[] file = encode(withRecords);
        Checkpoint back = CheckpointJson.read(file);
        assertThat(back).isEqualTo(withRecords);
        assertThat(back.pendingRecords()).isEqualTo(withRecords.pendingRecords());
        assertThat(back.pendingCount()).isEqualTo(c.pendingResults().size() + 2);
        assertThat(new String(encode(c), java.nio.charset.StandardCharsets.UTF_8)).doesNotContain("pendingRecords");
    }

    @Test
    void roundTripsNonFiniteDoublesAndValueResults() throws IOException {
        StateTape state = new StateTape.Writer().startObject()
                .field("min", Double.POSITIVE_INFINITY).field("max", Double.NEGATIVE_INFINITY).field("avg", Double.NaN)
                .field("sum", 0.1 + 0.2).endObject().finish();
        Checkpoint c = new Checkpoint(1, 0, 5, JobSpec.defaults().fingerprint(), "exactly-once", List.of(), Long.MIN_VALUE,
                state, List.of(WindowResult.ofValue("k", 0, 10, 2, Double.NaN), WindowResult.ofValue("k", 5, 15, 2, 1.5)));
        Checkpoint back = CheckpointJson.read(encode(c));
        assertThat(back.pendingResults()).isEqualTo(c.pendingResults());
        StateTape.Reader r = back.state().reader();
        r.expect(StateTape.START_OBJECT);
        r.readField("min");
        assertThat(r.doubleValue()).isEqualTo(Double.POSITIVE_INFINITY);
        r.readField("max");
        assertThat(r.doubleValue()).isEqualTo(Double.NEGATIVE_INFINITY);
        r.readField("avg");
        assertThat(r.doubleValue()).isNaN();
        r.readField("sum");
        assertThat(r.doubleValue()).isEqualTo(0.1 + 0.2);
    }

    @Test
    void isReadableJsonWithOneEntryPerLine() throws IOException {
        String text = new String(encode(Checkpoints.sample(42)), StandardCharsets.UTF_8);
        assertThat(text).contains("\n  \"checkpointId\": 42,\n")
                .contains("\n    {\"topic\":\"flink-events\",\"partition\":0,\"nextOffset\":4200,\"watermarkMs\":1699999990000}")
                .contains("\"time\": \"2023-11-14T22:13:20.042Z\"")
                .containsPattern("\n  \"checksum\": \"crc32c:[0-9a-f]{8}\"\n}\n$");
    }

    @Test
    void detectsATruncatedFileAtEveryLength() throws IOException {
        byte[] file = encode(Checkpoints.sample(42));
        // Every cut that loses anything but the trailing newline must be refused, never half-read.
        for (int length = 0; length < file.length - 1; length++) {
            byte[] cut = Arrays.copyOf(file, length);
            assertThatThrownBy(() -> CheckpointJson.read(cut)).isInstanceOf(CorruptCheckpointException.class);
        }
    }

    @Test
    void detectsAChangedByte() throws IOException {
        byte[] file = encode(Checkpoints.sample(42));
        String text = new String(file, StandardCharsets.UTF_8);
        byte[] changed = text.replace("\"nextOffset\":4200", "\"nextOffset\":4300").getBytes(StandardCharsets.UTF_8);
        assertThatThrownBy(() -> CheckpointJson.read(changed))
                .isInstanceOf(CorruptCheckpointException.class)
                .hasMessageContaining("checksum mismatch");
    }

    @Test
    void refusesANewerFormatVersion() throws IOException {
        String text = new String(encode(Checkpoints.sample(1)), StandardCharsets.UTF_8)
                .replace("\"formatVersion\": 1,", "\"formatVersion\": 99,");
        // Re-seal the edited file so that the version check, not the checksum, is what refuses it.
        byte[] resealed = reseal(text);
        assertThatThrownBy(() -> CheckpointJson.read(resealed))
                .isInstanceOf(CorruptCheckpointException.class)
                .hasMessageContaining("format version 99 is newer");
    }

    @Test
    void refusesAMissingField() {
        byte[] resealed = reseal("{\"formatVersion\": 1, \"checkpointId\": 3, \"checksum\": \"x\"}");
        assertThatThrownBy(() -> CheckpointJson.read(resealed)).hasMessageContaining("missing field \"timeMs\"");
    }

    /** Replaces the checksum of an edited file with the right one. */
    private static byte[] reseal(String text) {
        int key = text.lastIndexOf("\"checksum\"");
        int comma = text.lastIndexOf(',', key);
        byte[] head = text.substring(0, comma).getBytes(StandardCharsets.UTF_8);
        java.util.zip.CRC32C crc = new java.util.zip.CRC32C();
        crc.update(head);
        return (text.substring(0, comma) + ", \"checksum\": \"crc32c:" + String.format("%08x", crc.getValue()) + "\"}")
                .getBytes(StandardCharsets.UTF_8);
    }
    @Test
    void recordsEachSourcesTopicIdAndReadsFilesWithoutOne() throws IOException {
        Checkpoint c = Checkpoints.sample(42);
        List<io.flinklite.runtime.checkpoint.SourcePosition> withIds = new java.util.ArrayList<>();
        for (io.flinklite.runtime.checkpoint.SourcePosition p : c.sources()) {
            withIds.add(new io.flinklite.runtime.checkpoint.SourcePosition(p.topic(), p.partition(), p.nextOffset(),
                    p.watermarkMs(), "x3dTfXqBQ6yYkN0SgZbnNw"));
        }
        Checkpoint identified = new Checkpoint(c.id(), c.previousId(), c.timeMs(), c.jobFingerprint(), c.delivery(), withIds,
                c.watermarkMs(), c.state(), c.pendingResults());
        byte[] file = encode(identified);
        assertThat(new String(file, StandardCharsets.UTF_8)).contains("\"topicId\":\"x3dTfXqBQ6yYkN0SgZbnNw\"");
        assertThat(CheckpointJson.read(file)).isEqualTo(identified);
        // A file of an older build has no topic id: it reads, with none.
        assertThat(CheckpointJson.read(encode(c)).sources()).isNotEmpty().allSatisfy(p -> assertThat(p.topicId()).isNull());
        assertThat(new String(encode(c), StandardCharsets.UTF_8)).doesNotContain("topicId");
    }
}
