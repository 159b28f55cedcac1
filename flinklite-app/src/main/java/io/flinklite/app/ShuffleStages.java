package io.flinklite.app;

import io.flinklite.api.Sink;
import io.flinklite.api.Sinks;
import io.flinklite.api.Windowed;
import io.flinklite.app.userjar.UserAggregate;
import io.flinklite.api.WindowResult;
import io.flinklite.runtime.checkpoint.SourcePosition;
import io.flinklite.runtime.checkpoint.TaskId;
import io.flinklite.runtime.metrics.JobMetrics;
import io.flinklite.runtime.shuffle.KeyedStage;
import io.flinklite.runtime.shuffle.ShuffleOutput;
import io.flinklite.runtime.shuffle.ShuffledJob;
import io.flinklite.runtime.state.StateReader;
import io.flinklite.runtime.state.StateWriter;
import io.flinklite.runtime.task.StreamTask;
import io.flinklite.runtime.task.TaskOptions;
import io.flinklite.source.DeadLetterHandler;
import io.flinklite.source.InvalidReason;
import io.flinklite.source.PartitionListener;
import io.flinklite.source.RecordBatch;
import io.flinklite.source.SourceReader;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.util.Arrays;
import java.util.List;
import java.util.Map;
import java.util.function.Function;
import java.util.function.LongSupplier;

/**
 * The built-in job's two stages ({@link ShuffledJob}) as the scale-out task runtime runs them: a source task is the
 * shuffle's source graph on a {@link StreamTask} of its own, fed the records of its one partition by the instance's
 * consumer and stepped once per poll ({@link StreamTask#runOnce()}); a keyed task is a {@link KeyedStage} given each
 * repartition record with its key. The aggregate is the spec's ({@link #builtIn}) or a {@code --aggregate-class}
 * ({@link #userAggregate}); either way the keyed tasks write {@link WindowResult}s.
 *
 * @param <R> what the keyed tasks' window operator emits
 */
final class ShuffleStages<R> implements ScaledKafkaJob.Stages {

    private static final Logger LOG = LoggerFactory.getLogger(ShuffleStages.class);

    private final ShuffledJob<R> job;
    /** The keyed tasks' results as the window operator emits them, into the job's {@link WindowResult} sink. */
    private final Function<Sink<WindowResult>, Sink<? super R>> asResults;
    private final TaskOptions options;
    private final long idleTimeoutMs;
    private final boolean wallClockWhenIdle;
    private final JobMetrics metrics;
    private final String fingerprint;
    private final List<Sink<WindowResult>> resultSinks;
    /** The input topics the source tasks read: keyed tasks wait for a watermark from every partition of each. */
    private final int sourceTopics;

    private ShuffleStages(ShuffledJob<R> job, Function<Sink<WindowResult>, Sink<? super R>> asResults,
                          String fingerprint, KafkaJob.Settings settings, JobMetrics metrics,
                          List<Sink<WindowResult>> resultSinks) {
        this.job = job;
        this.asResults = asResults;
        this.options = settings.taskOptions();
        this.idleTimeoutMs = settings.idleTimeoutMs;
        this.wallClockWhenIdle = settings.wallClockWhenIdle;
        this.metrics = metrics;
        this.fingerprint = fingerprint;
        this.resultSinks = List.copyOf(resultSinks);
        this.sourceTopics = settings.inputTopics().size();
    }

    /**
     * The spec's own aggregate (count, sum, min, max, avg).
     *
     * @param resultSinks the plug-in result sinks the keyed tasks' results also go to (as the fused job's)
     */
    static ShuffleStages<WindowResult> builtIn(KafkaJob.Settings settings, JobMetrics metrics,
                                               List<Sink<WindowResult>> resultSinks) {
        return new ShuffleStages<>(ShuffledJob.of(settings.spec()), sink -> sink, settings.spec().fingerprint(),
                settings, metrics, resultSinks);
    }

    /**
     * A {@code --aggregate-class} over the events' {@code valueField}: partials are its accumulators (with the count),
     * combined with its {@code merge}; results keep the window count, as the fused job's. The fingerprint names the
     * class and the field, so a snapshot of another aggregate is refused.
     */
    static <A> ShuffleStages<Windowed<UserAggregate.CountAndValue>> userAggregate(KafkaJob.Settings settings,
            JobMetrics metrics, List<Sink<WindowResult>> resultSinks, UserAggregate.Counting<A> aggregate,
            String valueField) {
        return new ShuffleStages<>(ShuffledJob.of(settings.spec(), valueField, aggregate, aggregate),
                sink -> Sinks.toWindowResults(sink, UserAggregate.CountAndValue::count,
                        UserAggregate.CountAndValue::value),
                settings.spec().fingerprint() + ";aggregateClass=" + aggregate.className()
                        + (valueField == null ? "" : ";valueField=" + valueField),
                settings, metrics, resultSinks);
    }

