package io.flinklite.runtime.json;

import io.flinklite.api.Event;
import io.flinklite.source.InvalidReason;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;
import org.junit.jupiter.params.provider.ValueSource;

import java.nio.charset.StandardCharsets;

import static org.assertj.core.api.Assertions.assertThat;

class EventDecoderTest {
    private final EventDecoder decoder = new EventDecoder("message", "value", 1024);
    private final Event event = new Event();

    private InvalidReason decode(String json) {
        byte[] b = ("xx" + json + "yy").getBytes(StandardCharsets.UTF_8); // decode a slice, not a whole array
        return decoder.decode(b, 2, b.length - 4, event);
    }

    @Test
    void decodesTheSeedEvent() {
        assertThat(decode("{\"id\":7,\"timestamp\":1700000000002,\"message\":\"critical\"}")).isNull();
        assertThat(event.id()).isEqualTo(7);
        assertThat(event.hasId()).isTrue();
        assertThat(event.timestamp()).isEqualTo(1700000000002L);
        assertThat(event.key()).isEqualTo("critical");
        assertThat(event.hasValue()).isFalse();
        assertThat(new String(event.copyPayload(), StandardCharsets.UTF_8)).startsWith("{\"id\":7").endsWith("}");
    }

    @Test
    void internsKeysSoTheSameKeyIsTheSameString() {
        decode("{\"timestamp\":1,\"message\":\"critical\"}");
        String first = event.key();
        decode("{ \"message\" : \"critical\", \"timestamp\": 2 }");
        assertThat(event.key()).isSameAs(first);
    }

    @Test
    void skipsExtraFieldsOfEveryJsonType() {
        assertThat(decode("{\"a\":{\"b\":[1,2.5e3,{\"c\":null}],\"d\":\"x\\\"y\\u00e9\"},\"timestamp\":-5,"
                + "\"t\":true,\"f\":false,\"message\":\"caf\\u00e9\",\"value\":-12.25,\"e\":[]  ,\"o\":{}}")).isNull();
        assertThat(event.timestamp()).isEqualTo(-5);
        assertThat(event.key()).isEqualTo("café");
        assertThat(event.value()).isEqualTo(-12.25);
        assertThat(event.hasId()).isFalse();
    }

    @ParameterizedTest
    @ValueSource(strings = {"0", "1", "-0.5", "3.14159", "1e3", "2.5E-3", "123456789012345678", "0.1", "1234567.891",
            "99999999999999999999", "4.9e-324", "1.7976931348623157e308", "0.30000000000000004"})
    void valuesAreParsedExactlyAsDoubleParseDouble(String number) {
        assertThat(decode("{\"timestamp\":1,\"message\":\"m\",\"value\":" + number + "}")).isNull();
        assertThat(event.value()).isEqualTo(Double.parseDouble(number));
    }

    @ParameterizedTest
    @CsvSource(delimiter = '|', value = {
            "not json|NOT_JSON",
            "''|NOT_JSON",
            "[1,2]|NOT_JSON",
            "{\"timestamp\":1,\"message\":\"m\"|NOT_JSON",
            "{\"timestamp\":1,\"message\":\"m\"}x|NOT_JSON",
            "{\"timestamp\":01,\"message\":\"m\"}|NOT_JSON",
            "{\"timestamp\":1,,\"message\":\"m\"}|NOT_JSON",
            "{\"timestamp\":1,\"message\":\"m\",}|NOT_JSON",
            "{\"timestamp\":1,\"message\":\"m\",\"x\":[1,]}|NOT_JSON",
            "{\"timestamp\":1,\"message\":\"m\",\"x\":tru}|NOT_JSON",
            "{\"timestamp\":1,\"message\":\"a\\qb\"}|NOT_JSON",
            "{\"message\":\"m\"}|MISSING_TIMESTAMP",
            "{\"timestamp\":\"1700000000000\",\"message\":\"m\"}|BAD_TIMESTAMP",
            "{\"timestamp\":1.5,\"message\":\"m\"}|BAD_TIMESTAMP",
            "{\"timestamp\":1e3,\"message\":\"m\"}|BAD_TIMESTAMP",
            "{\"timestamp\":null,\"message\":\"m\"}|BAD_TIMESTAMP",
            "{\"timestamp\":99999999999999999999,\"message\":\"m\"}|BAD_TIMESTAMP",
            "{\"timestamp\":1}|MISSING_KEY",
            "{\"timestamp\":1,\"message\":7}|MISSING_KEY",
            "{\"timestamp\":1,\"message\":null}|MISSING_KEY",
    })
    void classifiesInvalidInput(String json, InvalidReason expected) {
        assertThat(decode(json)).isEqualTo(expected);
        assertThat(decoder.lastError()).isNotBlank();
    }

