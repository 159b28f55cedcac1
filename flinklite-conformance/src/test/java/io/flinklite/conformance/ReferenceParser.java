package io.flinklite.conformance;

import com.fasterxml.jackson.core.JsonFactory;
import com.fasterxml.jackson.core.JsonParser;
import com.fasterxml.jackson.core.JsonToken;
import io.flinklite.job.JobSpec;
import java.io.IOException;

/**
 * The replay contract's notion of a valid line, written independently of FlinkLite's decoder: one JSON object whose
 * top-level {@code timestamp} is an integer, whose top-level key field is a string and, for value aggregates, whose
 * top-level value field is a number. Nested objects and arrays are skipped whatever they contain.
 *
 * <p>Generated cases never contain the ambiguous forms (a timestamp written as a decimal or a quoted number, a
 * numeric key, a missing value field), so this parser only has to be right on unambiguous input.
 */
final class ReferenceParser {
    private static final JsonFactory JSON = new JsonFactory();

    private ReferenceParser() {
    }

    /**
     * @param valueField the numeric field of a value aggregate, or {@code null} for count
     * @return the event, or {@code null} when the line is invalid
     */
    static ReferenceEvent parse(String line, String keyField, String valueField) {
        try (JsonParser p = JSON.createParser(line)) {
            if (p.nextToken() != JsonToken.START_OBJECT) {
                return null;
            }
            String key = null;
            Long timestamp = null;
            Double value = null;
            JsonToken t;
            while ((t = p.nextToken()) == JsonToken.FIELD_NAME) {
                String name = p.currentName();
                JsonToken v = p.nextToken();
                if (name.equals(JobSpec.TIMESTAMP_FIELD)) {
                    timestamp = v == JsonToken.VALUE_NUMBER_INT && p.getNumberType() != JsonParser.NumberType.BIG_INTEGER
                            ? p.getLongValue() : null;
                } else if (name.equals(keyField)) {
                    key = v == JsonToken.VALUE_STRING ? p.getText() : null;
                } else if (name.equals(valueField)) {
                    value = v == JsonToken.VALUE_NUMBER_INT || v == JsonToken.VALUE_NUMBER_FLOAT ? p.getDoubleValue() : null;
                }
                p.skipChildren();
            }
            if (t != JsonToken.END_OBJECT || p.nextToken() != null) {
                return null;
            }
            if (key == null || timestamp == null || (valueField != null && value == null)) {
                return null;
            }
            return new ReferenceEvent(key, timestamp, value == null ? 0 : value, line);
        } catch (IOException e) {
            return null;
        }
    }
}
