package io.flinklite.api;

import java.util.ArrayList;
import java.util.Collections;
import java.util.List;

/**
 * Everything said about a job so far, carried from one builder step to the next ({@link DataStream} to {@link Job}).
 * Immutable; each {@code with...} returns a copy. The builder types give it its static typing.
 */
final class JobDraft {
    final Pipeline.EventSource source;
    final List<Object> transformations;
    final KeySelector<?> keySelector;
    final WindowAssigner assigner;
    final long allowedLatenessMs;
    final List<Sink<byte[]>> lateSinks;
    final AggregateFunction<?, ?, ?> function;
    final AccumulatorSerializer<?> serializer;
    final List<Sink<?>> sinks;

    private JobDraft(Pipeline.EventSource source, List<Object> transformations, KeySelector<?> keySelector,
                     WindowAssigner assigner, long allowedLatenessMs, List<Sink<byte[]>> lateSinks,
                     AggregateFunction<?, ?, ?> function, AccumulatorSerializer<?> serializer, List<Sink<?>> sinks) {
        this.source = source;
        this.transformations = transformations;
        this.keySelector = keySelector;
        this.assigner = assigner;
        this.allowedLatenessMs = allowedLatenessMs;
        this.lateSinks = lateSinks;
        this.function = function;
        this.serializer = serializer;
        this.sinks = sinks;
    }

    static JobDraft of(Pipeline.EventSource source) {
        return new JobDraft(source, List.of(), null, null, 0, List.of(), null, null, List.of());
    }

    JobDraft withTransformation(Object fn) {
        List<Object> next = new ArrayList<>(transformations);
        next.add(fn);
        return new JobDraft(source, Collections.unmodifiableList(next), keySelector, assigner, allowedLatenessMs,
                lateSinks, function, serializer, sinks);
    }

    JobDraft withKeySelector(KeySelector<?> k) {
        return new JobDraft(source, transformations, k, assigner, allowedLatenessMs, lateSinks, function, serializer, sinks);
    }

    JobDraft withAssigner(WindowAssigner a) {
        return new JobDraft(source, transformations, keySelector, a, allowedLatenessMs, lateSinks, function, serializer, sinks);
    }

    JobDraft withAllowedLateness(long ms) {
        return new JobDraft(source, transformations, keySelector, assigner, ms, lateSinks, function, serializer, sinks);
    }

    JobDraft withLateSink(Sink<byte[]> s) {
        return new JobDraft(source, transformations, keySelector, assigner, allowedLatenessMs, appended(lateSinks, s),
                function, serializer, sinks);
    }

    JobDraft withAggregate(AggregateFunction<?, ?, ?> f, AccumulatorSerializer<?> s) {
        return new JobDraft(source, transformations, keySelector, assigner, allowedLatenessMs, lateSinks, f, s, sinks);
    }

    JobDraft withSink(Sink<?> s) {
        return new JobDraft(source, transformations, keySelector, assigner, allowedLatenessMs, lateSinks, function,
                serializer, appended(sinks, s));
    }

    private static <T> List<T> appended(List<T> list, T item) {
        List<T> next = new ArrayList<>(list);
        next.add(item);
        return Collections.unmodifiableList(next);
    }
}
