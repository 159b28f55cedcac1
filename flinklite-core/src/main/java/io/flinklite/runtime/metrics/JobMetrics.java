package io.flinklite.runtime.metrics;

import io.flinklite.source.InvalidReason;
import java.util.HashMap;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.AtomicLong;
import java.util.concurrent.atomic.AtomicLongArray;
import java.util.concurrent.atomic.AtomicReference;

/**
 * The numbers a running job exposes, written by the job's task thread and read by any other thread (the
 * Prometheus exporter, the status line, tests).
 *
 * <p>This class is the only link between the engine and the metrics exporter: the engine never imports a metrics
 * library, the exporter never reaches into the engine. Counters only grow. The task thread may update a counter once
 * per batch of records rather than per record, so a reader sees values at most one batch old.
 *
 * <p>Outcome of every record read from a source, exactly one of: {@code accepted} (passed the type filter and reached
 * a window), {@code filtered} (valid but its type is not selected), {@code invalid} (by {@link InvalidReason}),
 * {@code late} (valid and selected, but later than the allowed lateness: sent to the late side output).
 */
public final class JobMetrics {

    /**
     * Where the job is in its life, as the health endpoints see it. The job runner moves it forward:
     * {@code STARTING} until its task loop runs, then {@code RUNNING}, and {@code FINISHED} or {@code FAILED} when
     * the loop has ended.
     */
    public enum JobState {
        STARTING, RUNNING, FINISHED, FAILED
    }

    /** Receives one observation of result latency; the exporter plugs in a histogram. */
    @FunctionalInterface
    public interface LatencyObserver {
        /**
         * @param seconds time from the watermark passing a window's end (processing time of that watermark advance)
         *                to the window's result being handed to the sink
         */
        void observe(double seconds);
    }

    /**
     * Receives every checkpoint outcome as it happens, so a history can be kept (the web UI's); the counters above
     * only hold the last one. Called on the thread that finished the checkpoint (the task thread or the checkpoint
     * writer), so an implementation must be thread-safe and quick.
     */
    public interface CheckpointListener {
        /** A checkpoint was written; the same values as {@link JobMetrics#checkpointCompleted}. */
        void completed(long id, long timeMs, long durationNanos, long sizeBytes);

        /** A checkpoint attempt failed at {@code timeMs} (epoch ms). */
        void failed(long timeMs);
    }

    private static final CheckpointListener NO_CHECKPOINT_LISTENER = new CheckpointListener() {
        @Override public void completed(long id, long timeMs, long durationNanos, long sizeBytes) { }
        @Override public void failed(long timeMs) { }
    };

    /** How many distinct event types {@link #addTypeCounts} keeps apart; see there. */
    public static final int MAX_TYPES = 50;
    /** The type under which events beyond {@link #MAX_TYPES} types are counted. */
    public static final String OTHER_TYPE = "other";

    private final AtomicLong eventsTotal = new AtomicLong();
    private final AtomicLong eventsAccepted = new AtomicLong();
    private final AtomicLong eventsFiltered = new AtomicLong();
    private final AtomicLong eventsLate = new AtomicLong();
    private final AtomicLongArray eventsInvalid = new AtomicLongArray(InvalidReason.values().length);
    private final AtomicLong windowsFlushed = new AtomicLong();
    private final AtomicLong lateFirings = new AtomicLong();
    /** By operator id, in id order: each window operator's gauges (a job may have several). */
    private final java.util.concurrent.ConcurrentSkipListMap<String, WindowGauges> windowTasks =
            new java.util.concurrent.ConcurrentSkipListMap<>();
    private final java.util.concurrent.ConcurrentSkipListMap<String, WindowGauges> windowOperators =
            new java.util.concurrent.ConcurrentSkipListMap<>();
    private final AtomicLong watermarkMs = new AtomicLong(Long.MIN_VALUE);
    private final AtomicLong lastCheckpointTimeMs = new AtomicLong();
    private final AtomicLong lastCheckpointId = new AtomicLong();
    private final AtomicLong lastCheckpointDurationNanos = new AtomicLong();
    private final AtomicLong lastCheckpointSizeBytes = new AtomicLong();
    private final AtomicLong checkpointsCompleted = new AtomicLong();
    private final AtomicLong checkpointFailures = new AtomicLong();
    private final AtomicLong checkpointsSkipped = new AtomicLong();
    private final AtomicLong sinkErrors = new AtomicLong();
    private final AtomicLong shuffleDuplicatesSkipped = new AtomicLong();
    private final AtomicLong shuffleLatePartials = new AtomicLong();
    private final AtomicLong transactionsCommitted = new AtomicLong();
    private final AtomicLong transactionsAborted = new AtomicLong();
    private final ConcurrentHashMap<String, SinkCounters> sinks = new ConcurrentHashMap<>();
    private final AtomicLong resultsWritten = new AtomicLong();
    private final AtomicLong outputWriteFailures = new AtomicLong();
    private final AtomicLong outputRecordsTooLarge = new AtomicLong();
    private final AtomicLong joinPairs = new AtomicLong();
    private final AtomicLongArray joinLate = new AtomicLongArray(2);
    private final AtomicLong joinStateElements = new AtomicLong();
    private final AtomicLong joinStateBytes = new AtomicLong();
    private volatile boolean join;
    private final AtomicReference<PartitionStats[]> partitions = new AtomicReference<>(new PartitionStats[0]);
    private final ConcurrentHashMap<String, AtomicLongArray> eventsByType = new ConcurrentHashMap<>();
    private volatile LatencyObserver latencyObserver = seconds -> { };
    private volatile CheckpointListener checkpointListener = NO_CHECKPOINT_LISTENER;
    private volatile JobState jobState = JobState.STARTING;
    private volatile boolean sourceAssigned;
    private volatile TaskCounts tasks;
    private volatile long kafkaUnreachableSinceMs;