    @Override
    public Sink<WindowResult> resultSink(Sink<WindowResult> kafka) {
        return JobLauncher.withResultSinks(kafka, resultSinks);
    }

    @Override
    public String fingerprint() {
        return fingerprint;
    }

    @Override
    public ScaledKafkaJob.StageTask sourceTask(TaskId id, int sourcePartitions, ScaledKafkaJob.Repartition out,
                                               DeadLetterHandler deadLetters, LongSupplier lag) {
        ShuffleOutput shuffle = new ShuffleOutput() {
            @Override
            public int partitions() {
                return out.partitions();
            }

            @Override
            public void send(int partition, byte[] key, int keyLength, byte[] value, int valueLength) {
                // The writer reuses its arrays; the producer keeps what it is given until sent.
                out.send(partition, key == null ? null : Arrays.copyOf(key, keyLength), Arrays.copyOf(value, valueLength));
            }
        };
        PartitionFeed feed = new PartitionFeed(id, lag);
        // The feed calls the partition 0; dead letters name the real one.
        DeadLetterHandler named = (partition, offset, payload, payloadOffset, payloadLength, reason, detail) ->
                deadLetters.deadLetter(id.partition(), offset, payload, payloadOffset, payloadLength, reason, detail);
        StreamTask task = new StreamTask(job.sourceGraph(id.topic(), id.partition(), sourcePartitions, idleTimeoutMs,
                wallClockWhenIdle, shuffle), List.of(feed), options, named, metrics);
        return new SourceTask(id, feed, task);
    }

    @Override
    public ScaledKafkaJob.StageTask keyedTask(TaskId id, Sink<WindowResult> results, Sink<byte[]> late) {
        return new KeyedTask(id, job.keyedStage(sourceTopics, asResults.apply(results), late), metrics);
    }

    /**
     * The reader of a source task: its one partition (partition 0 to the task), holding the records the consumer
     * delivered since the last step. The consumer's lag of the partition is the task's.
     */
    private static final class PartitionFeed implements SourceReader {
        private final TaskId id;
        private final LongSupplier lag;
        /**
         * The consumer's batch the pending records are in, and their indexes in it: copied into the task's batch
         * once, at its poll, rather than into a batch of their own first.
         */
        private RecordBatch from;
        private int[] pending = new int[256];
        private int pendingCount;
        private boolean announced;

        PartitionFeed(TaskId id, LongSupplier lag) {
            this.id = id;
            this.lag = lag;
        }

        /**
         * Record {@code i} of {@code batch} is the partition's next; {@code batch} stays as it is until the task's
         * next poll ({@link ScaledKafkaJob.StageTask#process}: the job steps every task after each consumer batch).
         */
        void add(RecordBatch batch, int i) {
            from = batch;
            if (pendingCount == pending.length) {
                pending = Arrays.copyOf(pending, pendingCount * 2);
            }
            pending[pendingCount++] = i;
        }

        @Override
        public boolean poll(RecordBatch batch, PartitionListener listener, long timeoutMs) {
            if (!announced) {
                announced = true;
                listener.partitionAssigned(0);
            }
            for (int k = 0; k < pendingCount; k++) {
                int i = pending[k];
                batch.add(0, from.offset(i), from.timestamp(i), from.payload(i), from.payloadOffset(i),
                        from.payloadLength(i));
            }
            pendingCount = 0;
            return true; // unbounded: a moved partition ends the task, not its input
        }

        @Override
        public int partitionCount() {
            return 1;
        }

        @Override
        public void restorePositions(Map<Integer, Long> nextOffsets) {
            // The task manager seeks the consumer to the snapshot's positions.
        }

        @Override
        public String topicOf(int partition) {
            return id.topic();
        }

        @Override
        public long lag(int partition) {
            return lag.getAsLong();
        }

        @Override
        public void close() { }
    }

    private static final class SourceTask implements ScaledKafkaJob.StageTask {
        private final TaskId id;
        private final PartitionFeed feed;
        private final StreamTask task;

        SourceTask(TaskId id, PartitionFeed feed, StreamTask task) {
            this.id = id;
            this.feed = feed;
            this.task = task;
        }

