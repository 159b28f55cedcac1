package io.flinklite.runtime.shuffle;

import io.flinklite.api.AccumulatorSerializer;
import io.flinklite.api.AggregateFunction;
import io.flinklite.api.Event;
import io.flinklite.api.OutputTag;
import io.flinklite.api.Sink;
import io.flinklite.api.WindowResult;
import io.flinklite.api.Windowed;
import io.flinklite.job.AggregateSpec;
import io.flinklite.job.JobSpec;
import io.flinklite.runtime.graph.JobGraph;
import io.flinklite.runtime.graph.JobGraphs;
import io.flinklite.runtime.operator.Output;
import io.flinklite.runtime.window.BuiltinAggregator;
import io.flinklite.runtime.window.UserAggregator;
import io.flinklite.runtime.window.WindowAggregator;
import io.flinklite.runtime.window.WindowOperator;

import java.util.Objects;
import java.util.function.Function;

/**
 * The built-in job of a {@link JobSpec} as two stages joined by a repartition stream (issue 12, {@code run
 * --scale-out}): a source task per input partition ({@link #sourceGraph}, a {@link JobGraph} the ordinary
 * {@code StreamTask} runs: decode, type filter, the partition's watermark, keyBy, {@link ShuffleWriter}) and a keyed
 * task per repartition partition ({@link #keyedStage}: {@link KeyedStage}, the window operator behind the marker
 * watermark table). Each is instantiated per partition, with its own state; results equal the fused job's.
 *
 * @param <R> the result type: {@link WindowResult} for the built-in aggregates, {@link Windowed} for a user function
 */
public final class ShuffledJob<R> {
    private final JobSpec spec;
    private final String valueField;
    /** Builds the job's aggregator around an output (the keyed task's, or one that never emits for partials). */
    private final Function<Output<Object>, WindowAggregator> aggregator;
    private final String shape;
    private final int maxOpenPartials;

    private ShuffledJob(JobSpec spec, String valueField, Function<Output<Object>, WindowAggregator> aggregator,
                        String shape, int maxOpenPartials) {
        this.spec = Objects.requireNonNull(spec, "spec");
        this.valueField = valueField;
        this.aggregator = aggregator;
        this.shape = shape;
        this.maxOpenPartials = maxOpenPartials;
    }

    /** The built-in job: the spec's count, sum, min, max or avg. */
    public static ShuffledJob<WindowResult> of(JobSpec spec) {
        AggregateSpec.Kind kind = spec.aggregate().kind();
        return new ShuffledJob<>(spec, null, out -> new BuiltinAggregator(kind, out), "",
                ShuffleWriter.DEFAULT_MAX_OPEN_PARTIALS);
    }

    /**
     * The built-in job's types, key, window and lateness with a user aggregate function over the events (as {@code
     * --aggregate-class}); its accumulators are shipped as {@code serializer}'s text and combined with its
     * {@link AggregateFunction#merge}.
     *
     * @param valueField the JSON number field put in {@link Event#value()} (every event needs it), or {@code null}
     */
    public static <ACC, OUT> ShuffledJob<Windowed<OUT>> of(JobSpec spec, String valueField,
                                                         AggregateFunction<? super Event, ACC, OUT> function,
                                                         AccumulatorSerializer<ACC> serializer) {
        Objects.requireNonNull(function, "function");
        Objects.requireNonNull(serializer, "serializer");
        return new ShuffledJob<>(spec, valueField, out -> new UserAggregator<>(function, serializer, out),
                "aggregate=" + function.getClass().getName() + ";", ShuffleWriter.DEFAULT_MAX_OPEN_PARTIALS);
    }

    /** The same job with another bound on a source task's open partials (sent early past it). */
    public ShuffledJob<R> withMaxOpenPartials(int max) {
        return new ShuffledJob<>(spec, valueField, aggregator, shape, max);
    }

    public JobSpec spec() { return spec; }

    /**
     * The graph of the source task reading {@code topic}'s {@code partition} (of {@code totalPartitions}); its
     * writer's state is snapshotted under {@value JobGraphs#SHUFFLE}. Run it with a reader of that partition only:
     * the graph's watermark is the partition's.
     */
    public JobGraph sourceGraph(String topic, int partition, int totalPartitions, long idleTimeoutMs,
                                boolean wallClockWhenIdle, ShuffleOutput out) {
        Objects.requireNonNull(out, "out");
        return JobGraphs.shuffleSource(spec, valueField, idleTimeoutMs, wallClockWhenIdle,
                downstream -> new ShuffleWriter(topic, partition, totalPartitions,
                        ShuffleRecords.jobHash(keyedFingerprint()), spec.window().assigner(),
                        spec.allowedLatenessMs(), aggregator.apply(NO_RESULTS), out, maxOpenPartials, downstream));
    }

    /**
     * A keyed task: its window operator emits the job's results to {@code results} and late events' original bytes
     * to {@code late} ({@code null}: count only).
     *
     * @param sourceTopics how many input topics feed the repartition stream
     */
    public KeyedStage<R> keyedStage(int sourceTopics, Sink<? super R> results, Sink<byte[]> late) {
        return new KeyedStage<>(out -> new WindowOperator(spec.window().assigner(), spec.allowedLatenessMs(),
                aggregator.apply(out), out), sourceTopics, keyedFingerprint(), results, late);
    }

    /** Storage for a source task's partials of a built-in aggregate: the aggregator, never emitting. */
    public static BuiltinAggregator partialStore(AggregateSpec.Kind kind) {
        return new BuiltinAggregator(kind, NO_RESULTS);
    }

    /** What shapes a keyed task's state: a snapshot of another job is not restored into it. */
    public String keyedFingerprint() {
        return "shuffleKeyed;" + shape + (valueField == null ? "" : "valueField=" + valueField + ";")
                + spec.fingerprint();
    }

    /** A source task's partial store never emits; this output says so if it ever did. */
    private static final Output<Object> NO_RESULTS = new Output<>() {
        @Override
        public void emit(Object element, long timestampMs) {
            throw new IllegalStateException("a shuffle writer's partial store emitted a result");
        }

        @Override
        public <X> void emitSide(OutputTag<X> tag, X element, long timestampMs) {
            throw new IllegalStateException("a shuffle writer's partial store emitted a side output");
        }

        @Override
        public void emitWatermark(long watermarkMs) {
        }
    };
}
