package io.flinklite.api;

import java.util.ArrayList;
import java.util.Collections;
import java.util.List;

/**
 * Everything said about a job so far, carried from one builder step to the next ({@link DataStream} to {@link Job}).
 * Immutable once a {@code with...} has returned it: each returns a changed copy. The builder types give it its
 * static typing.
 */
final class JobDraft {
    /** The (first) input: sources, unions and the transformations up to the key. */
    private Job.Stream stream;
    private KeySelector<?> keySelector;
    private WindowAssigner assigner;
    private long allowedLatenessMs;
    private List<Sink<byte[]>> lateSinks = List.of();
    private AggregateFunction<?, ?, ?> function;
    private AccumulatorSerializer<?> serializer;
    private List<Sink<?>> sinks = List.of();
    /** The process function of a job built with {@link KeyedStream#process}; {@code null} otherwise. */
    private KeyedProcessFunction<?, ?> processFunction;
    /** A process job's side outputs with their sinks, in the order given. */
    private List<Job.SideOutput<?>> sideOutputs = List.of();
    /** The join of a join job ({@link KeyedStream#intervalJoin}, {@link DataStream#join}); {@code null} otherwise. */
    private Job.Join join;

    private JobDraft() {
    }

    static JobDraft of(Job.Stream stream) {
        JobDraft d = new JobDraft();
        d.stream = stream;
        return d;
    }

    private JobDraft copy() {
        JobDraft d = new JobDraft();
        d.stream = stream;
        d.keySelector = keySelector;
        d.assigner = assigner;
        d.allowedLatenessMs = allowedLatenessMs;
        d.lateSinks = lateSinks;
        d.function = function;
        d.serializer = serializer;
        d.sinks = sinks;
        d.processFunction = processFunction;
        d.sideOutputs = sideOutputs;
        d.join = join;
        return d;
    }

    Job.Stream stream() { return stream; }
    KeySelector<?> keySelector() { return keySelector; }
    WindowAssigner assigner() { return assigner; }
    long allowedLatenessMs() { return allowedLatenessMs; }
    List<Sink<byte[]>> lateSinks() { return lateSinks; }
    AggregateFunction<?, ?, ?> function() { return function; }
    AccumulatorSerializer<?> serializer() { return serializer; }
    List<Sink<?>> sinks() { return sinks; }
    KeyedProcessFunction<?, ?> processFunction() { return processFunction; }
    List<Job.SideOutput<?>> sideOutputs() { return sideOutputs; }
    Job.Join join() { return join; }

    JobDraft withStream(Job.Stream s) {
        JobDraft d = copy();
        d.stream = s;
        return d;
    }

    JobDraft withKeySelector(KeySelector<?> k) {
        JobDraft d = copy();
        d.keySelector = k;
        return d;
    }

    JobDraft withAssigner(WindowAssigner a) {
        JobDraft d = copy();
        d.assigner = a;
        return d;
    }

    JobDraft withAllowedLateness(long ms) {
        JobDraft d = copy();
        d.allowedLatenessMs = ms;
        return d;
    }

    JobDraft withLateSink(Sink<byte[]> s) {
        JobDraft d = copy();
        d.lateSinks = appended(lateSinks, s);
        return d;
    }

    JobDraft withAggregate(AggregateFunction<?, ?, ?> f, AccumulatorSerializer<?> s) {
        JobDraft d = copy();
        d.function = f;
        d.serializer = s;
        return d;
    }

    JobDraft withSink(Sink<?> s) {
        JobDraft d = copy();
        d.sinks = appended(sinks, s);
        return d;
    }

    JobDraft withProcess(KeyedProcessFunction<?, ?> f) {
        JobDraft d = copy();
        d.processFunction = f;
        return d;
    }

    JobDraft withSideOutput(Job.SideOutput<?> side) {
        JobDraft d = copy();
        d.sideOutputs = appended(sideOutputs, side);
        return d;
    }

    JobDraft withJoin(Job.Join j) {
        JobDraft d = copy();
        d.join = j;
        return d;
    }

    static <T> List<T> appended(List<T> list, T item) {
        List<T> next = new ArrayList<>(list);
        next.add(item);
        return Collections.unmodifiableList(next);
    }
}
