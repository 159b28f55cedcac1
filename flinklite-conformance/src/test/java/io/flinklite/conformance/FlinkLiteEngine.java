package io.flinklite.conformance;

import io.flinklite.api.AccumulatorSerializer;
import io.flinklite.api.AggregateFunction;
import io.flinklite.api.Event;
import io.flinklite.api.Job;
import io.flinklite.api.Pipeline;
import io.flinklite.api.Sink;
import io.flinklite.api.WatermarkStrategy;
import io.flinklite.api.WindowResult;
import io.flinklite.api.Windowed;
import io.flinklite.job.AggregateSpec;
import io.flinklite.job.JobSpec;
import io.flinklite.runtime.metrics.JobMetrics;
import io.flinklite.runtime.replay.ArraySourceReader;
import io.flinklite.runtime.replay.Replay;
import io.flinklite.runtime.replay.ReplayStats;
import io.flinklite.runtime.replay.ShuffleReplay;
import io.flinklite.runtime.shuffle.ShuffledJob;
import io.flinklite.runtime.state.MemoryState;
import io.flinklite.runtime.task.StreamTask;
import io.flinklite.runtime.task.TaskOptions;
import io.flinklite.source.DeadLetterHandler;
import io.flinklite.source.PartitionListener;
import io.flinklite.source.RecordBatch;
import io.flinklite.source.SourceReader;
import java.io.ByteArrayInputStream;
import java.io.InputStream;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.SplittableRandom;

/**
 * FlinkLite under test: the {@code replay} engine over the case's lines, from memory or from a stream; the same job
 * interrupted by snapshots and restores; and the same job written against the public Java API.
 */
final class FlinkLiteEngine {

    /**
     * One run: the outcome, plus how many invalid lines it counted and how many it reported; {@code stats} is
     * {@code null} but for {@code Replay} runs.
     */
    record Run(Outcome outcome, long invalidLines, int invalidReports, ReplayStats stats) {
    }

    private FlinkLiteEngine() {
    }

    /** Replays the lines as pre-serialized events in memory, as the benchmark does. */
    static Run run(ConformanceCase c) throws Exception {
        return replay(c, null);
    }

    /**
     * Replays the lines as one UTF-8 stream, as {@code flinklite replay --input} does, joined by {@code \n}, with or
     * without a final line terminator.
     */
    static Run runFromStream(ConformanceCase c, boolean finalNewline) throws Exception {
        StringBuilder text = new StringBuilder();
        for (String line : c.lines()) {
            text.append(line).append('\n');
        }
        if (!finalNewline && text.length() > 0) {
            text.setLength(text.length() - 1);
        }
        return replay(c, new ByteArrayInputStream(text.toString().getBytes(StandardCharsets.UTF_8)));
    }

    /**
     * Runs the case as a user job written against the public Java API (as Flink's DataStream API would have it):
     * {@code Pipeline.fromEvents -> filter(type) -> keyBy(key) -> window -> allowedLateness -> sideOutputLateData ->
     * aggregate(user AggregateFunction) -> sinkTo}, so that the user-function path (filters, {@code UserAggregator},
     * pane and session merges through the user's {@code merge}) meets the same truth as the built-in job.
     */
    static Run runUserApi(ConformanceCase c) throws Exception {
        JobSpec spec = c.spec();
        List<WindowResult> results = new ArrayList<>();
        List<String> late = new ArrayList<>();
        long[] invalid = new long[1];
        Set<String> types = spec.types();
        AggregateSpec.Kind kind = spec.aggregate().kind();
        Job<Event, Stats, Stats> job = Pipeline.fromEvents(spec.keyField(), spec.aggregate().field(),
                        WatermarkStrategy.forBoundedOutOfOrderness(spec.outOfOrdernessMs()))
                .filter(e -> types == null || types.contains(e.key()))
                .keyBy(Event::key)
                .window(spec.window().assigner())
                .allowedLateness(spec.allowedLatenessMs())
                .sideOutputLateData(bytes -> late.add(new String(bytes, StandardCharsets.UTF_8)))
                .aggregate(new StatsFunction(), new StatsSerializer())
                .sinkTo(w -> results.add(w.value().toResult(kind, w.key(), w.windowStart(), w.windowEnd())));
        DeadLetterHandler countInvalid = (partition, offset, payload, off, len, reason, detail) -> invalid[0]++;
        StreamTask.forJob(job, TaskOptions.replay(), new ArraySourceReader(c.linesAsBytes()), countInvalid, new JobMetrics())
                .run();
        return new Run(new Outcome(results, late), invalid[0], (int) invalid[0], null);
    }

