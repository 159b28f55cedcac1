package io.flinklite.runtime.json;

import io.flinklite.api.WindowResult;
import io.flinklite.runtime.join.JoinedPair;

import java.io.IOException;
import java.io.OutputStream;
import java.nio.charset.StandardCharsets;
import java.util.HashMap;

/**
 * Writes a join pair as the {@code replay} contract's JSON line:
 * {@code {"key":K,"left":<left object>,"right":<right object>}}, and for a window join's pair
 * {@code ,"windowStart":S,"windowEnd":E} before the closing brace. The two objects are the bytes as read, unchanged.
 *
 * <p>One instance per output, on the thread that writes it. It keeps the encodings of up to {@value #MAX_CACHED_KEYS}
 * keys, so the per-pair path encodes nothing but copies bytes (keys beyond that are encoded each time).
 */
public final class JoinPairJson {
    private static final byte[] KEY = "{\"key\":".getBytes(StandardCharsets.UTF_8);
    private static final byte[] LEFT = ",\"left\":".getBytes(StandardCharsets.UTF_8);
    private static final byte[] RIGHT = ",\"right\":".getBytes(StandardCharsets.UTF_8);

    private static final int MAX_CACHED_KEYS = 1 << 16;

    private final StringBuilder text = new StringBuilder(64);
    private final HashMap<String, byte[]> keyJson = new HashMap<>();
    private final Buffer record = new Buffer();

    /** Writes {@code pair}'s line and a newline to {@code out}. */
    public void writeLine(JoinedPair<byte[], byte[]> pair, OutputStream out) throws IOException {
        out.write(KEY);
        out.write(keyJson(pair.key()));
        out.write(LEFT);
        out.write(pair.left());
        out.write(RIGHT);
        out.write(pair.right());
        if (pair.isWindowed()) {
            text.setLength(0);
            text.append(",\"windowStart\":").append(pair.windowStartMs())
                    .append(",\"windowEnd\":").append(pair.windowEndMs());
            writeAscii(text, out);
        }
        out.write('}');
        out.write('\n');
    }

    /**
     * The pair's JSON object, without a newline, as a new array: a Kafka record's value (the record keeps it, so it
     * cannot be a reused buffer).
     */
    public byte[] toRecord(JoinedPair<byte[], byte[]> pair) {
        record.reset();
        try {
            writeLine(pair, record);
        } catch (IOException e) {
            throw new IllegalStateException(e); // a ByteArrayOutputStream does not fail
        }
        return java.util.Arrays.copyOf(record.buffer(), record.size() - 1);
    }

    /** A ByteArrayOutputStream whose buffer can be read without the copy toByteArray makes. */
    private static final class Buffer extends java.io.ByteArrayOutputStream {
        Buffer() {
            super(256);
        }

        byte[] buffer() {
            return buf;
        }
    }

    /** The line without its newline, for tests and logs. */
    public String toLine(JoinedPair<byte[], byte[]> pair) {
        java.io.ByteArrayOutputStream out = new java.io.ByteArrayOutputStream();
        try {
            writeLine(pair, out);
        } catch (IOException e) {
            throw new IllegalStateException(e); // a ByteArrayOutputStream does not fail
        }
        String line = out.toString(StandardCharsets.UTF_8);
        return line.substring(0, line.length() - 1);
    }

    private byte[] keyJson(String key) {
        byte[] json = keyJson.get(key);
        if (json == null) {
            text.setLength(0);
            WindowResult.appendJsonString(text, key);
            json = text.toString().getBytes(StandardCharsets.UTF_8);
            if (keyJson.size() < MAX_CACHED_KEYS) {
                keyJson.put(key, json);
            }
        }
        return json;
    }

    private static void writeAscii(CharSequence s, OutputStream out) throws IOException {
        for (int i = 0; i < s.length(); i++) {
            out.write(s.charAt(i));
        }
    }
}