        @Override
        public void process(RecordBatch batch, int i, byte[] key) {
            feed.add(batch, i);
        }

        @Override
        public void afterBatch(long nowMs) throws Exception {
            task.runOnce();
        }

        @Override
        public void flush() throws Exception {
            task.flushSinks();
        }

        @Override
        public List<SourcePosition> positions() {
            Long next = task.positions(0).get(0);
            return next == null ? List.of()
                    : List.of(new SourcePosition(id.topic(), id.partition(), next, task.partitionWatermark(0, 0)));
        }

        @Override
        public long watermarkMs() {
            return task.watermarkMs();
        }

        @Override
        public void snapshotState(StateWriter out) {
            task.snapshotState(out);
        }

        @Override
        public void restoreState(StateReader in) {
            task.restoreState(in);
        }
    }

    private static final class KeyedTask implements ScaledKafkaJob.StageTask {
        private final TaskId id;
        private final KeyedStage<?> stage;
        private final JobMetrics metrics;
        private long nextOffset = -1;
        private long invalidLogged;
        private long duplicatesPublished;
        /** The window operator counts from 0 in every run of the task (not in its snapshot). */
        private long latePartialsPublished;

        KeyedTask(TaskId id, KeyedStage<?> stage, JobMetrics metrics) {
            this.id = id;
            this.stage = stage;
            this.metrics = metrics;
            // By task: every keyed task runs the same window operator, and the totals add them up.
            stage.windowOperator().reportGaugesTo(metrics.windowTask(id.key()));
        }

        @Override
        public void close() {
            metrics.removeWindowTask(id.key());
        }

        @Override
        public void process(RecordBatch batch, int i, byte[] key) throws Exception {
            byte[] value = batch.payload(i);
            if (value == null) {
                metrics.addInvalid(InvalidReason.NULL_VALUE, 1);
            } else {
                try {
                    stage.process(key, 0, key == null ? 0 : key.length, value, batch.payloadOffset(i),
                            batch.payloadLength(i));
                } catch (KeyedStage.OtherJobException e) {
                    throw new IllegalArgumentException("task " + id + ": " + e.getMessage(), e);
                }
            }
            nextOffset = batch.offset(i) + 1;
        }

        @Override
        public void afterBatch(long nowMs) {
            stage.publishMetrics(metrics);
            long duplicates = stage.duplicatesSkipped();
            metrics.addShuffleDuplicatesSkipped(duplicates - duplicatesPublished);
            duplicatesPublished = duplicates;
            long latePartials = stage.windowOperator().latePartials();
            if (latePartials > latePartialsPublished) {
                // Whole pre-aggregated panes: their events are in no result, and no per-event late counter saw them.
                metrics.addShuffleLatePartials(latePartials - latePartialsPublished);
                LOG.warn("task {}: {} partial(s) dropped, all windows of their panes had closed: a source partition"
                        + " is behind the job's watermark (added to the input while the job ran?); their events are"
                        + " in no result (flinklite_shuffle_late_partials_total)", id,
                        latePartials - latePartialsPublished);
                latePartialsPublished = latePartials;
            }
            long invalid = stage.invalidRecords();
            if (invalid > invalidLogged) {
                // Not a user's record: something else wrote to the job's internal topic. Counted, skipped, said.
                LOG.warn("task {}: {} invalid record(s) in the repartition topic skipped; last: {}", id,
                        invalid - invalidLogged, stage.lastInvalid());
                invalidLogged = invalid;
            }
        }

        @Override
        public void flush() { }

        @Override
        public List<SourcePosition> positions() {
            return nextOffset < 0 ? List.of()
                    : List.of(new SourcePosition(id.topic(), id.partition(), nextOffset, stage.watermark()));
        }

        @Override
        public long watermarkMs() {
            return stage.watermark();
        }

        @Override
        public void snapshotState(StateWriter out) {
            out.writeLong("nextOffset", nextOffset);
            out.writeLong("invalidLogged", invalidLogged);
            out.beginObject(KeyedStage.SNAPSHOT_FIELD);
            stage.snapshotState(out);
            out.endObject();
        }

        @Override
        public void restoreState(StateReader in) {
            nextOffset = in.readLong("nextOffset");
            invalidLogged = in.readLong("invalidLogged");
            in.beginObject(KeyedStage.SNAPSHOT_FIELD);
            stage.restoreState(in);
            in.endObject();
            duplicatesPublished = stage.duplicatesSkipped(); // counted by the run that skipped them
        }
    }
}