    /** Per input partition: its watermark and how far the consumer is behind the partition's end. */
    public static final class PartitionStats {
        private final String topic;
        private final int partition;
        private final long watermarkMs;
        private final long lag;
        private final boolean idle;
        private final long nextOffset;

        public PartitionStats(String topic, int partition, long watermarkMs, long lag, boolean idle) {
            this(topic, partition, watermarkMs, lag, idle, -1);
        }

        /** @param nextOffset offset of the next record the job will read; -1 before it has read or restored one */
        public PartitionStats(String topic, int partition, long watermarkMs, long lag, boolean idle, long nextOffset) {
            this.topic = topic;
            this.partition = partition;
            this.watermarkMs = watermarkMs;
            this.lag = lag;
            this.idle = idle;
            this.nextOffset = nextOffset;
        }

        public String topic() { return topic; }
        public int partition() { return partition; }
        /** {@link Long#MIN_VALUE} until the partition has seen a record. */
        public long watermarkMs() { return watermarkMs; }
        /** Records between the consumer's position and the partition's end; -1 when unknown. */
        public long lag() { return lag; }
        public boolean idle() { return idle; }
        /** Offset of the next record the job will read; -1 before it has read (or restored) one. */
        public long nextOffset() { return nextOffset; }
    }

    /**
     * How the writes of one plug-in sink went ({@code flinklite_sink_*_total{sink="NAME"}}): failed attempts, retries
     * and give-ups, as the sink reports them from any thread.
     */
    public static final class SinkCounters implements io.flinklite.sink.SinkMetrics {
        private final AtomicLong failedAttempts = new AtomicLong();
        private final AtomicLong retries = new AtomicLong();
        private final AtomicLong giveUps = new AtomicLong();

        @Override
        public void failedAttempt() { failedAttempts.incrementAndGet(); }

        @Override
        public void retried() { retries.incrementAndGet(); }

        @Override
        public void gaveUp() { giveUps.incrementAndGet(); }

        public long failedAttempts() { return failedAttempts.get(); }
        public long retries() { return retries.get(); }
        public long giveUps() { return giveUps.get(); }
    }

    /** The counters of the plug-in sink {@code name}, created on first use. Any thread. */
    public SinkCounters sink(String name) {
        return sinks.computeIfAbsent(name, n -> new SinkCounters());
    }

    /** Every plug-in sink's counters, by name, sorted. */
    public Map<String, SinkCounters> sinks() {
        return new java.util.TreeMap<>(sinks);
    }

    // ---- writers: the task thread ----

