package io.flinklite.bench;

import io.flinklite.app.CheckpointSettings;
import io.flinklite.app.KafkaJob;
import io.flinklite.app.ResultPrinter;
import io.flinklite.app.ScaleOut;
import io.flinklite.connector.kafka.KafkaConnection;
import io.flinklite.connector.kafka.embedded.EmbeddedKafkaBroker;
import io.flinklite.job.JobSpec;
import io.flinklite.runtime.checkpoint.Delivery;
import io.flinklite.runtime.metrics.JobMetrics;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerConfig;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.common.serialization.ByteArraySerializer;

import java.io.OutputStream;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Locale;
import java.util.Properties;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;
import java.util.function.BooleanSupplier;

/**
 * {@code bin/bench scaleout} part 4 (issue 12): how long a keyed task holding P open panes takes to move from one
 * instance to another through {@code --checkpoint-store kafka}.
 *
 * <p>Per round: a fresh group and a 1-partition input holding P events of P distinct keys in one pane (the job keeps
 * every type: {@code --types '*'}), and one event that moves the watermark past that pane, so the source task sends
 * its partials and the keyed task holds P open panes (the second window over them is open). Instance 1 runs the job
 * ({@code --scale-out}, dynamic group member, checkpoints every 5 s); once its keyed task holds the panes, instance 2
 * joins the group; once the group is stable, the instance that owns the two tasks is stopped (a clean stop: a
 * rolling restart, SIGTERM): its final snapshots are written, its offsets committed, it leaves the group; the other
 * is assigned the partitions, restores the tasks and resumes. One event produced as soon as the old owner has
 * stopped closes the open window, so the new owner then fires P results from the restored state.
 *
 * <p>Reported, from the stop (the revocation) on: the old owner's final checkpoint (flush, snapshot writes, offset
 * commit), its stop in all (plus closing the consumer: leaving the group), the new owner's restore (creating the
 * tasks' stores and reading their snapshots, {@code TaskManager}'s restore time), the new owner's first processed
 * record, and its P restored windows fired; the rebalance is what remains of the time to the first record.
 */
final class HandOverBench {

    private HandOverBench() {
    }

    static void run(EmbeddedKafkaBroker broker, Path work, int panes, int rounds) throws Exception {
        String bootstrap = broker.bootstrapServers();
        System.out.printf(Locale.ROOT, "%nhand-over of a keyed task holding %,d open panes (2 instances on 2 threads, one"
                + " group, --checkpoint-store kafka); %s%n", panes, ScaleOutBench.loadAverage());
        long[][] figures = new long[7][rounds];
        String[] names = {"old owner's final checkpoint (flush, snapshots, commit)", "old owner stopped (and left the group)",
            "new owner's restore of its tasks (stores opened, snapshots read)", "rebalance (the rest, to the first record)",
            "revocation to the new owner's first processed record", "revocation to the restored windows fired",
            "snapshot bytes restored"};
        for (int round = 0; round <= rounds; round++) {
            long[] f = round(bootstrap, broker, work, panes, "ho" + round);
            if (round == 0) {
                continue; // warm-up
            }
            for (int i = 0; i < f.length; i++) {
                figures[i][round - 1] = f[i];
            }
            System.out.printf(Locale.ROOT, "  round %d: checkpoint %.0f ms, stopped %.0f ms, restore %.0f ms, rebalance %.0f ms,"
                            + " first record %.0f ms, windows fired %.0f ms, %,d bytes restored; %s%n", round, f[0] / 1e6,
                    f[1] / 1e6, f[2] / 1e6, f[3] / 1e6, f[4] / 1e6, f[5] / 1e6, f[6], ScaleOutBench.loadAverage());
        }
        System.out.println();
        System.out.println("| from the revocation (median of " + rounds + ") | ms | share of the time to the first record |");
        System.out.println("|---|---:|---:|");
        double first = ScaleOutBench.median(figures[4]);
        for (int i = 0; i < 6; i++) {
            double ms = ScaleOutBench.median(figures[i]) / 1e6;
            System.out.printf(Locale.ROOT, "| %s | %.0f | %s |%n", names[i], ms,
                    i == 1 || i >= 4 ? "" : String.format(Locale.ROOT, "%.0f%%", 100 * ScaleOutBench.median(figures[i]) / first));
        }
        System.out.printf(Locale.ROOT, "| %s | %,d | |%n", names[6], ScaleOutBench.median(figures[6]));
    }

