package io.flinklite.runtime.json;

import io.flinklite.api.Event;
import io.flinklite.job.TimestampSpec;
import io.flinklite.source.InvalidReason;
import org.junit.jupiter.api.Test;

import java.nio.charset.StandardCharsets;
import java.util.Arrays;
import java.util.Random;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * The decoder's flat path (top-level fields, epoch ms) and its general path (any paths and formats) agree on every
 * record: the same reason, the same message, and for a valid event the same fields. Seeded mutations of valid and
 * tricky records (bytes flipped, inserted, removed, truncated) cover the error paths of both.
 */
class EventDecoderPathsTest {
    private static final String[] SEEDS = {
            "{\"id\":7,\"timestamp\":1700000000002,\"message\":\"critical\",\"amount\":2.5}",
            "{ \"message\" : \"caf\\u00e9\", \"timestamp\": -5, \"amount\": 1e3, \"id\": 1.5 }",
            "{\"a\":{\"b\":[1,2.5e3,{\"c\":null}],\"d\":\"x\\\"y\"},\"timestamp\":12,\"message\":\"m\",\"amount\":\"no\"}",
            "{\"timestamp\":99999999999999999999,\"message\":\"m\"}",
            "{\"times\\u0074amp\":3,\"mess\\u0061ge\":\"k\",\"id\":-0}",
            "{\"timestamp\":1,\"message\":\"\u20ac\ud83d\ude00\",\"id\":123456789012345678901}",
            "{\"timestamp\":1,\"timestamp\":\"x\",\"message\":null,\"message\":\"last\",\"id\":\"s\"}",
            "{}",
    };

    @Test
    void flatAndGeneralPathsAgreeOnMutatedRecords() {
        EventDecoder flat = new EventDecoder("message", "amount", TimestampSpec.defaults(), 1024, true);
        EventDecoder general = new EventDecoder("message", "amount", TimestampSpec.defaults(), 1024, false);
        Event a = new Event();
        Event b = new Event();
        Random random = new Random(15);
        int valid = 0;
        for (int i = 0; i < 200_000; i++) {
            byte[] record = mutate(SEEDS[random.nextInt(SEEDS.length)].getBytes(StandardCharsets.UTF_8), random);
            InvalidReason x = flat.decode(record, 0, record.length, a);
            InvalidReason y = general.decode(record, 0, record.length, b);
            String what = new String(record, StandardCharsets.UTF_8);
            assertThat(y).as(what).isEqualTo(x);
            if (x != null) {
                assertThat(general.lastError()).as(what).isEqualTo(flat.lastError());
                continue;
            }
            valid++;
            assertThat(b.timestamp()).as(what).isEqualTo(a.timestamp());
            assertThat(b.key()).as(what).isEqualTo(a.key());
            assertThat(b.hasValue()).as(what).isEqualTo(a.hasValue());
            assertThat(Double.doubleToLongBits(b.value())).as(what).isEqualTo(Double.doubleToLongBits(a.value()));
            assertThat(b.hasId()).as(what).isEqualTo(a.hasId());
            assertThat(b.id()).as(what).isEqualTo(a.id());
        }
        assertThat(valid).as("valid records among the mutations").isGreaterThan(20_000);
    }

    private static final String PUNCTUATION = " \"{}[],:.-0123456789eE\\tnulx\u00ff";

    private static byte[] mutate(byte[] seed, Random random) {
        byte[] r = seed;
        int edits = random.nextInt(3);
        for (int e = 0; e < edits && r.length > 0; e++) {
            int at = random.nextInt(r.length);
            switch (random.nextInt(4)) {
                case 0: r = r.clone(); r[at] = (byte) PUNCTUATION.charAt(random.nextInt(PUNCTUATION.length())); break;
                case 1: r = Arrays.copyOf(r, at); break;
                case 2: {
                    byte[] n = new byte[r.length + 1];
                    System.arraycopy(r, 0, n, 0, at);
                    n[at] = (byte) random.nextInt(256);
                    System.arraycopy(r, at, n, at + 1, r.length - at);
                    r = n;
                    break;
                }
                default: {
                    byte[] n = new byte[r.length - 1];
                    System.arraycopy(r, 0, n, 0, at);
                    System.arraycopy(r, at + 1, n, at, r.length - at - 1);
                    r = n;
                }
            }
        }
        return r;
    }
}