    public void addEventsTotal(long n) { eventsTotal.addAndGet(n); }
    public void addAccepted(long n) { eventsAccepted.addAndGet(n); }
    public void addFiltered(long n) { eventsFiltered.addAndGet(n); }
    public void addLate(long n) { eventsLate.addAndGet(n); }
    public void addInvalid(InvalidReason reason, long n) { eventsInvalid.addAndGet(reason.ordinal(), n); }
    public void addWindowsFlushed(long n) { windowsFlushed.addAndGet(n); }
    public void addLateFirings(long n) { lateFirings.addAndGet(n); }
    /** Results the output acknowledged (a flush or the checkpoint's transaction returned), not merely handed to it. */
    public void addResultsWritten(long n) { resultsWritten.addAndGet(n); }
    /** Writes an output refused or never acknowledged; called on a producer's I/O thread too. */
    public void addOutputWriteFailures(long n) { outputWriteFailures.addAndGet(n); }
    /** Records larger than their topic or producer accepts (stopping the job, or written truncated as dead letters). */
    public void addOutputRecordsTooLarge(long n) { outputRecordsTooLarge.addAndGet(n); }
    /**
     * Counts writes that failed in the task's own outputs (the Kafka topics, a user job's sinks); a plug-in sink's
     * failures are in {@link #sink(String)}.
     */
    public void addSinkErrors(long n) { sinkErrors.addAndGet(n); }
    /** Counts repartition records a keyed task skipped as resends of a restored source task (scale-out). */
    public void addShuffleDuplicatesSkipped(long n) { shuffleDuplicatesSkipped.addAndGet(n); }
    /**
     * Counts partials a keyed task dropped because every window of their pane was past its cleanup time (their
     * source partition was behind the keyed watermark, as one added to the input while the job ran).
     */
    public void addShuffleLatePartials(long n) { shuffleLatePartials.addAndGet(n); }
    /** Counts a Kafka transaction of a scaled-out exactly-once instance that committed. */
    public void transactionCommitted() { transactionsCommitted.incrementAndGet(); }
    /**
     * Counts a Kafka transaction of a scaled-out exactly-once instance that was aborted (its tasks were dropped and
     * re-created from their last committed snapshots).
     */
    public void transactionAborted() { transactionsAborted.incrementAndGet(); }
    /**
     * Counts events of one type (the built-in job's key value, e.g. {@code critical}) by outcome. At most
     * {@link #MAX_TYPES} types are kept apart, so a key field with unbounded values cannot flood the exporter; the
     * rest are counted under {@code other}.
     */
    public void addTypeCounts(String type, long accepted, long filtered, long late) {
        AtomicLongArray counts = eventsByType.get(type);
        if (counts == null) {
            String name = eventsByType.size() < MAX_TYPES ? type : OTHER_TYPE;
            counts = eventsByType.computeIfAbsent(name, t -> new AtomicLongArray(3));
        }
        counts.addAndGet(0, accepted);
        counts.addAndGet(1, filtered);
        counts.addAndGet(2, late);
    }

    /** Join side of {@link #addJoinLate}: the left (first) input. */
    public static final int LEFT = 0;
    /** Join side of {@link #addJoinLate}: the right (second) input. */
    public static final int RIGHT = 1;

    /** Pairs a join emitted (each a result); also marks the job as a join, whose metrics are then exported. */
    public void addJoinPairs(long n) { join = true; joinPairs.addAndGet(n); }
    /** Elements of one side ({@link #LEFT}, {@link #RIGHT}) too late to join, sent to the late output. */
    public void addJoinLate(int side, long n) { join = true; joinLate.addAndGet(side, n); }
    /** What a join buffers now: elements waiting for partners, and the bytes they take as kept (their encoding). */
    public void setJoinState(long elements, long bytes) {
        join = true;
        joinStateElements.set(elements);
        joinStateBytes.set(bytes);
    }

    /**
     * The gauges of the window operator {@code operatorId} (its id in the job graph), created on first use: the task
     * wires each window operator to its own, so that two window operators do not overwrite each other's.
     */
    public WindowGauges windowOperator(String operatorId) {
        return windowOperators.computeIfAbsent(java.util.Objects.requireNonNull(operatorId, "operatorId"),
                id -> new WindowGauges());
    }

    /**
     * The gauges of the window operator of a scaled-out job's keyed task {@code taskKey} ({@code <topic>/<partition>}),
     * created on first use: every keyed task runs the same operator, so they are kept by task, and the totals
     * ({@link #openWindows()}, {@link #openPanes()}) add them up.
     */
    public WindowGauges windowTask(String taskKey) {
        return windowTasks.computeIfAbsent(java.util.Objects.requireNonNull(taskKey, "taskKey"), id -> new WindowGauges());
    }

