package io.flinklite.runtime.json;

import com.fasterxml.jackson.core.JsonEncoding;
import com.fasterxml.jackson.core.JsonFactory;
import com.fasterxml.jackson.core.JsonGenerator;
import com.fasterxml.jackson.core.JsonParser;
import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.core.JsonToken;
import io.flinklite.api.WindowResult;
import io.flinklite.runtime.checkpoint.Checkpoint;
import io.flinklite.runtime.checkpoint.CorruptCheckpointException;
import io.flinklite.runtime.checkpoint.SourcePosition;
import io.flinklite.runtime.checkpoint.StateTape;

import java.io.IOException;
import java.io.OutputStream;
import java.nio.charset.StandardCharsets;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.zip.CRC32C;
import java.util.zip.CheckedOutputStream;

/**
 * The checkpoint file format: readable JSON, integrity-checked.
 *
 * <pre>
 * {
 *   "formatVersion" : 1,
 *   "checkpointId" : 42,
 *   "previousCheckpointId" : 41,                 (0: the run started without state)
 *   "timeMs" : 1700000000000,
 *   "time" : "2023-11-14T22:13:20Z",              (for people; ignored when reading)
 *   "jobFingerprint" : "window=sliding:10s:5s;...",
 *   "delivery" : "at-least-once",
 *   "watermarkMs" : 1699999994999,
 *   "sources" : [ {"topic":"flink-events","partition":0,"nextOffset":1234,"watermarkMs":1699999994999,
 *                  "topicId":"x3dTfXqBQ6yYkN0SgZbnNw"}, ... ],   (topicId: optional, absent in older files)
 *   "pendingResults" : [ {"key":"critical","windowStart":...,"windowEnd":...,"count":42}, ... ],
 *   "state" : { ...the operators' state tape... },
 *   "checksum" : "crc32c:1a2b3c4d"
 * }
 * </pre>
 *
 * <p>The checksum is the CRC-32C of every byte of the file before the comma that precedes {@code "checksum"}, so a
 * truncated file (which loses the checksum) or a changed byte is detected before anything is parsed. Stateless and
 * thread-safe; the writer thread encodes, any thread decodes.
 */
public final class CheckpointJson {

    private static final JsonFactory FACTORY = JsonFactory.builder().build();
    private static final String CHECKSUM_FIELD = "checksum";
    private static final String CHECKSUM_PREFIX = "crc32c:";
    private static final byte[] CHECKSUM_KEY = ("\"" + CHECKSUM_FIELD + "\"").getBytes(StandardCharsets.US_ASCII);

    private CheckpointJson() {
    }

    /**
     * Encodes {@code checkpoint} with its checksum onto {@code out}; does not close or sync {@code out}.
     *
     * @return the number of bytes written
     * @throws IllegalArgumentException when the state tape is not well-formed JSON
     */
    public static long write(Checkpoint checkpoint, OutputStream out) throws IOException {
        CRC32C crc = new CRC32C();
        CountingOutputStream counted = new CountingOutputStream(out);
        CheckedOutputStream checked = new CheckedOutputStream(counted, crc);
        JsonGenerator g = FACTORY.createGenerator(checked, JsonEncoding.UTF8);
        g.disable(JsonGenerator.Feature.AUTO_CLOSE_TARGET);
        // Indent the outline (header fields, sources, results, state sections, key groups: one per line) but keep each
        // key group on its line: a million panes one token per line would be unreadable and several times larger.
        g.setPrettyPrinter(new OutlinePrettyPrinter(3, 2, 4));
        g.writeStartObject();
        g.writeNumberField("formatVersion", Checkpoint.FORMAT_VERSION);
        g.writeNumberField("checkpointId", checkpoint.id());
        g.writeNumberField("previousCheckpointId", checkpoint.previousId());
        g.writeNumberField("timeMs", checkpoint.timeMs());
        g.writeStringField("time", Instant.ofEpochMilli(checkpoint.timeMs()).toString());
        g.writeStringField("jobFingerprint", checkpoint.jobFingerprint());
        g.writeStringField("delivery", checkpoint.delivery());
        g.writeNumberField("watermarkMs", checkpoint.watermarkMs());
        g.writeArrayFieldStart("sources");
        for (SourcePosition p : checkpoint.sources()) {
            g.writeStartObject();
            g.writeStringField("topic", p.topic());
            g.writeNumberField("partition", p.partition());
            g.writeNumberField("nextOffset", p.nextOffset());
            g.writeNumberField("watermarkMs", p.watermarkMs());
            if (p.topicId() != null) {
                // Optional: files without it (older builds) still read; older builds skip it.
                g.writeStringField("topicId", p.topicId());
            }
            g.writeEndObject();
        }
        g.writeEndArray();
        g.writeArrayFieldStart("pendingResults");
        for (WindowResult r : checkpoint.pendingResults()) {
            writeResult(g, r);
        }
        g.writeEndArray();
        g.writeFieldName("state");
        try {
            writeTape(checkpoint.state(), g);
        } catch (JsonProcessingException e) {
            throw new IllegalArgumentException("operator state is not well-formed: " + e.getOriginalMessage(), e);
        }
        g.flush();
        long checksum = crc.getValue();
        g.writeStringField(CHECKSUM_FIELD, CHECKSUM_PREFIX + String.format(Locale.ROOT, "%08x", checksum));
        g.writeEndObject();
        g.writeRaw('\n');
        g.close();
        return counted.count;
    }

