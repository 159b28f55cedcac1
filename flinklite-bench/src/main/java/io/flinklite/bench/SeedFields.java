package io.flinklite.bench;

import com.fasterxml.jackson.core.JsonFactory;
import com.fasterxml.jackson.core.JsonParser;
import com.fasterxml.jackson.core.JsonToken;
import java.io.IOException;

/**
 * The two fields the seed job needs, read with Jackson's streaming parser the way a careful Flink user would: walk
 * the top-level fields, keep {@code timestamp} and {@code message}, skip the rest. Shared by the Flink job, the
 * hand-written loop and the decoder microbenchmark, so that all of them pay the same parse. Reusable; one per thread.
 */
public final class SeedFields {
    private final JsonFactory json = new JsonFactory();
    /** Event time of the last event read. */
    public long timestamp;
    /** Message of the last event read; {@code null} when it had none. */
    public String message;

    /** Reads one event's two fields into this object. */
    public void read(byte[] event) throws IOException {
        timestamp = 0;
        message = null;
        try (JsonParser p = json.createParser(event)) {
            p.nextToken();
            while (p.nextToken() == JsonToken.FIELD_NAME) {
                String name = p.currentName();
                p.nextToken();
                if (name.equals("timestamp")) {
                    timestamp = p.getLongValue();
                } else if (name.equals("message")) {
                    message = p.getText();
                } else {
                    p.skipChildren();
                }
            }
        }
    }
}