    /** @return the figures of {@link #run}'s table, in nanoseconds (bytes last) */
    private static long[] round(String bootstrap, EmbeddedKafkaBroker broker, Path work, int panes, String group)
            throws Exception {
        String input = "in-" + group;
        broker.createTopic(input, 1);
        long paneStart = (SeedTraffic.START_MS / 5_000) * 5_000;
        try (KafkaProducer<byte[], byte[]> producer = producer(bootstrap)) {
            for (int i = 0; i < panes; i++) {
                send(producer, input, "k" + i, paneStart + 1_000 + i % 3_000);
            }
            // Watermark past the pane's end (ts - 5 s - 1 >= pane end - 1): the first window over it fires, the
            // second stays open.
            send(producer, input, "advance", paneStart + 10_001);
        }
        Instance one = new Instance(bootstrap, group, input, work.resolve(group + "-1"));
        one.start();
        // The first window's P results: the panes are with the keyed task (the scale-out path publishes no open-pane
        // gauge; the restored bytes and the P results the new owner fires from them show the state moved).
        await(() -> one.results.get() >= panes, () -> "instance 1 to hold the panes (" + one.results.get() + " results, "
                + one.metrics.eventsTotal() + " events read)");
        Instance two = new Instance(bootstrap, group, input, work.resolve(group + "-2"));
        two.start();
        await(() -> owned(one) + owned(two) == 2 && two.metrics.tasks() != null && one.stable() && two.stable(),
                () -> "the group to settle after instance 2 joined");
        Instance old = owned(one) == 2 ? one : two;
        Instance next = old == one ? two : one;
        long restoreBefore = next.metrics.tasks().restoreNanos();
        long bytesBefore = next.metrics.tasks().restoredBytes();
        long eventsBefore = next.metrics.eventsTotal();
        long resultsBefore = next.results.get();

        long checkpointsBefore = old.metrics.checkpointsCompleted();
        long t0 = System.nanoTime();
        old.job.stop();
        if (!old.job.awaitStopped(120_000)) {
            throw new IllegalStateException("the old owner did not stop in 2 minutes");
        }
        long stopped = System.nanoTime();
        try (KafkaProducer<byte[], byte[]> producer = producer(bootstrap)) {
            send(producer, input, "advance", paneStart + 20_001);
        }
        long first = awaitNanos(() -> next.metrics.eventsTotal() > eventsBefore, "the new owner's first record");
        long fired = awaitNanos(() -> next.results.get() >= resultsBefore + panes, "the restored windows to fire");
        JobMetrics.TaskCounts after = next.metrics.tasks();
        if (old.metrics.checkpointsCompleted() <= checkpointsBefore) {
            throw new IllegalStateException("the old owner stopped without its final checkpoint");
        }
        long checkpoint = old.metrics.lastCheckpointDurationNanos();
        long restore = after.restoreNanos() - restoreBefore;
        next.job.stop();
        next.job.awaitStopped(120_000);
        old.thread.join(60_000);
        next.thread.join(60_000);
        return new long[] {checkpoint, stopped - t0, restore, Math.max(0, first - t0 - checkpoint - restore), first - t0,
            fired - t0, after.restoredBytes() - bytesBefore};
    }

    private static int owned(Instance i) {
        JobMetrics.TaskCounts c = i.metrics.tasks();
        return c == null ? 0 : c.ownedTasks();
    }

    private static void send(KafkaProducer<byte[], byte[]> producer, String topic, String key, long ts) {
        producer.send(new ProducerRecord<>(topic, 0, null, null,
                ("{\"id\":1,\"timestamp\":" + ts + ",\"message\":\"" + key + "\"}").getBytes(StandardCharsets.UTF_8)));
    }

    private static void await(BooleanSupplier done, java.util.function.Supplier<String> what) throws InterruptedException {
        awaitNanos(done, what);
    }

    private static long awaitNanos(BooleanSupplier done, String what) throws InterruptedException {
        return awaitNanos(done, () -> what);
    }

    private static long awaitNanos(BooleanSupplier done, java.util.function.Supplier<String> what)
            throws InterruptedException {
        long deadline = System.nanoTime() + TimeUnit.MINUTES.toNanos(1);
        while (!done.getAsBoolean()) {
            if (System.nanoTime() > deadline) {
                throw new IllegalStateException("hand-over: waited a minute for " + what.get());
            }
            Thread.sleep(1);
        }
        return System.nanoTime();
    }

    /** One instance of the job on its own thread, as {@code flinklite run --scale-out} runs it. */
    private static final class Instance {
        final JobMetrics metrics = new JobMetrics();
        final AtomicLong results = new AtomicLong();
        final KafkaJob job;
        final Thread thread;
        private long lastRebalances = -1;
        private long quietSince;

        Instance(String bootstrap, String group, String input, Path dir) throws Exception {
            Files.createDirectories(dir);
            OutputStream lines = new OutputStream() {
                @Override
                public void write(int b) {
                    if (b == '\n') {
                        results.incrementAndGet();
                    }
                }
            };
            KafkaJob.Settings settings = new KafkaJob.Settings(KafkaConnection.of(bootstrap),
                    JobSpec.defaults().withTypes(null))
                    .inputTopic(input)
                    .outputTopic(null)
                    .groupId(group)
                    .instanceId(KafkaJob.Settings.NO_INSTANCE_ID)
                    .console(new PrintStream(lines, false, StandardCharsets.UTF_8), ResultPrinter.Format.JSON)
                    .checkpoints(new CheckpointSettings(dir, 5_000, Delivery.AT_LEAST_ONCE, false, null, null,
                            CheckpointSettings.Store.KAFKA, null))
                    .scaleOut(new ScaleOut(ScaleOut.SAME_AS_INPUT));
            job = new KafkaJob(settings, metrics);
            thread = new Thread(() -> {
                try {
                    job.run();
                } catch (Exception e) {
                    e.printStackTrace();
                }
            }, "handover-" + dir.getFileName());
            thread.setDaemon(true); // a failed round must not keep the JVM alive
        }

        void start() {
            thread.start();
        }

        /** No rebalance for the last second (the group is stable as this instance sees it). */
        boolean stable() {
            JobMetrics.TaskCounts c = metrics.tasks();
            if (c == null) {
                return false;
            }
            long now = System.nanoTime();
            if (c.rebalances() != lastRebalances) {
                lastRebalances = c.rebalances();
                quietSince = now;
                return false;
            }
            return now - quietSince > TimeUnit.SECONDS.toNanos(1);
        }
    }

    private static KafkaProducer<byte[], byte[]> producer(String bootstrap) {
        Properties p = new Properties();
        p.put(ProducerConfig.BOOTSTRAP_SERVERS_CONFIG, bootstrap);
        p.put(ProducerConfig.LINGER_MS_CONFIG, 20);
        return new KafkaProducer<>(p, new ByteArraySerializer(), new ByteArraySerializer());
    }
}
