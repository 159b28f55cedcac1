package io.flinklite.app.cli;

import io.flinklite.job.Durations;
import picocli.CommandLine;

/** Converts {@code 500ms}, {@code 5s}, {@code 2m}, {@code 1h} to milliseconds; a bad value is a usage error. */
final class DurationConverter implements CommandLine.ITypeConverter<Long> {
    @Override
    public Long convert(String value) {
        try {
            return Durations.parseMillis(value);
        } catch (IllegalArgumentException e) {
            throw new CommandLine.TypeConversionException(e.getMessage());
        }
    }
}
