package io.flinklite.app.cli;

import io.flinklite.job.AggregateSpec;
import io.flinklite.job.JobSpec;
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
            defaultValue = "sliding:10s:5s")
    WindowSpec window;

    @Option(names = "--out-of-orderness", paramLabel = "DURATION", converter = DurationConverter.class,
            description = "Bound of the watermark: W = max timestamp - this - 1 (default: ${DEFAULT-VALUE}).",
            defaultValue = "5s")
    long outOfOrdernessMs;

    @Option(names = "--allowed-lateness", paramLabel = "DURATION", converter = DurationConverter.class,
            description = "How long after a window fired a late event still updates it (default: ${DEFAULT-VALUE}).",
            defaultValue = "0s")
    long allowedLatenessMs;

    @Option(names = "--types", paramLabel = "T1,T2|*",
            description = "Key values to keep; * keeps all (default: ${DEFAULT-VALUE}).",
            defaultValue = "important,critical")
    String types;

    @Option(names = "--key-field", paramLabel = "FIELD",
            description = "The JSON string field to filter and key by (default: ${DEFAULT-VALUE}).",
            defaultValue = "message")
    String keyField;

    @Option(names = "--aggregate", paramLabel = "AGG", converter = AggregateConverter.class,
            description = "count, sum:FIELD, min:FIELD, max:FIELD or avg:FIELD (default: ${DEFAULT-VALUE}).",
            defaultValue = "count")
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
            return spec.withKeyField(keyField);
        } catch (IllegalArgumentException e) {
            throw new IllegalArgumentException("--key-field: " + e.getMessage(), e);
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
