package io.flinklite.conformance;

/**
 * A parsed input line inside the Flink reference job. A Flink POJO (public fields, public no-argument constructor)
 * so that Flink serializes it with its own POJO serializer between the parse chain and the window operator.
 */
public class ReferenceEvent {
    /** The key field's string value. */
    public String key;
    /** Event time, epoch ms, from the {@code timestamp} field. */
    public long timestamp;
    /** The value aggregate's field; 0 when the job aggregates by count. */
    public double value;
    /** The input line, unchanged: what the late side output must carry. */
    public String line;

    public ReferenceEvent() {
    }

    ReferenceEvent(String key, long timestamp, double value, String line) {
        this.key = key;
        this.timestamp = timestamp;
        this.value = value;
        this.line = line;
    }
}
