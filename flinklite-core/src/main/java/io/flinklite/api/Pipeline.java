package io.flinklite.api;

import io.flinklite.job.TimestampSpec;

import java.util.Objects;

/**
 * Where a user job starts: the stream of JSON events from the job's source (Kafka topic, replay file), with event
 * time and watermarks assigned at the source, as Flink's {@code env.fromSource(source, watermarkStrategy, name)}.
 *
 * <pre>{@code
 * Job job = Pipeline.fromEvents("message", "amount", WatermarkStrategy.forBoundedOutOfOrderness(5_000).withIdleness(30_000))
 *         .filter(e -> e.key().equals("critical"))
 *         .keyBy(Event::key)
 *         .window(WindowAssigner.sliding(10_000, 5_000))
 *         .allowedLateness(2_000)
 *         .sideOutputLateData(lateSink)
 *         .aggregate(new AverageAmount(), new AverageAmount.Serializer())
 *         .sinkTo(results);
 * }</pre>
 *
 * <p>Watermarks are generated from every valid record, before any filter, so records a filter drops still advance
 * event time. Building a pipeline only describes the job; the engine runs it.
 */
public final class Pipeline {
    private Pipeline() {
    }

    /**
     * @param keyField   the JSON string field the decoder puts in {@link Event#key()}, e.g. {@code message}
     * @param valueField the JSON number field put in {@link Event#value()}, or {@code null} when the job needs none;
     *                   when given, a record without it is invalid
     * @param watermarks how event time advances
     */
    public static DataStream<Event> fromEvents(String keyField, String valueField, WatermarkStrategy watermarks) {
        return fromEvents(keyField, valueField, TimestampSpec.defaults(), watermarks);
    }

    /**
     * Like {@link #fromEvents(String, String, WatermarkStrategy)}, with event time read as {@code timestamps} says
     * (another field, nested path or format, or the Kafka record timestamp). Key and value fields may be dotted paths.
     */
    public static DataStream<Event> fromEvents(String keyField, String valueField, TimestampSpec timestamps,
                                               WatermarkStrategy watermarks) {
        return new DataStream<>(JobDraft.of(new EventSource(keyField, valueField, timestamps, watermarks)));
    }

    /** What the source decodes and how it assigns watermarks. Immutable. */
    public static final class EventSource {
        private final String keyField;
        private final String valueField;
        private final WatermarkStrategy watermarks;
        private final TimestampSpec timestamps;

        EventSource(String keyField, String valueField, TimestampSpec timestamps, WatermarkStrategy watermarks) {
            this.keyField = TimestampSpec.checkPath(keyField);
            this.valueField = valueField == null ? null : TimestampSpec.checkPath(valueField);
            this.timestamps = Objects.requireNonNull(timestamps, "timestamps");
            this.watermarks = Objects.requireNonNull(watermarks, "watermarks");
        }

        /** Where event time comes from. */
        public TimestampSpec timestamps() { return timestamps; }

        public String keyField() { return keyField; }

        /** {@code null} when the job reads no value field. */
        public String valueField() { return valueField; }

        public WatermarkStrategy watermarks() { return watermarks; }
    }
}