    @Test
    void longBoundsAreIntegralButBeyondWhatWindowsCanHold() {
        // Integral, so not bad_timestamp; but window ends computed from them would overflow a long.
        assertThat(decode("{\"timestamp\":-9223372036854775808,\"message\":\"m\"}")).isEqualTo(InvalidReason.ABSURD_TIMESTAMP);
        assertThat(decode("{\"timestamp\":9223372036854775807,\"message\":\"m\"}")).isEqualTo(InvalidReason.ABSURD_TIMESTAMP);
        assertThat(decoder.lastError()).contains("9223372036854775807");
        assertThat(decode("{\"timestamp\":9223372036854775808,\"message\":\"m\"}")).isEqualTo(InvalidReason.BAD_TIMESTAMP);
        assertThat(decode("{\"timestamp\":4611686018427387904,\"message\":\"m\"}")).isNull();
        assertThat(event.timestamp()).isEqualTo(EventDecoder.MAX_WINDOWABLE_MS);
        assertThat(decode("{\"timestamp\":-4611686018427387904,\"message\":\"m\"}")).isNull();
        assertThat(event.timestamp()).isEqualTo(EventDecoder.MIN_WINDOWABLE_MS);
    }

    @Test
    void aMissingOrNonNumericValueIsLeftToTheTask() {
        assertThat(decode("{\"timestamp\":1,\"message\":\"m\",\"value\":\"3\"}")).isNull();
        assertThat(event.hasValue()).isFalse();
        assertThat(decode("{\"timestamp\":1,\"message\":\"m\"}")).isNull();
        assertThat(event.hasValue()).isFalse();
    }

    @Test
    void timestampsOutsideTheBoundsAreAbsurd() {
        decoder.setTimestampBounds(0, 2_000_000_000_000L);
        assertThat(decode("{\"timestamp\":-1,\"message\":\"m\"}")).isEqualTo(InvalidReason.ABSURD_TIMESTAMP);
        assertThat(decode("{\"timestamp\":2000000000001,\"message\":\"m\"}")).isEqualTo(InvalidReason.ABSURD_TIMESTAMP);
        assertThat(decode("{\"timestamp\":2000000000000,\"message\":\"m\"}")).isNull();
    }

    @Test
    void oversizedRecordsAreNotParsed() {
        String big = "{\"timestamp\":1,\"message\":\"" + "x".repeat(2000) + "\"}";
        assertThat(decode(big)).isEqualTo(InvalidReason.OVERSIZED);
        assertThat(decoder.lastError()).contains("1024");
    }

    @Test
    void deepNestingIsRejectedWithoutStackOverflow() {
        String deep = "{\"timestamp\":1,\"message\":\"m\",\"x\":" + "[".repeat(900) + "]".repeat(900) + "}";
        EventDecoder roomy = new EventDecoder("message", null, 1 << 20);
        byte[] b = deep.getBytes(StandardCharsets.UTF_8);
        assertThat(roomy.decode(b, 0, b.length, event)).isEqualTo(InvalidReason.NOT_JSON);
        assertThat(roomy.lastError()).contains("nested deeper");
    }

    @Test
    void fieldNamesWithEscapesStillMatch() {
        assertThat(decode("{\"time\\u0073tamp\":5,\"message\":\"m\"}")).isNull();
        assertThat(event.timestamp()).isEqualTo(5);
    }

