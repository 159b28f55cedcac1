package io.flinklite.app.cli;

import io.flinklite.job.AggregateSpec;
import io.flinklite.job.JobSpec;
import io.flinklite.job.TimestampSpec;
import io.flinklite.job.WindowSpec;
import picocli.CommandLine;
import picocli.CommandLine.Option;

/**
 * The flags that shape the built-in job, the same as {@code replay}'s, shared by {@code run} and {@code demo}.
 * Values are checked while flags are parsed, so a bad one is a usage error naming the flag.
 */
public final class JobOptions {

    @Option(names = "--window", paramLabel = "SPEC", converter = WindowConverter.class,
            description = "sliding:SIZE:SLIDE[:OFFSET], tumbling:SIZE[:OFFSET] or session:GAP (default: ${DEFAULT-VALUE}).",
            defaultValue = JobSpec.DEFAULT_WINDOW)
    WindowSpec window;

    @Option(names = "--out-of-orderness", paramLabel = "DURATION", converter = DurationConverter.class,
            description = "Bound of the watermark: W = max timestamp - this - 1 (default: ${DEFAULT-VALUE}).",
            defaultValue = JobSpec.DEFAULT_OUT_OF_ORDERNESS)
    long outOfOrdernessMs;

    @Option(names = "--allowed-lateness", paramLabel = "DURATION", converter = DurationConverter.class,
            description = "How long after a window fired a late event still updates it (default: ${DEFAULT-VALUE}).",
            defaultValue = JobSpec.DEFAULT_ALLOWED_LATENESS)
    long allowedLatenessMs;

    @Option(names = "--types", paramLabel = "T1,T2|*",
            description = "Key values to keep; * keeps all (default: ${DEFAULT-VALUE}).",
            defaultValue = JobSpec.DEFAULT_TYPES)
    String types;

    @Option(names = "--key-field", paramLabel = "FIELD",
            description = "The JSON string field to filter and key by; a dotted path reads a nested field, "
                    + "e.g. user.kind (default: ${DEFAULT-VALUE}).",
            defaultValue = JobSpec.DEFAULT_KEY_FIELD)
    String keyField;

    @Option(names = "--event-time", paramLabel = "field|kafka", converter = EventTimeConverter.class,
            description = "Where event time comes from: the --timestamp-field of the JSON value, or the Kafka "
                    + "record's own timestamp (default: ${DEFAULT-VALUE}).",
            defaultValue = "field")
    TimestampSpec.Source eventTime;

    @Option(names = "--timestamp-field", paramLabel = "FIELD",
            description = "The JSON field holding event time; a dotted path reads a nested field, e.g. payload.ts "
                    + "(default: ${DEFAULT-VALUE}).",
            defaultValue = TimestampSpec.DEFAULT_FIELD)
    String timestampField;

    @Option(names = "--timestamp-format", paramLabel = "FORMAT", converter = TimestampFormatConverter.class,
            description = "epoch-ms (integer milliseconds), epoch-s (seconds, integer or decimal) or iso-8601 "
                    + "(e.g. 2026-12-01T10:00:00Z; an offset or Z is required) (default: ${DEFAULT-VALUE}).",
            defaultValue = "epoch-ms")
    TimestampSpec.Format timestampFormat;

    @Option(names = "--aggregate", paramLabel = "AGG", converter = AggregateConverter.class,
            description = "count, sum:FIELD, min:FIELD, max:FIELD or avg:FIELD (default: ${DEFAULT-VALUE}).",
            defaultValue = JobSpec.DEFAULT_AGGREGATE)
    AggregateSpec aggregate;

    /**
     * The job these flags describe.
     *
     * @throws IllegalArgumentException naming the flag, for a value only the whole spec can judge
     */
    public JobSpec spec() {
        JobSpec spec = JobSpec.defaults()
                .withWindow(window)
                .withOutOfOrdernessMs(outOfOrdernessMs)
                .withAllowedLatenessMs(allowedLatenessMs)
                .withAggregate(aggregate);
        try {
            spec = spec.withTypes(JobSpec.parseTypes(types));
        } catch (IllegalArgumentException e) {
            throw new IllegalArgumentException("--types: " + e.getMessage(), e);
        }
        try {
            spec = spec.withKeyField(keyField);
        } catch (IllegalArgumentException e) {
            throw new IllegalArgumentException("--key-field: " + e.getMessage(), e);
        }
        TimestampSpec timestamps;
        try {
            timestamps = TimestampSpec.defaults().withField(timestampField);
        } catch (IllegalArgumentException e) {
            throw new IllegalArgumentException("--timestamp-field: " + e.getMessage(), e);
        }
        if (eventTime == TimestampSpec.Source.KAFKA
                && (!timestampField.equals(TimestampSpec.DEFAULT_FIELD) || timestampFormat != TimestampSpec.Format.EPOCH_MS)) {
            // They would be silently ignored: the record timestamp is already milliseconds.
            throw new UsageException("--event-time", "kafka", "the Kafka record timestamp is the event time, so "
                    + "--timestamp-field and --timestamp-format do not apply; leave them out, or use --event-time field");
        }
        return spec.withTimestamps(timestamps.withSource(eventTime).withFormat(timestampFormat));
    }

    static final class EventTimeConverter implements CommandLine.ITypeConverter<TimestampSpec.Source> {
        @Override
        public TimestampSpec.Source convert(String value) {
            try {
                return TimestampSpec.Source.parse(value);
            } catch (IllegalArgumentException e) {
                throw new CommandLine.TypeConversionException(e.getMessage());
            }
        }
    }

    static final class TimestampFormatConverter implements CommandLine.ITypeConverter<TimestampSpec.Format> {
        @Override
        public TimestampSpec.Format convert(String value) {
            try {
                return TimestampSpec.Format.parse(value);
            } catch (IllegalArgumentException e) {
                throw new CommandLine.TypeConversionException(e.getMessage());
            }
        }
    }

    static final class WindowConverter implements CommandLine.ITypeConverter<WindowSpec> {
        @Override
        public WindowSpec convert(String value) {
            try {
                return WindowSpec.parse(value);
            } catch (IllegalArgumentException e) {
                throw new CommandLine.TypeConversionException(e.getMessage());
            }
        }
    }

    static final class AggregateConverter implements CommandLine.ITypeConverter<AggregateSpec> {
        @Override
        public AggregateSpec convert(String value) {
            try {
                return AggregateSpec.parse(value);
            } catch (IllegalArgumentException e) {
                throw new CommandLine.TypeConversionException(e.getMessage());
            }
        }
    }
}