    /**
     * Runs the built-in job in up to four task incarnations: each reads the lines in batches of random sizes, and
     * after a random number of batches snapshots its whole state into memory and stops; the next, a fresh task,
     * restores that snapshot (positions included) and carries on, as after a crash and a restart from a checkpoint.
     * Results and late lines of all incarnations together must equal an uninterrupted run, hence Flink's.
     *
     * @param seed decides the batch sizes and where the snapshots fall
     */
    static Run runWithRestarts(ConformanceCase c, long seed) throws Exception {
        SplittableRandom rnd = new SplittableRandom(seed);
        byte[][] events = c.linesAsBytes();
        List<WindowResult> results = new ArrayList<>();
        List<String> late = new ArrayList<>();
        long[] invalid = new long[1];
        Sink<byte[]> lateSink = bytes -> late.add(new String(bytes, StandardCharsets.UTF_8));
        DeadLetterHandler countInvalid = (partition, offset, payload, off, len, reason, detail) -> invalid[0]++;
        MemoryState restoreFrom = null;
        for (int incarnation = 0; ; incarnation++) {
            StreamTask task = StreamTask.forSpec(c.spec(), TaskOptions.replay(), new RandomBatches(events, rnd.split()),
                    results::add, lateSink, countInvalid, new JobMetrics());
            if (restoreFrom != null) {
                task.restoreState(restoreFrom.reader());
            }
            MemoryState[] snapshot = new MemoryState[1];
            if (incarnation < 3) {
                // Batches average 32 records: each incarnation stops somewhere within the next ~80% of the lines.
                int stopAfter = rnd.nextInt(1, Math.max(2, events.length / 40));
                int[] batches = new int[1];
                task.addHook((t, now) -> {
                    if (++batches[0] == stopAfter && !t.isEndOfInput()) {
                        MemoryState state = new MemoryState();
                        t.snapshotState(state.writer());
                        snapshot[0] = state;
                        t.stop();
                    }
                });
            }
            task.run();
            if (snapshot[0] == null) {
                return new Run(new Outcome(results, late), invalid[0], (int) invalid[0], null);
            }
            restoreFrom = snapshot[0];
        }
    }

    /** The lines as partition 0, in batches of 1 to 64 records, resuming at a restored position. */
    private static final class RandomBatches implements SourceReader {
        private final byte[][] events;
        private final SplittableRandom rnd;
        private int next;
        private boolean announced;

        RandomBatches(byte[][] events, SplittableRandom rnd) {
            this.events = events;
            this.rnd = rnd;
        }

        @Override
        public void restorePositions(Map<Integer, Long> nextOffsets) {
            // Offsets are 1-based line numbers, as in ArraySourceReader: the next offset is the next index + 1.
            next = (int) (nextOffsets.getOrDefault(0, 1L) - 1);
        }

        @Override
        public boolean poll(RecordBatch batch, PartitionListener listener, long timeoutMs) {
            if (!announced) {
                listener.partitionAssigned(0);
                announced = true;
            }
            int end = Math.min(events.length, next + rnd.nextInt(1, 65));
            for (int i = next; i < end; i++) {
                batch.add(0, i + 1, events[i]);
            }
            next = end;
            return !batch.isEmpty();
        }

        @Override
        public void close() {
        }
    }

    /** The user job's accumulator: count, sum, min, max. */
    static final class Stats {
        long count;
        double sum;
        double min = Double.POSITIVE_INFINITY;
        double max = Double.NEGATIVE_INFINITY;

        WindowResult toResult(AggregateSpec.Kind kind, String key, long start, long end) {
            switch (kind) {
                case SUM: return WindowResult.ofValue(key, start, end, count, sum);
                case MIN: return WindowResult.ofValue(key, start, end, count, min);
                case MAX: return WindowResult.ofValue(key, start, end, count, max);
                case AVG: return WindowResult.ofValue(key, start, end, count, sum / count);
                default: return WindowResult.ofCount(key, start, end, count);
            }
        }
    }

    /** A user {@link AggregateFunction}; {@link #merge} leaves {@code b} alone, as FlinkLite's contract asks. */
    static final class StatsFunction implements AggregateFunction<Event, Stats, Stats> {
        @Override
        public Stats createAccumulator() {
            return new Stats();
        }

