package io.flinklite.runtime.json;

import io.flinklite.api.Event;
import io.flinklite.api.WindowResult;
import io.flinklite.job.TimestampSpec.Format;
import io.flinklite.job.TimestampSpec;
import io.flinklite.source.InvalidReason;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;
import org.junit.jupiter.params.provider.ValueSource;

import java.nio.charset.StandardCharsets;
import java.time.Instant;
import java.time.OffsetDateTime;
import java.time.ZoneOffset;
import java.util.Random;

import static org.assertj.core.api.Assertions.assertThat;

/** Event time from other fields, nested paths, formats and the record timestamp; the decoder defects of issue 10. */
class EventDecoderTimestampTest {
    private final Event event = new Event();

    private static EventDecoder decoder(String key, String value, TimestampSpec ts) {
        return new EventDecoder(key, value, ts, 1024);
    }

    private InvalidReason decode(EventDecoder d, String json) {
        return decode(d, json, EventDecoder.NO_TIMESTAMP);
    }

    private InvalidReason decode(EventDecoder d, String json, long recordTs) {
        byte[] b = ("xx" + json + "yy").getBytes(StandardCharsets.UTF_8);
        return d.decode(b, 2, b.length - 4, recordTs, event);
    }

    private static TimestampSpec field(String name, Format format) {
        return TimestampSpec.defaults().withField(name).withFormat(format);
    }

    @Test
    void theNewcomersTopicDecodesWithTsInIso8601() {
        EventDecoder d = decoder("type", null, field("ts", Format.ISO_8601));
        assertThat(decode(d, "{\"ts\":\"2026-12-01T10:00:00Z\",\"type\":\"click\"}")).isNull();
        assertThat(event.timestamp()).isEqualTo(Instant.parse("2026-12-01T10:00:00Z").toEpochMilli());
        assertThat(event.key()).isEqualTo("click");
    }

    @ParameterizedTest
    @CsvSource(delimiter = '|', value = {
            "2026-12-01T10:00:00Z|2026-12-01T10:00:00Z",
            "2026-12-01T11:00:00+01:00|2026-12-01T10:00:00Z",
            "2026-12-01T11:30:00+0130|2026-12-01T10:00:00Z",
            "2026-12-01T05:00:00-05|2026-12-01T10:00:00Z",
            "2026-12-01t10:00:00.5z|2026-12-01T10:00:00.500Z",
            "2026-12-01 10:00:00.123456789Z|2026-12-01T10:00:00.123Z",
            "2024-02-29T23:59:59.999-00:00|2024-02-29T23:59:59.999Z",
            "1969-12-31T23:59:59.999Z|1969-12-31T23:59:59.999Z",
            "0001-01-01T00:00:00Z|0001-01-01T00:00:00Z",
    })
    void iso8601WithAnOffsetOrZ(String text, String instant) {
        EventDecoder d = decoder("message", null, field("timestamp", Format.ISO_8601));
        assertThat(decode(d, "{\"timestamp\":\"" + text + "\",\"message\":\"m\"}")).isNull();
        assertThat(event.timestamp()).isEqualTo(Instant.parse(instant).toEpochMilli());
    }

    @ParameterizedTest
    @ValueSource(strings = {"\"2026-12-01T10:00:00\"", "\"2026-12-01\"", "\"2026-02-29T10:00:00Z\"",
            "\"2026-13-01T10:00:00Z\"", "\"2026-12-01T24:00:00Z\"", "\"2026-12-01T10:60:00Z\"",
            "\"2026-12-01T10:00:60Z\"", "\"2026-12-01T10:00:00.Z\"", "\"2026-12-01T10:00:00+1\"",
            "\"2026-12-01T10:00:00+19:00\"", "\"2026-12-01T10:00:00Zx\"", "\"2026-12-01X10:00:00Z\"",
            "\"\\u0032026-12-01T10:00:00Z\"", "1764583200000", "null", "{}", "\"soon\"", "\"２026-12-01T10:00:00Z\""})
    void badIso8601IsBadTimestamp(String value) {
        EventDecoder d = decoder("message", null, field("timestamp", Format.ISO_8601));
        assertThat(decode(d, "{\"timestamp\":" + value + ",\"message\":\"m\"}")).isEqualTo(InvalidReason.BAD_TIMESTAMP);
        assertThat(d.lastError()).contains("ISO-8601");
    }

