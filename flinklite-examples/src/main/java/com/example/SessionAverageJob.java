package com.example;

import io.flinklite.api.Event;
import io.flinklite.api.Job;
import io.flinklite.api.JobContext;
import io.flinklite.api.Pipeline;
import io.flinklite.api.Sinks;
import io.flinklite.api.UserJob;
import io.flinklite.api.WatermarkStrategy;
import io.flinklite.api.WindowAssigner;
import io.flinklite.job.Durations;

import java.util.HashSet;
import java.util.Set;

/**
 * A complete user job: the average of a value field per event type, over session windows (a burst of activity of
 * one type, closed by a gap without events), written to wherever {@code run} sends results — with
 * {@code --jdbc-url}, a PostgreSQL table ({@code count} = events in the session, {@code value} = their average).
 *
 * <pre>
 * bin/flinklite run --jar flinklite-examples/target/flinklite-examples.jar --job com.example.SessionAverageJob \
 *     --job-param gap=30s --jdbc-url jdbc:postgresql://localhost:5432/analytics --output-topic none
 * </pre>
 *
 * <p>Parameters ({@code --job-param KEY=VALUE}): {@code key-field} (default {@code message}), {@code value-field}
 * (default {@code value}), {@code gap} (default {@code 30s}), {@code out-of-orderness} (default {@code 5s}),
 * {@code idle-timeout} (default {@code 30s}), {@code types} (comma-separated, default every type).
 */
public final class SessionAverageJob implements UserJob {

    @Override
    public Job<?, ?, ?> build(JobContext context) {
        String keyField = context.parameter("key-field", "message");
        String valueField = context.parameter("value-field", "value");
        long gapMs = Durations.parseMillis(context.parameter("gap", "30s"));
        long outOfOrdernessMs = Durations.parseMillis(context.parameter("out-of-orderness", "5s"));
        long idleTimeoutMs = Durations.parseMillis(context.parameter("idle-timeout", "30s"));
        String types = context.parameter("types", "");
        if (gapMs <= 0) {
            throw new IllegalArgumentException("gap must be positive, got " + context.parameter("gap", ""));
        }

        // Event time comes from the "timestamp" field; watermarks trail the largest one seen by the out-of-orderness.
        var events = Pipeline.fromEvents(keyField, valueField,
                WatermarkStrategy.forBoundedOutOfOrderness(outOfOrdernessMs).withIdleness(idleTimeoutMs));
        if (!types.isBlank()) {
            Set<String> selected = new HashSet<>();
            for (String type : types.split(",")) {
                selected.add(type.trim());
            }
            events = events.filter(e -> selected.contains(e.key()));
        }
        return events
                .keyBy(Event::key)
                .window(WindowAssigner.session(gapMs))
                .aggregate(new Average(), new Average())
                .sinkTo(Sinks.toWindowResults(context.results(), Average.Result::count, Average.Result::mean));
    }
}