    /** Forgets a keyed task's gauges: the task moved away (or the instance stops), its windows are no longer here. */
    public void removeWindowTask(String taskKey) {
        windowTasks.remove(taskKey);
    }

    /** Every owned keyed task's window gauges, by task key in key order; empty unless scaled out. */
    public Map<String, WindowGauges> windowTasks() {
        return java.util.Collections.unmodifiableMap(windowTasks);
    }

    /** Every window operator's gauges, by operator id in id order; empty for a job without windows. */
    public Map<String, WindowGauges> windowOperators() {
        return java.util.Collections.unmodifiableMap(windowOperators);
    }
    public void setWatermarkMs(long ms) { watermarkMs.set(ms); }
    public void setPartitions(PartitionStats[] stats) { partitions.set(stats.clone()); }

    /** Records a successful checkpoint write. */
    public void checkpointCompleted(long id, long timeMs, long durationNanos, long sizeBytes) {
        lastCheckpointId.set(id);
        lastCheckpointDurationNanos.set(durationNanos);
        lastCheckpointSizeBytes.set(sizeBytes);
        checkpointsCompleted.incrementAndGet();
        lastCheckpointTimeMs.set(timeMs);
        checkpointListener.completed(id, timeMs, durationNanos, sizeBytes);
    }

    /** Damaged checkpoints a start skipped (or ignored) on its way to the one it restores; called once, at startup. */
    public void addCheckpointsSkipped(long n) {
        checkpointsSkipped.addAndGet(n);
    }

    public void checkpointFailed() {
        checkpointFailures.incrementAndGet();
        checkpointListener.failed(System.currentTimeMillis());
    }

    /** Installs the one {@link CheckpointListener}; called before the job runs (the web UI's history). */
    public void setCheckpointListener(CheckpointListener listener) {
        this.checkpointListener = listener == null ? NO_CHECKPOINT_LISTENER : listener;
    }

    /** Called by the job runner as the job starts, ends or fails; see {@link JobState}. */
    public void setJobState(JobState state) { this.jobState = state; }

    /**
     * What a scaled-out job's instance does with its tasks (run --scale-out): how many it owns now, the rebalances
     * it went through, and the state it restored when tasks moved to it. Immutable.
     *
     * @param ownedTasks    tasks (partitions of the input and of the repartition topic) this instance owns now
     * @param rebalances    assignment changes seen (each assignment and each revocation)
     * @param restoreNanos  time spent restoring moved tasks' snapshots, in total
     * @param restoredBytes state restored, in total (the snapshots' encoded state)
     */
    public record TaskCounts(int ownedTasks, long rebalances, long restoreNanos, long restoredBytes) { }

    /** Publishes the task counts of a scaled-out job; its per-task watermark and lag go in {@link #setPartitions}. */
    public void setTasks(TaskCounts counts) { this.tasks = counts; }

    /** The task counts of a scaled-out job; null for a job that runs fused on one task. */
    public TaskCounts tasks() { return tasks; }

    /**
     * Called by the task thread after each batch: whether the source has any input partition assigned (a consumer
     * that has not joined its group yet, or lost every partition in a rebalance, has none). A job without assigned
     * input is not ready to serve.
     */
    public void setSourceAssigned(boolean assigned) { this.sourceAssigned = assigned; }

    /**
     * Called by the job's broker watch: since when (epoch ms) the Kafka cluster has not answered, or 0 while it
     * answers. A job that cannot reach its cluster is not ready.
     */
    public void setKafkaUnreachableSinceMs(long sinceMs) { this.kafkaUnreachableSinceMs = sinceMs; }

    public void observeResultLatency(double seconds) { latencyObserver.observe(seconds); }

    /** Installs the histogram behind {@link #observeResultLatency}; called once by the exporter before the job runs. */
    public void setLatencyObserver(LatencyObserver observer) { this.latencyObserver = observer; }

    // ---- readers: any thread ----

    /** Every record read from a source, whatever its outcome. */
    public long eventsTotal() { return eventsTotal.get(); }
    public long eventsAccepted() { return eventsAccepted.get(); }
    public long eventsFiltered() { return eventsFiltered.get(); }
    public long eventsLate() { return eventsLate.get(); }
    public long eventsInvalid(InvalidReason reason) { return eventsInvalid.get(reason.ordinal()); }

    public long eventsInvalidTotal() {
        long sum = 0;
        for (int i = 0; i < eventsInvalid.length(); i++) {
            sum += eventsInvalid.get(i);
        }
        return sum;
    }