    /**
     * Verifies the checksum of a whole checkpoint file and decodes it.
     *
     * @throws CorruptCheckpointException naming what is wrong: truncated, checksum mismatch, not JSON, a missing
     *                                    field, or a format version newer than this build reads
     */
    public static Checkpoint read(byte[] file) throws CorruptCheckpointException {
        verifyChecksum(file);
        try (JsonParser p = FACTORY.createParser(file)) {
            return parse(p);
        } catch (CorruptCheckpointException e) {
            throw e;
        } catch (IOException | RuntimeException e) {
            throw new CorruptCheckpointException("not a valid checkpoint: " + e.getMessage(), e);
        }
    }

    private static void verifyChecksum(byte[] file) throws CorruptCheckpointException {
        int key = lastIndexOf(file, CHECKSUM_KEY);
        if (key < 0) {
            throw new CorruptCheckpointException("no checksum (" + file.length + " bytes): the file is truncated or not a checkpoint");
        }
        int comma = key - 1;
        while (comma >= 0 && isJsonWhitespace(file[comma])) {
            comma--;
        }
        if (comma < 0 || file[comma] != ',') {
            throw new CorruptCheckpointException("malformed checksum field: the file is not a checkpoint");
        }
        int valueStart = indexOf(file, (byte) '"', key + CHECKSUM_KEY.length);
        int valueEnd = valueStart < 0 ? -1 : indexOf(file, (byte) '"', valueStart + 1);
        if (valueEnd < 0) {
            throw new CorruptCheckpointException("truncated inside the checksum field");
        }
        String stored = new String(file, valueStart + 1, valueEnd - valueStart - 1, StandardCharsets.US_ASCII);
        CRC32C crc = new CRC32C();
        crc.update(file, 0, comma);
        String actual = CHECKSUM_PREFIX + String.format(Locale.ROOT, "%08x", crc.getValue());
        if (!actual.equals(stored)) {
            throw new CorruptCheckpointException("checksum mismatch: file says " + stored + ", content is " + actual
                    + " (the file was changed or damaged after it was written)");
        }
    }

