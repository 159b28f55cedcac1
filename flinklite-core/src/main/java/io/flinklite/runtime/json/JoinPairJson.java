package io.flinklite.runtime.json;

import io.flinklite.api.WindowResult;
import io.flinklite.runtime.join.JoinedPair;

import java.io.IOException;
import java.io.OutputStream;
import java.nio.charset.StandardCharsets;

/**
 * Writes a join pair as the {@code replay} contract's JSON line:
 * {@code {"key":K,"left":<left object>,"right":<right object>}}, and for a window join's pair
 * {@code ,"windowStart":S,"windowEnd":E} before the closing brace. The two objects are the bytes as read, unchanged.
 *
 * <p>One instance per output, on the thread that writes it; it remembers the last key's encoding, so a run of pairs
 * of one key (the usual case: a key's pairs come together) encodes the key once.
 */
public final class JoinPairJson {
    private static final byte[] KEY = "{\"key\":".getBytes(StandardCharsets.UTF_8);
    private static final byte[] LEFT = ",\"left\":".getBytes(StandardCharsets.UTF_8);
    private static final byte[] RIGHT = ",\"right\":".getBytes(StandardCharsets.UTF_8);

    private final StringBuilder text = new StringBuilder(64);
    private String lastKey;
    private byte[] lastKeyJson;

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
        if (key != lastKey) { // keys are interned by the decoder: identity finds the repeats
            text.setLength(0);
            WindowResult.appendJsonString(text, key);
            lastKeyJson = text.toString().getBytes(StandardCharsets.UTF_8);
            lastKey = key;
        }
        return lastKeyJson;
    }

    private static void writeAscii(CharSequence s, OutputStream out) throws IOException {
        for (int i = 0; i < s.length(); i++) {
            out.write(s.charAt(i));
        }
    }
}