    @Test
    void lastDuplicateFieldWins() {
        assertThat(decode("{\"timestamp\":5,\"message\":\"a\",\"timestamp\":6,\"message\":\"b\"}")).isNull();
        assertThat(event.timestamp()).isEqualTo(6);
        assertThat(event.key()).isEqualTo("b");
    }

    @ParameterizedTest
    @CsvSource({
        "0, 0",
        "-0, 0",
        "123456789012345678, 123456789012345678",
        "-123456789012345678, -123456789012345678",
        "1234567890123456789, 1234567890123456789",
        "9223372036854775807, 9223372036854775807",
        "-9223372036854775808, -9223372036854775808"
    })
    void idsAreConvertedOnlyWhenReadAndExactlyAtEveryLength(String id, long expected) {
        // The same digits as a timestamp: converted exactly, then judged; beyond +-2^62 no window can hold them.
        boolean windowable = expected >= EventDecoder.MIN_WINDOWABLE_MS && expected <= EventDecoder.MAX_WINDOWABLE_MS;
        InvalidReason asTimestamp = decode("{\"timestamp\":" + id + ",\"message\":\"m\"}");
        if (windowable) {
            assertThat(asTimestamp).isNull();
            assertThat(event.timestamp()).isEqualTo(expected);
        } else {
            assertThat(asTimestamp).isEqualTo(InvalidReason.ABSURD_TIMESTAMP);
            assertThat(decoder.lastError()).contains("timestamp " + expected + " ");
        }
        assertThat(decode("{\"id\":" + id + ",\"timestamp\":1,\"message\":\"m\"}")).isNull();
        assertThat(event.hasId()).isTrue();
        assertThat(event.id()).isEqualTo(expected);
    }

    @ParameterizedTest
    @ValueSource(strings = {"9223372036854775808", "-9223372036854775809", "12345678901234567890123", "1.5", "1e3"})
    void idsThatAreNotLongsAreAbsentButStillValidJson(String id) {
        assertThat(decode("{\"id\":" + id + ",\"timestamp\":1,\"message\":\"m\"}")).isNull();
        assertThat(event.hasId()).isFalse();
        assertThat(event.id()).isZero();
    }

    @ParameterizedTest
    @ValueSource(strings = {"01", "-", "1.", "1e", "--1", "1x"})
    void anIdIsStillValidatedAsJson(String id) {
        assertThat(decode("{\"id\":" + id + ",\"timestamp\":1,\"message\":\"m\"}")).isEqualTo(InvalidReason.NOT_JSON);
    }

    @Test
    void anIdIsReadFromTheEventsOwnRecordAfterTheEventIsReused() {
        decode("{\"id\":41,\"timestamp\":1,\"message\":\"m\"}");
        decode("{\"timestamp\":1,\"message\":\"m\"}");
        assertThat(event.hasId()).isFalse();
        decode("{\"id\":42,\"timestamp\":1,\"message\":\"m\"}");
        assertThat(event.id()).isEqualTo(42);
        assertThat(event.toString()).contains("id=42");
    }

    @Test
    void keysWithEscapesOrControlCharactersTakeTheGeneralPath() {
        assertThat(decode("{\"timestamp\":1,\"message\":\"cri\\u0074ical\"}")).isNull();
        String escaped = event.key();
        assertThat(escaped).isEqualTo("critical");
        assertThat(decode("{\"timestamp\":1,\"message\":\"cri\\u0074ical\"}")).isNull();
        assertThat(event.key()).isSameAs(escaped);
        assertThat(decode("{\"timestamp\":1,\"message\":\"a\u0001b\"}")).isEqualTo(InvalidReason.NOT_JSON);
        assertThat(decode("{\"timestamp\":1,\"message\":\"unterminated}")).isEqualTo(InvalidReason.NOT_JSON);
        assertThat(decode("{\"timestamp\":1,\"message\":\"\"}")).isNull();
        assertThat(event.key()).isEmpty();
    }
}
