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
    final Sink<byte[]> lateSink;
    final AggregateFunction<?, ?, ?> function;
    final AccumulatorSerializer<?> serializer;
    final Sink<?> sink;

    private JobDraft(Pipeline.EventSource source, List<Object> transformations, KeySelector<?> keySelector,
                     WindowAssigner assigner, long allowedLatenessMs, Sink<byte[]> lateSink,
                     AggregateFunction<?, ?, ?> function, AccumulatorSerializer<?> serializer, Sink<?> sink) {
        this.source = source;
        this.transformations = transformations;
        this.keySelector = keySelector;
        this.assigner = assigner;
        this.allowedLatenessMs = allowedLatenessMs;
        this.lateSink = lateSink;
        this.function = function;
        this.serializer = serializer;
        this.sink = sink;
    }

    static JobDraft of(Pipeline.EventSource source) {
        return new JobDraft(source, List.of(), null, null, 0, null, null, null, null);
    }

    JobDraft withTransformation(Object fn) {
        List<Object> next = new ArrayList<>(transformations);
        next.add(fn);
        return new JobDraft(source, Collections.unmodifiableList(next), keySelector, assigner, allowedLatenessMs,
                lateSink, function, serializer, sink);
    }

    JobDraft withKeySelector(KeySelector<?> k) {
        return new JobDraft(source, transformations, k, assigner, allowedLatenessMs, lateSink, function, serializer, sink);
    }

    JobDraft withAssigner(WindowAssigner a) {
        return new JobDraft(source, transformations, keySelector, a, allowedLatenessMs, lateSink, function, serializer, sink);
    }

    JobDraft withAllowedLateness(long ms) {
        return new JobDraft(source, transformations, keySelector, assigner, ms, lateSink, function, serializer, sink);
    }

    JobDraft withLateSink(Sink<byte[]> s) {
        return new JobDraft(source, transformations, keySelector, assigner, allowedLatenessMs, s, function, serializer, sink);
    }

    JobDraft withAggregate(AggregateFunction<?, ?, ?> f, AccumulatorSerializer<?> s) {
        return new JobDraft(source, transformations, keySelector, assigner, allowedLatenessMs, lateSink, f, s, sink);
    }

    JobDraft withSink(Sink<?> s) {
        return new JobDraft(source, transformations, keySelector, assigner, allowedLatenessMs, lateSink, function, serializer, s);
    }
}