        @Override
        public Stats add(Event e, Stats acc) {
            acc.count++;
            if (e.hasValue()) {
                acc.sum += e.value();
                acc.min = Math.min(acc.min, e.value());
                acc.max = Math.max(acc.max, e.value());
            }
            return acc;
        }

        @Override
        public Stats getResult(Stats acc) {
            Stats copy = new Stats();
            merge(copy, acc);
            return copy;
        }

        @Override
        public Stats merge(Stats a, Stats b) {
            a.count += b.count;
            a.sum += b.sum;
            a.min = Math.min(a.min, b.min);
            a.max = Math.max(a.max, b.max);
            return a;
        }
    }

    /** Checkpoint text of a {@link Stats}; exact (hex doubles), though these tests never checkpoint. */
    static final class StatsSerializer implements AccumulatorSerializer<Stats> {
        @Override
        public String toText(Stats s) {
            return s.count + "," + Double.toHexString(s.sum) + "," + Double.toHexString(s.min) + "," + Double.toHexString(s.max);
        }

        @Override
        public Stats fromText(String text) {
            String[] parts = text.split(",");
            Stats s = new Stats();
            s.count = Long.parseLong(parts[0]);
            s.sum = Double.parseDouble(parts[1]);
            s.min = Double.parseDouble(parts[2]);
            s.max = Double.parseDouble(parts[3]);
            return s;
        }
    }

    /**
     * Replays the case through the two stages of a scaled-out job in process ({@link ShuffleReplay}): the lines dealt
     * round-robin to {@code sourcePartitions} source tasks, {@code repartitions} in-memory repartition partitions
     * and as many keyed tasks.
     */
    static Run runShuffled(ConformanceCase c, int sourcePartitions, int repartitions) throws Exception {
        List<WindowResult> results = new ArrayList<>();
        List<String> late = new ArrayList<>();
        List<String> reports = new ArrayList<>();
        ShuffleReplay.Stats stats = ShuffleReplay.run(c.spec(), c.linesAsBytes(), sourcePartitions, repartitions,
                results::add, bytes -> late.add(new String(bytes, StandardCharsets.UTF_8)), reports::add);
        if (stats.invalidShuffleRecords() != 0) {
            throw new AssertionError(stats.invalidShuffleRecords() + " invalid shuffle records on " + c.describe());
        }
        return new Run(new Outcome(results, late), stats.replay().invalid(), reports.size(), stats.replay());
    }

    /**
     * {@link #runUserApi}'s function through the two stages ({@code ShuffledJob.of(spec, valueField, function,
     * serializer)}, as {@code --aggregate-class} scaled out): its accumulators cross as the serializer's text.
     */
    static Run runShuffledUserFunction(ConformanceCase c, int sourcePartitions, int repartitions) throws Exception {
        JobSpec spec = c.spec();
        AggregateSpec.Kind kind = spec.aggregate().kind();
        List<WindowResult> results = new ArrayList<>();
        List<String> late = new ArrayList<>();
        List<String> reports = new ArrayList<>();
        ShuffledJob<Windowed<Stats>> job = ShuffledJob.of(spec, spec.aggregate().field(), new StatsFunction(),
                new StatsSerializer());
        ShuffleReplay.Stats stats = ShuffleReplay.run(job, c.linesAsBytes(), sourcePartitions, repartitions,
                w -> results.add(w.value().toResult(kind, w.key(), w.windowStart(), w.windowEnd())),
                bytes -> late.add(new String(bytes, StandardCharsets.UTF_8)), reports::add);
        return new Run(new Outcome(results, late), stats.replay().invalid(), reports.size(), stats.replay());
    }

    private static Run replay(ConformanceCase c, InputStream stream) throws Exception {
        List<WindowResult> results = new ArrayList<>();
        List<String> late = new ArrayList<>();
        List<String> reports = new ArrayList<>();
        Sink<byte[]> lateSink = bytes -> late.add(new String(bytes, StandardCharsets.UTF_8));
        ReplayStats stats = stream == null
                ? Replay.run(c.spec(), c.linesAsBytes(), results::add, lateSink, reports::add)
                : Replay.run(c.spec(), stream, results::add, lateSink, reports::add);
        return new Run(new Outcome(results, late), stats.invalid(), reports.size(), stats);
    }
}