    @Test
    void iso8601AgreesWithJavaTimeOnRandomInstantsAndOffsets() {
        EventDecoder d = decoder("message", null, field("timestamp", Format.ISO_8601));
        Random random = new Random(15);
        for (int i = 0; i < 20_000; i++) {
            long ms = random.nextLong() % 200_000_000_000_000L; // about 6,000 years either side
            if (Instant.ofEpochMilli(ms).atOffset(ZoneOffset.UTC).getYear() < 1
                    || Instant.ofEpochMilli(ms).atOffset(ZoneOffset.UTC).getYear() > 9998) {
                continue;
            }
            ZoneOffset offset = ZoneOffset.ofTotalSeconds((random.nextInt(18 * 4 * 2 + 1) - 18 * 4) * 15 * 60);
            OffsetDateTime t = Instant.ofEpochMilli(ms).atOffset(offset);
            String text = String.format("%04d-%02d-%02dT%02d:%02d:%02d.%03d%s", t.getYear(), t.getMonthValue(),
                    t.getDayOfMonth(), t.getHour(), t.getMinute(), t.getSecond(), t.getNano() / 1_000_000,
                    offset.getTotalSeconds() == 0 && random.nextBoolean() ? "Z" : offset.getId().equals("Z") ? "+00:00" : offset.getId());
            assertThat(decode(d, "{\"timestamp\":\"" + text + "\",\"message\":\"m\"}")).as(text).isNull();
            assertThat(event.timestamp()).as(text).isEqualTo(ms);
        }
    }

    @ParameterizedTest
    @CsvSource({"1700000000,1700000000000", "1700000000.25,1700000000250", "1700000000.0009,1700000000000",
            "-1.5,-1500", "-1.0001,-1001", "0.001,1", "1.7e9,1700000000000", "17000000002E-1,1700000000200",
            "-0,0"})
    void epochSecondsIntegralOrDecimalToMillisTowardThePast(String number, long ms) {
        EventDecoder d = decoder("message", null, field("timestamp", Format.EPOCH_S));
        assertThat(decode(d, "{\"timestamp\":" + number + ",\"message\":\"m\"}")).isNull();
        assertThat(event.timestamp()).isEqualTo(ms);
    }

    @ParameterizedTest
    @ValueSource(strings = {"9223372036854775807", "92233720368547758.07", "1e300", "\"1700000000\"", "true"})
    void epochSecondsOutOfRangeOrNotANumberIsBadTimestamp(String value) {
        EventDecoder d = decoder("message", null, field("timestamp", Format.EPOCH_S));
        assertThat(decode(d, "{\"timestamp\":" + value + ",\"message\":\"m\"}")).isEqualTo(InvalidReason.BAD_TIMESTAMP);
    }

    @Test
    void epochMillisStaysIntegralOnly() {
        EventDecoder d = decoder("message", null, TimestampSpec.defaults());
        assertThat(decode(d, "{\"timestamp\":1.5,\"message\":\"m\"}")).isEqualTo(InvalidReason.BAD_TIMESTAMP);
        assertThat(decode(d, "{\"timestamp\":\"2026-12-01T10:00:00Z\",\"message\":\"m\"}")).isEqualTo(InvalidReason.BAD_TIMESTAMP);
    }

    @Test
    void nestedPathsForTimestampKeyAndValue() {
        EventDecoder d = decoder("user.kind", "metrics.cpu.load", field("payload.ts", Format.EPOCH_MS));
        String json = "{\"payload\":{\"x\":[1,{\"ts\":5}],\"ts\":42},\"user\":{\"kind\":\"critical\",\"id\":3},"
                + "\"metrics\":{\"cpu\":{\"load\":0.75}},\"ts\":7,\"kind\":\"no\"}";
        assertThat(decode(d, json)).isNull();
        assertThat(event.timestamp()).isEqualTo(42);
        assertThat(event.key()).isEqualTo("critical");
        assertThat(event.value()).isEqualTo(0.75);
        assertThat(event.hasId()).isFalse(); // "id" is read at the top level only
    }

    @Test
    void aMissingOrNonObjectParentIsAMissingField() {
        EventDecoder d = decoder("message", null, field("payload.ts", Format.EPOCH_MS));
        assertThat(decode(d, "{\"payload\":{\"t\":1},\"message\":\"m\"}")).isEqualTo(InvalidReason.MISSING_TIMESTAMP);
        assertThat(d.lastError()).contains("payload.ts");
        assertThat(decode(d, "{\"payload\":\"ts\",\"message\":\"m\"}")).isEqualTo(InvalidReason.MISSING_TIMESTAMP);
        assertThat(decode(d, "{\"payload\":{\"ts\":1,},\"message\":\"m\"}")).isEqualTo(InvalidReason.NOT_JSON);
        assertThat(decode(d, "{\"payload\":{\"ts\":\"x\"},\"message\":\"m\"}")).isEqualTo(InvalidReason.BAD_TIMESTAMP);
    }

