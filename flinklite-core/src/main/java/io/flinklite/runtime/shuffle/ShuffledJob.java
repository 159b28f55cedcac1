package io.flinklite.runtime.shuffle;

import io.flinklite.api.WindowResult;
import io.flinklite.api.Sink;
import io.flinklite.job.JobSpec;
import io.flinklite.runtime.graph.JobGraph;
import io.flinklite.runtime.graph.JobGraphs;
import io.flinklite.runtime.operator.Output;
import io.flinklite.runtime.window.BuiltinAggregator;
import io.flinklite.runtime.window.WindowOperator;

import java.util.Objects;

/**
 * The built-in job of a {@link JobSpec} as two stages joined by a repartition stream (issue 12, {@code run
 * --scale-out}): a source task per input partition ({@link #sourceGraph}, a {@link JobGraph} the ordinary
 * {@code StreamTask} runs: decode, type filter, the partition's watermark, keyBy, {@link ShuffleWriter}) and a keyed
 * task per repartition partition ({@link #keyedStage}: {@link KeyedStage}, the window operator behind the marker
 * watermark table). Each is instantiated per partition, with its own state; results equal the fused job's.
 */
public final class ShuffledJob {
    private final JobSpec spec;
    private final int maxOpenPartials;

    private ShuffledJob(JobSpec spec, int maxOpenPartials) {
        this.spec = Objects.requireNonNull(spec, "spec");
        this.maxOpenPartials = maxOpenPartials;
    }

    public static ShuffledJob of(JobSpec spec) {
        return new ShuffledJob(spec, ShuffleWriter.DEFAULT_MAX_OPEN_PARTIALS);
    }

    /** The same job with another bound on a source task's open partials (sent early past it). */
    public ShuffledJob withMaxOpenPartials(int max) {
        return new ShuffledJob(spec, max);
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
        return JobGraphs.shuffleSource(spec, idleTimeoutMs, wallClockWhenIdle,
                downstream -> new ShuffleWriter(topic, partition, totalPartitions, spec.window().assigner(),
                        spec.allowedLatenessMs(), new BuiltinAggregator(spec.aggregate().kind(), NO_RESULTS), out,
                        maxOpenPartials, downstream));
    }

    /**
     * A keyed task: its window operator emits the spec's {@link WindowResult}s to {@code results} and late events'
     * original bytes to {@code late} ({@code null}: count only).
     *
     * @param sourceTopics how many input topics feed the repartition stream
     */
    public KeyedStage<WindowResult> keyedStage(int sourceTopics, Sink<WindowResult> results, Sink<byte[]> late) {
        return new KeyedStage<>(out -> new WindowOperator(spec.window().assigner(), spec.allowedLatenessMs(),
                new BuiltinAggregator(spec.aggregate().kind(), out), out), sourceTopics, results, late);
    }

    /** What shapes a keyed task's state: a snapshot of another job is not restored into it. */
    public String keyedFingerprint() {
        return "shuffleKeyed;" + spec.fingerprint();
    }

    /** A source task's partial store never emits; this output says so if it ever did. */
    private static final Output<WindowResult> NO_RESULTS = new Output<>() {
        @Override
        public void emit(WindowResult element, long timestampMs) {
            throw new IllegalStateException("a shuffle writer's partial store emitted a result");
        }

        @Override
        public <X> void emitSide(io.flinklite.api.OutputTag<X> tag, X element, long timestampMs) {
            throw new IllegalStateException("a shuffle writer's partial store emitted a side output");
        }

        @Override
        public void emitWatermark(long watermarkMs) {
        }
    };
}
