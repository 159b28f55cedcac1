package io.flinklite.runtime.json;

import com.fasterxml.jackson.core.JsonEncoding;
import com.fasterxml.jackson.core.JsonFactory;
import com.fasterxml.jackson.core.JsonGenerator;
import com.fasterxml.jackson.core.JsonParser;
import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.core.JsonToken;
import io.flinklite.api.WindowResult;
import io.flinklite.runtime.graph.ResultEncoder;
import io.flinklite.job.Timestamps;
import io.flinklite.runtime.checkpoint.Checkpoint;
import io.flinklite.runtime.checkpoint.EncodedResult;
import io.flinklite.runtime.checkpoint.CorruptCheckpointException;
import io.flinklite.runtime.checkpoint.Delivery;
import io.flinklite.runtime.checkpoint.SourcePosition;
import io.flinklite.runtime.checkpoint.StateTape;

import java.io.IOException;
import java.io.OutputStream;
import java.nio.ByteBuffer;
import java.nio.channels.Channels;
import java.nio.channels.FileChannel;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.Set;
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
 *   "time" : "2023-11-14T22:13:20.000Z",          (for people, see Timestamps; ignored when reading)
 *   "jobFingerprint" : "window=sliding:10s:5s;...",
 *   "delivery" : "at-least-once",
 *   "watermarkMs" : 1699999994999,
 *   "sources" : [ {"topic":"flink-events","partition":0,"nextOffset":1234,"watermarkMs":1699999994999,
 *                  "topicId":"x3dTfXqBQ6yYkN0SgZbnNw"}, ... ],   (topicId: optional, absent in older files)
 *   "pendingResults" : [ {"key":"critical","windowStart":...,"windowEnd":...,"count":42}, ... ],
 *   "pendingRecords" : [ {"key":"o-1","value":"{\"key\":\"o-1\",\"left\":...}"}, ... ],  (optional: only when
 *                  an exactly-once job has pending results that are not window results, e.g. a join's pairs)
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
    /** How much of a file's end is searched for the checksum field (the writer puts it in the last 50 bytes). */
    private static final int TAIL_BYTES = 4_096;

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
        g.writeStringField("time", Timestamps.format(checkpoint.timeMs()));
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
        if (!checkpoint.pendingRecords().isEmpty()) {
            // Only when there are some: the files of window jobs keep exactly the layout older builds read.
            g.writeArrayFieldStart("pendingRecords");
            for (EncodedResult r : checkpoint.pendingRecords()) {
                g.writeStartObject();
                if (r.key() != null) {
                    g.writeStringField("key", r.key());
                }
                g.writeStringField("value", r.value());
                g.writeEndObject();
            }
            g.writeEndArray();
        }
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
     *                                    field, an impossible header value, or a format version this build does not read
     */
    public static Checkpoint read(byte[] file) throws CorruptCheckpointException {
        int comma = checksummedLength(file, 0, file.length, file.length);
        CRC32C crc = new CRC32C();
        crc.update(file, 0, comma);
        compare(storedChecksum(file, comma, file.length), crc.getValue());
        try (JsonParser p = FACTORY.createParser(file)) {
            return parse(p);
        } catch (CorruptCheckpointException e) {
            throw e;
        } catch (IOException | RuntimeException e) {
            throw new CorruptCheckpointException("not a valid checkpoint: " + e.getMessage(), e);
        }
    }

    /**
     * Verifies and decodes the checkpoint file open on {@code channel}, streaming: the checksum is computed in 64 KiB
     * reads and the JSON parsed from the channel, so memory use is that of the decoded checkpoint, never of the file.
     * The caller has checked that the channel is a regular file (a FIFO would block) of a size it accepts.
     *
     * @throws CorruptCheckpointException as {@link #read(byte[])}
     * @throws IOException                when the file cannot be read
     */
    public static Checkpoint read(FileChannel channel) throws IOException {
        long size = channel.size();
        // The checksum field is the file's last; its tail is all that has to be searched for it.
        int tailLength = (int) Math.min(size, TAIL_BYTES);
        byte[] tail = new byte[tailLength];
        readFully(channel, ByteBuffer.wrap(tail), size - tailLength);
        int commaInTail = checksummedLength(tail, 0, tailLength, size);
        long comma = size - tailLength + commaInTail;
        String stored = storedChecksum(tail, commaInTail, tailLength);
        CRC32C crc = new CRC32C();
        ByteBuffer buffer = ByteBuffer.allocate(1 << 16);
        for (long position = 0; position < comma; ) {
            buffer.clear().limit((int) Math.min(buffer.capacity(), comma - position));
            int n = channel.read(buffer, position);
            if (n < 0) {
                throw new CorruptCheckpointException("the file shrank while it was read");
            }
            buffer.flip();
            crc.update(buffer);
            position += n;
        }
        compare(stored, crc.getValue());
        channel.position(0);
        try (JsonParser p = FACTORY.createParser(Channels.newInputStream(channel))) {
            return parse(p);
        } catch (CorruptCheckpointException e) {
            throw e;
        } catch (JsonProcessingException | RuntimeException e) {
            throw new CorruptCheckpointException("not a valid checkpoint: " + e.getMessage(), e);
        }
    }

    private static void readFully(FileChannel channel, ByteBuffer into, long position) throws IOException {
        while (into.hasRemaining()) {
            int n = channel.read(into, position);
            if (n < 0) {
                throw new CorruptCheckpointException("the file shrank while it was read");
            }
            position += n;
        }
    }

    /**
     * Finds the checksum field in {@code bytes[from, to)} (the whole file, or its tail) and returns the index of the
     * comma before it: the checksum covers every byte of the file before that comma.
     *
     * @param fileSize for the message only
     */
    private static int checksummedLength(byte[] bytes, int from, int to, long fileSize) throws CorruptCheckpointException {
        int key = lastIndexOf(bytes, to, CHECKSUM_KEY);
        if (key < from) {
            throw new CorruptCheckpointException("no checksum (" + fileSize + " bytes): the file is truncated or not a checkpoint");
        }
        int comma = key - 1;
        while (comma >= from && isJsonWhitespace(bytes[comma])) {
            comma--;
        }
        if (comma < from || bytes[comma] != ',') {
            throw new CorruptCheckpointException("malformed checksum field: the file is not a checkpoint");
        }
        return comma;
    }

    private static String storedChecksum(byte[] bytes, int comma, int to) throws CorruptCheckpointException {
        int key = comma + 1;
        while (isJsonWhitespace(bytes[key])) {
            key++;
        }
        int valueStart = indexOf(bytes, to, (byte) '"', key + CHECKSUM_KEY.length);
        int valueEnd = valueStart < 0 ? -1 : indexOf(bytes, to, (byte) '"', valueStart + 1);
        if (valueEnd < 0) {
            throw new CorruptCheckpointException("truncated inside the checksum field");
        }
        return new String(bytes, valueStart + 1, valueEnd - valueStart - 1, StandardCharsets.US_ASCII);
    }

    private static void compare(String stored, long crc) throws CorruptCheckpointException {
        String actual = CHECKSUM_PREFIX + String.format(Locale.ROOT, "%08x", crc);
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
        List<EncodedResult> pendingRecords = List.of();
        StateTape state = null;
        while (p.nextToken() == JsonToken.FIELD_NAME) {
            String name = p.currentName();
            p.nextToken();
            switch (name) {
                case "formatVersion":
                    long v = longValue(p, name);
                    if (v > Checkpoint.FORMAT_VERSION) {
                        throw new CorruptCheckpointException("format version " + v + " is newer than this build reads ("
                                + Checkpoint.FORMAT_VERSION + "): upgrade FlinkLite or start fresh");
                    }
                    if (v < 1) {
                        throw new CorruptCheckpointException("format version " + v + " is impossible (versions start at 1)");
                    }
                    version = (int) v;
                    break;
                case "checkpointId": id = longValue(p, name); break;
                case "previousCheckpointId": previousId = longValue(p, name); break;
                case "timeMs": timeMs = longValue(p, name); break;
                case "jobFingerprint": fingerprint = textValue(p, name); break;
                case "delivery": delivery = textValue(p, name); break;
                case "watermarkMs": watermarkMs = longValue(p, name); break;
                case "sources": sources = readSources(p); break;
                case "pendingResults": pending = readResults(p); break;
                case "pendingRecords": pendingRecords = readRecords(p); break;
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
        if (id <= 0 || id > Checkpoint.MAX_ID) {
            throw new CorruptCheckpointException("checkpoint id " + id + " is impossible (ids run from 1 to " + Checkpoint.MAX_ID + ")");
        }
        if (previousId < 0 || previousId >= id) {
            throw new CorruptCheckpointException("previous checkpoint id " + previousId + " is impossible for checkpoint " + id
                    + " (it must be in [0, " + id + "))");
        }
        if (timeMs < 0) {
            throw new CorruptCheckpointException("time " + timeMs + " ms is impossible (before 1970)");
        }
        if (fingerprint.isEmpty()) {
            throw new CorruptCheckpointException("empty \"jobFingerprint\"");
        }
        if (Delivery.ofLabel(delivery) == null) {
            throw new CorruptCheckpointException("unknown delivery \"" + delivery + "\"");
        }
        Set<String> seen = new HashSet<>();
        for (SourcePosition s : sources) {
            if (!seen.add(s.topicPartition())) {
                throw new CorruptCheckpointException("partition " + s.topicPartition() + " appears twice in \"sources\"");
            }
        }
        return new Checkpoint(id, previousId, timeMs, fingerprint, delivery, sources, watermarkMs, state, pending,
                pendingRecords);
    }

    /** The current token as a 64-bit integer; anything else (a string, a fraction, a bigger number) is refused. */
    private static long longValue(JsonParser p, String field) throws IOException {
        if (p.currentToken() != JsonToken.VALUE_NUMBER_INT || p.getNumberType() == JsonParser.NumberType.BIG_INTEGER) {
            throw new CorruptCheckpointException("field \"" + field + "\" must be a 64-bit integer, found " + p.getText());
        }
        return p.getLongValue();
    }

    private static String textValue(JsonParser p, String field) throws IOException {
        if (p.currentToken() != JsonToken.VALUE_STRING) {
            throw new CorruptCheckpointException("field \"" + field + "\" must be a string, found " + p.getText());
        }
        return p.getText();
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
                    case "topic": topic = textValue(p, "sources[].topic"); break;
                    case "partition": partition = (int) Math.max(-1, Math.min(Integer.MAX_VALUE, longValue(p, "sources[].partition"))); break;
                    case "nextOffset": offset = longValue(p, "sources[].nextOffset"); break;
                    case "watermarkMs": watermark = longValue(p, "sources[].watermarkMs"); break;
                    case "topicId": topicId = p.currentToken() == JsonToken.VALUE_NULL ? null : textValue(p, "sources[].topicId"); break;
                    default: p.skipChildren(); break; // a field added by a later revision
                }
            }
            requirePresent(topic, "sources[].topic");
            if (topic.isEmpty() || partition < 0 || offset < 0) {
                throw new CorruptCheckpointException("impossible source position: topic '" + topic + "', partition "
                        + partition + ", next offset " + offset);
            }
            out.add(new SourcePosition(topic, partition, offset, watermark, topicId));
        }
        return out;
    }

    /**
     * A pending result as the output will get it ({@link ResultEncoder#WINDOW_RESULTS}), so that the transaction after a
     * restore writes the same bytes. A non-finite value is {@code null} there (as in every output); checkpoints written
     * before used the strings "NaN"/"Infinity", which readResults still accepts.
     */
    private static void writeResult(JsonGenerator g, WindowResult r) throws IOException {
        StringBuilder json = new StringBuilder(96);
        ResultEncoder.WINDOW_RESULTS.appendValue(r, json);
        g.writeRawValue(json.toString());
    }

    private static List<EncodedResult> readRecords(JsonParser p) throws IOException {
        expect(p, JsonToken.START_ARRAY, "pendingRecords");
        List<EncodedResult> out = new ArrayList<>();
        while (p.nextToken() == JsonToken.START_OBJECT) {
            String key = null;
            String value = null;
            while (p.nextToken() == JsonToken.FIELD_NAME) {
                String name = p.currentName();
                p.nextToken();
                switch (name) {
                    case "key": key = p.getValueAsString(); break;
                    case "value": value = p.getValueAsString(); break;
                    default: p.skipChildren(); break;
                }
            }
            requirePresent(value, "pendingRecords[].value");
            out.add(new EncodedResult(key, value));
        }
        return out;
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
                        value = p.currentToken() == JsonToken.VALUE_NULL ? Double.NaN
                                : p.currentToken() == JsonToken.VALUE_STRING ? Double.parseDouble(p.getText())
                                : p.getDoubleValue();
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

    private static int lastIndexOf(byte[] haystack, int to, byte[] needle) {
        outer:
        for (int i = to - needle.length; i >= 0; i--) {
            for (int j = 0; j < needle.length; j++) {
                if (haystack[i + j] != needle[j]) continue outer;
            }
            return i;
        }
        return -1;
    }

    private static int indexOf(byte[] haystack, int to, byte b, int from) {
        for (int i = from; i < to; i++) {
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
