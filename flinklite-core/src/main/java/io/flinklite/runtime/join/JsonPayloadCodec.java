package io.flinklite.runtime.join;

import io.flinklite.api.Event;
import io.flinklite.runtime.state.StateFormatException;
import io.flinklite.runtime.state.StateReader;
import io.flinklite.runtime.state.StateWriter;

import java.nio.ByteBuffer;
import java.nio.charset.CharacterCodingException;
import java.nio.charset.CharsetDecoder;
import java.nio.charset.CodingErrorAction;
import java.nio.charset.StandardCharsets;
import java.util.Base64;

/**
 * Keeps a decoded {@link Event} as its JSON object exactly as read: the payload bytes without the whitespace around
 * the object, one {@code byte[]} per element (16 bytes of array header plus the bytes, rounded up to 8). That is all
 * a join line needs ({@code {"key":K,"left":<object>,"right":<object>}}); the timestamp is kept beside it by the
 * operator.
 *
 * <p>In a snapshot an element is the field {@code "json"}: the object as text when its bytes are valid UTF-8 (the
 * usual case: the checkpoint stays readable), else {@code "base64:"} and the bytes in base64, so that no byte is ever
 * changed. The two cannot be confused: a JSON object's text starts with <code>{</code>.
 */
public final class JsonPayloadCodec implements ElementCodec<Event, byte[]> {

    /** One instance serves every operator: it keeps no state. */
    public static final JsonPayloadCodec INSTANCE = new JsonPayloadCodec();

    private static final String BASE64_PREFIX = "base64:";

    private JsonPayloadCodec() {
    }

    @Override
    public byte[] retain(Event event) {
        byte[] payload = event.payload();
        if (payload == null) {
            throw new IllegalArgumentException("an event without payload bytes cannot be joined: " + event);
        }
        int from = event.payloadOffset();
        int to = from + event.payloadLength();
        while (from < to && isJsonWhitespace(payload[from])) {
            from++;
        }
        while (to > from && isJsonWhitespace(payload[to - 1])) {
            to--;
        }
        byte[] copy = new byte[to - from];
        System.arraycopy(payload, from, copy, 0, copy.length);
        return copy;
    }

    private static boolean isJsonWhitespace(byte b) {
        return b == ' ' || b == '\t' || b == '\n' || b == '\r';
    }

    @Override
    public long heapBytes(byte[] stored) {
        return (16 + stored.length + 7) & ~7L;
    }

    @Override
    public void write(byte[] stored, StateWriter out) {
        CharsetDecoder utf8 = StandardCharsets.UTF_8.newDecoder()
                .onMalformedInput(CodingErrorAction.REPORT)
                .onUnmappableCharacter(CodingErrorAction.REPORT);
        String text;
        try {
            text = utf8.decode(ByteBuffer.wrap(stored)).toString();
        } catch (CharacterCodingException e) {
            text = BASE64_PREFIX + Base64.getEncoder().encodeToString(stored);
        }
        out.writeString("json", text);
    }

    @Override
    public byte[] read(StateReader in) {
        String text = in.readString("json");
        if (!text.startsWith(BASE64_PREFIX)) {
            return text.getBytes(StandardCharsets.UTF_8);
        }
        try {
            return Base64.getDecoder().decode(text.substring(BASE64_PREFIX.length()));
        } catch (IllegalArgumentException e) {
            throw new StateFormatException("a buffered join element has bad base64: " + e.getMessage());
        }
    }
}