    /** Window firings, on-time and late. */
    public long windowsFlushed() { return windowsFlushed.get(); }
    public long lateFirings() { return lateFirings.get(); }
    public long resultsWritten() { return resultsWritten.get(); }
    public long outputWriteFailures() { return outputWriteFailures.get(); }
    public long outputRecordsTooLarge() { return outputRecordsTooLarge.get(); }
    public long sinkErrors() { return sinkErrors.get(); }
    public long shuffleDuplicatesSkipped() { return shuffleDuplicatesSkipped.get(); }
    public long shuffleLatePartials() { return shuffleLatePartials.get(); }
    public long transactionsCommitted() { return transactionsCommitted.get(); }
    public long transactionsAborted() { return transactionsAborted.get(); }
    /** Open panes of all window operators (the built-in job's one window operator's), and of all owned keyed tasks. */
    public long openPanes() {
        long n = 0;
        for (WindowGauges g : windowOperators.values()) {
            n += g.openPanes();
        }
        for (WindowGauges g : windowTasks.values()) {
            n += g.openPanes();
        }
        return n;
    }
    /** True once a join operator reported (the job joins two inputs): its metrics mean something. */
    public boolean isJoin() { return join; }
    public long joinPairs() { return joinPairs.get(); }
    /** Late elements of {@code side} ({@link #LEFT}, {@link #RIGHT}). */
    public long joinLate(int side) { return joinLate.get(side); }
    public long joinStateElements() { return joinStateElements.get(); }
    public long joinStateBytes() { return joinStateBytes.get(); }
    /** Open windows of all window operators (the built-in job's one window operator's), and of all owned keyed tasks. */
    public long openWindows() {
        long n = 0;
        for (WindowGauges g : windowOperators.values()) {
            n += g.openWindows();
        }
        for (WindowGauges g : windowTasks.values()) {
            n += g.openWindows();
        }
        return n;
    }
    /** The combined watermark, epoch ms; {@link Long#MIN_VALUE} before the first record. */
    public long watermarkMs() { return watermarkMs.get(); }
    /** Epoch ms of the last successful checkpoint write; 0 before the first. */
    public long lastCheckpointTimeMs() { return lastCheckpointTimeMs.get(); }
    public long lastCheckpointId() { return lastCheckpointId.get(); }
    public long lastCheckpointDurationNanos() { return lastCheckpointDurationNanos.get(); }
    public long lastCheckpointSizeBytes() { return lastCheckpointSizeBytes.get(); }
    public long checkpointsCompleted() { return checkpointsCompleted.get(); }
    public long checkpointFailures() { return checkpointFailures.get(); }
    /** Damaged checkpoints skipped at startup; see {@link #addCheckpointsSkipped}. */
    public long checkpointsSkipped() { return checkpointsSkipped.get(); }
    public PartitionStats[] partitions() { return partitions.get().clone(); }

    /**
     * Events by type: for each type seen, {@code {accepted, filtered, late}}. Only the built-in job counts by type; a
     * copy, in no particular order.
     */
    public Map<String, long[]> eventsByType() {
        Map<String, long[]> out = new HashMap<>();
        eventsByType.forEach((type, c) -> out.put(type, new long[] {c.get(0), c.get(1), c.get(2)}));
        return out;
    }
    public JobState jobState() { return jobState; }
    public boolean sourceAssigned() { return sourceAssigned; }
    /** Epoch ms since which Kafka has not answered; 0 while it answers (or for a job without Kafka). */
    public long kafkaUnreachableSinceMs() { return kafkaUnreachableSinceMs; }

    /**
     * Ready to serve: the task loop is running, the source has input partitions assigned, and Kafka answers.
     */
    public boolean ready() { return jobState == JobState.RUNNING && sourceAssigned && kafkaUnreachableSinceMs == 0; }

    /**
     * What one window operator holds: windows (per key) waiting for the watermark, and panes (or session windows)
     * holding accumulators. Set by the operator between batches, read by any thread.
     */
    public static final class WindowGauges {
        private final AtomicLong openWindows = new AtomicLong();
        private final AtomicLong openPanes = new AtomicLong();

        WindowGauges() {
        }

        public void set(long windows, long panes) {
            openWindows.set(windows);
            openPanes.set(panes);
        }

        public long openWindows() { return openWindows.get(); }
        public long openPanes() { return openPanes.get(); }
    }
}