    private static Checkpoint parse(JsonParser p) throws IOException {
        if (p.nextToken() != JsonToken.START_OBJECT) {
            throw new CorruptCheckpointException("not a JSON object");
        }
        Integer version = null;
        Long id = null;
        long previousId = 0;
        Long timeMs = null;
        String fingerprint = null;
        String delivery = "at-least-once";
        long watermarkMs = Long.MIN_VALUE;
        List<SourcePosition> sources = null;
        List<WindowResult> pending = List.of();
        StateTape state = null;
        while (p.nextToken() == JsonToken.FIELD_NAME) {
            String name = p.currentName();
            p.nextToken();
            switch (name) {
                case "formatVersion":
                    version = p.getIntValue();
                    if (version > Checkpoint.FORMAT_VERSION) {
                        throw new CorruptCheckpointException("format version " + version + " is newer than this build reads ("
                                + Checkpoint.FORMAT_VERSION + "): upgrade FlinkLite or start fresh");
                    }
                    break;
                case "checkpointId": id = p.getLongValue(); break;
                case "previousCheckpointId": previousId = p.getLongValue(); break;
                case "timeMs": timeMs = p.getLongValue(); break;
                case "jobFingerprint": fingerprint = p.getValueAsString(); break;
                case "delivery": delivery = p.getValueAsString(); break;
                case "watermarkMs": watermarkMs = p.getLongValue(); break;
                case "sources": sources = readSources(p); break;
                case "pendingResults": pending = readResults(p); break;
                case "state": state = readTape(p); break;
                default: p.skipChildren(); break; // "time", "checksum", and fields of later minor revisions
            }
        }
        requirePresent(version, "formatVersion");
        requirePresent(id, "checkpointId");
        requirePresent(timeMs, "timeMs");
        requirePresent(fingerprint, "jobFingerprint");
        requirePresent(sources, "sources");
        requirePresent(state, "state");
        return new Checkpoint(id, previousId, timeMs, fingerprint, delivery, sources, watermarkMs, state, pending);
    }

    private static void requirePresent(Object value, String field) throws CorruptCheckpointException {
        if (value == null) {
            throw new CorruptCheckpointException("missing field \"" + field + "\"");
        }
    }

    private static List<SourcePosition> readSources(JsonParser p) throws IOException {
        expect(p, JsonToken.START_ARRAY, "sources");
        List<SourcePosition> out = new ArrayList<>();
        while (p.nextToken() == JsonToken.START_OBJECT) {
            String topic = null;
            int partition = -1;
            long offset = -1;
            long watermark = Long.MIN_VALUE;
            String topicId = null;
            while (p.nextToken() == JsonToken.FIELD_NAME) {
                String name = p.currentName();
                p.nextToken();
                switch (name) {
                    case "topic": topic = p.getValueAsString(); break;
                    case "partition": partition = p.getIntValue(); break;
                    case "nextOffset": offset = p.getLongValue(); break;
                    case "watermarkMs": watermark = p.getLongValue(); break;
                    case "topicId": topicId = p.getValueAsString(); break;
                    default: p.skipChildren(); break;
                }
            }
            requirePresent(topic, "sources[].topic");
            out.add(new SourcePosition(topic, partition, offset, watermark, topicId));
        }
        return out;
    }

    private static void writeResult(JsonGenerator g, WindowResult r) throws IOException {
        g.writeStartObject();
        g.writeStringField("key", r.key());
        g.writeNumberField("windowStart", r.windowStart());
        g.writeNumberField("windowEnd", r.windowEnd());
        g.writeNumberField("count", r.count());
        if (r.hasValue()) {
            // Non-finite values come out as the strings "NaN"/"Infinity", which readResults maps back.
            g.writeNumberField("value", r.value());
        }
        g.writeEndObject();
    }

    private static List<WindowResult> readResults(JsonParser p) throws IOException {
        expect(p, JsonToken.START_ARRAY, "pendingResults");
        List<WindowResult> out = new ArrayList<>();
        while (p.nextToken() == JsonToken.START_OBJECT) {
            String key = null;
            long start = 0;
            long end = 0;
            long count = 0;
            boolean hasValue = false;
            double value = Double.NaN;
            while (p.nextToken() == JsonToken.FIELD_NAME) {
                String name = p.currentName();
                p.nextToken();
                switch (name) {
                    case "key": key = p.getValueAsString(); break;
                    case "windowStart": start = p.getLongValue(); break;
                    case "windowEnd": end = p.getLongValue(); break;
                    case "count": count = p.getLongValue(); break;
                    case "value":
                        hasValue = true;
                        value = p.currentToken() == JsonToken.VALUE_STRING ? Double.parseDouble(p.getText()) : p.getDoubleValue();
                        break;
                    default: p.skipChildren(); break;
                }
            }
            requirePresent(key, "pendingResults[].key");
            out.add(hasValue ? WindowResult.ofValue(key, start, end, count, value) : WindowResult.ofCount(key, start, end, count));
        }
        return out;
    }