    @Test
    void aKeyFieldNamedTimestampWorks() {
        EventDecoder d = decoder("timestamp", null, field("ts", Format.EPOCH_MS));
        assertThat(decode(d, "{\"ts\":5,\"timestamp\":\"critical\"}")).isNull();
        assertThat(event.key()).isEqualTo("critical");
        assertThat(event.timestamp()).isEqualTo(5);
        // With the default timestamp field too: an ISO string is both the key and the event time.
        EventDecoder both = decoder("timestamp", null, field("timestamp", Format.ISO_8601));
        assertThat(decode(both, "{\"timestamp\":\"1970-01-01T00:00:01Z\"}")).isNull();
        assertThat(event.key()).isEqualTo("1970-01-01T00:00:01Z");
        assertThat(event.timestamp()).isEqualTo(1000);
    }

    @Test
    void aValueFieldNamedTimestampWorks() {
        EventDecoder d = decoder("message", "timestamp", TimestampSpec.defaults());
        assertThat(decode(d, "{\"timestamp\":1700000000002,\"message\":\"m\"}")).isNull();
        assertThat(event.timestamp()).isEqualTo(1700000000002L);
        assertThat(event.value()).isEqualTo(1700000000002.0);
        assertThat(event.hasValue()).isTrue();
    }

    @Test
    void kafkaRecordTimestampIgnoresTheFields() {
        EventDecoder d = decoder("message", null, TimestampSpec.defaults().withSource(TimestampSpec.Source.KAFKA));
        assertThat(decode(d, "{\"message\":\"m\",\"timestamp\":\"not used\"}", 1234)).isNull();
        assertThat(event.timestamp()).isEqualTo(1234);
        assertThat(decode(d, "{\"message\":\"m\"}", EventDecoder.NO_TIMESTAMP)).isEqualTo(InvalidReason.MISSING_TIMESTAMP);
        d.setTimestampBounds(0, 1000);
        assertThat(decode(d, "{\"message\":\"m\"}", 1001)).isEqualTo(InvalidReason.ABSURD_TIMESTAMP);
    }

    @Test
    void invalidUtf8InAKeyOrFieldNameIsNotJson() {
        EventDecoder d = decoder("message", null, TimestampSpec.defaults());
        byte[][] bad = {{(byte) 0xff}, {(byte) 0xc0, (byte) 0xaf}, {(byte) 0xed, (byte) 0xa0, (byte) 0x80},
                {(byte) 0xe2, (byte) 0x82}, {(byte) 0xf4, (byte) 0x90, (byte) 0x80, (byte) 0x80}, {(byte) 0x80}};
        for (byte[] seq : bad) {
            assertThat(decodeBytes(d, "{\"timestamp\":1,\"message\":\"a", seq, "\"}")).isEqualTo(InvalidReason.NOT_JSON);
            assertThat(decodeBytes(d, "{\"timestamp\":1,\"message\":\"a\",\"f", seq, "\":1}")).isEqualTo(InvalidReason.NOT_JSON);
            assertThat(decodeBytes(d, "{\"timestamp\":1,\"message\":\"a\",\"o\":{\"f", seq, "\":1}}")).isEqualTo(InvalidReason.NOT_JSON);
            assertThat(d.lastError()).contains("UTF-8");
        }
        assertThat(decode(d, "{\"timestamp\":1,\"message\":\"caf\u00e9 \u20ac \ud83d\ude00\"}")).isNull();
        assertThat(event.key()).isEqualTo("caf\u00e9 \u20ac \ud83d\ude00");
    }

    private InvalidReason decodeBytes(EventDecoder d, String head, byte[] middle, String tail) {
        byte[] h = head.getBytes(StandardCharsets.UTF_8);
        byte[] t = tail.getBytes(StandardCharsets.UTF_8);
        byte[] all = new byte[h.length + middle.length + t.length];
        System.arraycopy(h, 0, all, 0, h.length);
        System.arraycopy(middle, 0, all, h.length, middle.length);
        System.arraycopy(t, 0, all, h.length + middle.length, t.length);
        return d.decode(all, 0, all.length, EventDecoder.NO_TIMESTAMP, event);
    }

    @Test
    void aLoneSurrogateKeyIsEscapedInEveryOutput() {
        EventDecoder d = decoder("message", null, TimestampSpec.defaults());
        assertThat(decode(d, "{\"timestamp\":1,\"message\":\"a\\ud800b\"}")).isNull();
        String key = event.key();
        assertThat(key).isEqualTo("a\ud800b");
        WindowResult r = WindowResult.ofCount(key, 0, 10, 1);
        assertThat(r.toJson()).startsWith("{\"key\":\"a\\ud800b\"");
        assertThat(new String(WindowResult.keyBytes(key), StandardCharsets.UTF_8)).isEqualTo("a\\ud800b");
        assertThat(WindowResult.keyText("x\udc00")).isEqualTo("x\\udc00");
        // A well-formed pair is written as the character itself.
        assertThat(WindowResult.ofCount("\ud83d\ude00", 0, 10, 1).toJson()).startsWith("{\"key\":\"\ud83d\ude00\"");
        assertThat(WindowResult.keyText("\ud83d\ude00")).isEqualTo("\ud83d\ude00");
    }
}
