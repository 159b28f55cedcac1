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
 *
 * <p>A job may read several sources, each named ({@link #fromSource(String, String, String, WatermarkStrategy)}),
 * and combine them with {@link DataStream#union} or a join. Each source has its own partitions and watermarks; the
 * runtime binds the job's sources, in the order {@link Job#sources()} gives, to its inputs (in {@code run}: the
 * {@code --input-topic} topics, then the {@code --join-topic}; see {@link JobContext#inputTopics()}).
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

    /** The name of a source read with the methods that take none. */
    public static final String DEFAULT_SOURCE_NAME = "events";

    /**
     * A named source, for a job that reads several ({@link DataStream#union}, joins): like
     * {@link #fromEvents(String, String, WatermarkStrategy)} (Flink's {@code env.fromSource(source, watermarks,
     * name)}).
     *
     * @param name unique in the job, e.g. {@code orders}: the source's state (partition watermarks, positions) is
     *             checkpointed under it; letters, digits, {@code _} and {@code -}
     */
    public static DataStream<Event> fromSource(String name, String keyField, String valueField,
                                               WatermarkStrategy watermarks) {
        return fromSource(name, keyField, valueField, TimestampSpec.defaults(), watermarks);
    }

    /** A named source ({@link #fromSource(String, String, String, WatermarkStrategy)}) with its own timestamps. */
    public static DataStream<Event> fromSource(String name, String keyField, String valueField,
                                               TimestampSpec timestamps, WatermarkStrategy watermarks) {
        return new DataStream<>(JobDraft.of(Job.Stream.of(
                new EventSource(name, keyField, valueField, timestamps, watermarks))));
    }

    /**
     * Like {@link #fromEvents(String, String, WatermarkStrategy)}, with event time read as {@code timestamps} says
     * (another field, nested path or format, or the Kafka record timestamp). Key and value fields may be dotted paths.
     */
    public static DataStream<Event> fromEvents(String keyField, String valueField, TimestampSpec timestamps,
                                               WatermarkStrategy watermarks) {
        return fromSource(DEFAULT_SOURCE_NAME, keyField, valueField, timestamps, watermarks);
    }

    /** What the source decodes and how it assigns watermarks. Immutable. */
    public static final class EventSource {
        private final String name;
        private final String keyField;
        private final String valueField;
        private final WatermarkStrategy watermarks;
        private final TimestampSpec timestamps;

        EventSource(String name, String keyField, String valueField, TimestampSpec timestamps,
                    WatermarkStrategy watermarks) {
            if (name == null || !name.matches("[A-Za-z0-9_-]+")) {
                throw new IllegalArgumentException("a source name is letters, digits, '_' and '-', got '" + name + "'");
            }
            this.name = name;
            this.keyField = TimestampSpec.checkPath(keyField);
            this.valueField = valueField == null ? null : TimestampSpec.checkPath(valueField);
            this.timestamps = Objects.requireNonNull(timestamps, "timestamps");
            this.watermarks = Objects.requireNonNull(watermarks, "watermarks");
        }

        /** The source's name, unique in its job; {@value Pipeline#DEFAULT_SOURCE_NAME} unless given. */
        public String name() { return name; }

        /** Where event time comes from. */
        public TimestampSpec timestamps() { return timestamps; }

        public String keyField() { return keyField; }

        /** {@code null} when the job reads no value field. */
        public String valueField() { return valueField; }

        public WatermarkStrategy watermarks() { return watermarks; }
    }
}
