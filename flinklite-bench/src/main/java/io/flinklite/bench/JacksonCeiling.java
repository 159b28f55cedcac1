package io.flinklite.bench;

import com.fasterxml.jackson.core.JsonFactory;
import com.fasterxml.jackson.core.JsonParser;
import com.fasterxml.jackson.core.JsonToken;
import java.io.IOException;

/**
 * The parse ceiling: Jackson's streaming tokenizer walks every token of every event and does nothing else. No
 * engine that decodes JSON with Jackson can beat it on one core. Not an engine; a reference line in the table.
 */
public final class JacksonCeiling {
    private static final JsonFactory JSON = new JsonFactory();

    private JacksonCeiling() {
    }

    /** @return the number of tokens seen, so that the JIT cannot drop the loop */
    public static long tokenize(byte[][] events) throws IOException {
        long tokens = 0;
        for (byte[] event : events) {
            try (JsonParser p = JSON.createParser(event)) {
                JsonToken t;
                while ((t = p.nextToken()) != null) {
                    tokens += t.id();
                }
            }
        }
        return tokens;
    }
}