    /** Writes a state tape as JSON; the tape must hold exactly one value. Also used by tests and tools. */
    public static void writeTape(StateTape tape, JsonGenerator g) throws IOException {
        StateTape.Reader r = tape.reader();
        for (int t = r.next(); t != StateTape.END; t = r.next()) {
            switch (t) {
                case StateTape.START_OBJECT: g.writeStartObject(); break;
                case StateTape.END_OBJECT: g.writeEndObject(); break;
                case StateTape.START_ARRAY: g.writeStartArray(); break;
                case StateTape.END_ARRAY: g.writeEndArray(); break;
                case StateTape.FIELD_NAME: g.writeFieldName(r.text()); break;
                case StateTape.LONG: g.writeNumber(r.longValue()); break;
                case StateTape.DOUBLE: g.writeNumber(r.doubleValue()); break;
                case StateTape.STRING: g.writeString(r.text()); break;
                case StateTape.TRUE: g.writeBoolean(true); break;
                case StateTape.FALSE: g.writeBoolean(false); break;
                case StateTape.NULL: g.writeNull(); break;
                default: throw new IllegalStateException("unknown state token " + t);
            }
        }
    }

    /** Reads the JSON value at the parser's current token into a tape. */
    private static StateTape readTape(JsonParser p) throws IOException {
        StateTape.Writer w = new StateTape.Writer(1024);
        int depth = 0;
        do {
            JsonToken t = p.currentToken();
            switch (t) {
                case START_OBJECT: w.startObject(); depth++; break;
                case END_OBJECT: w.endObject(); depth--; break;
                case START_ARRAY: w.startArray(); depth++; break;
                case END_ARRAY: w.endArray(); depth--; break;
                case FIELD_NAME: w.field(p.currentName()); break;
                case VALUE_NUMBER_INT:
                    if (p.getNumberType() == JsonParser.NumberType.BIG_INTEGER) {
                        throw new CorruptCheckpointException("state holds an integer beyond 64 bits: " + p.getText());
                    }
                    w.value(p.getLongValue());
                    break;
                case VALUE_NUMBER_FLOAT: w.value(p.getDoubleValue()); break;
                case VALUE_STRING: w.value(p.getText()); break;
                case VALUE_TRUE: w.value(true); break;
                case VALUE_FALSE: w.value(false); break;
                case VALUE_NULL: w.nullValue(); break;
                default: throw new CorruptCheckpointException("unexpected " + t + " in state");
            }
        } while (depth > 0 && p.nextToken() != null);
        if (depth != 0) {
            throw new CorruptCheckpointException("state ends early");
        }
        return w.finish();
    }

    private static void expect(JsonParser p, JsonToken expected, String field) throws CorruptCheckpointException {
        if (p.currentToken() != expected) {
            throw new CorruptCheckpointException("field \"" + field + "\": expected " + expected + ", found " + p.currentToken());
        }
    }

    private static boolean isJsonWhitespace(byte b) {
        return b == ' ' || b == '\n' || b == '\r' || b == '\t';
    }

    private static int lastIndexOf(byte[] haystack, byte[] needle) {
        outer:
        for (int i = haystack.length - needle.length; i >= 0; i--) {
            for (int j = 0; j < needle.length; j++) {
                if (haystack[i + j] != needle[j]) continue outer;
            }
            return i;
        }
        return -1;
    }

    private static int indexOf(byte[] haystack, byte b, int from) {
        for (int i = from; i < haystack.length; i++) {
            if (haystack[i] == b) return i;
        }
        return -1;
    }

    /** Counts bytes passing through, so the store can report the checkpoint's size without a stat call. */
    private static final class CountingOutputStream extends OutputStream {
        private final OutputStream out;
        long count;

        CountingOutputStream(OutputStream out) {
            this.out = out;
        }

        @Override
        public void write(int b) throws IOException {
            out.write(b);
            count++;
        }

        @Override
        public void write(byte[] b, int off, int len) throws IOException {
            out.write(b, off, len);
            count += len;
        }

        @Override
        public void flush() throws IOException {
            out.flush();
        }
    }
}
