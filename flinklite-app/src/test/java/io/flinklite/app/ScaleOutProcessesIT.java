package io.flinklite.app;

import io.flinklite.connector.kafka.embedded.EmbeddedKafkaBroker;
import io.flinklite.connector.kafka.embedded.SharedKafkaBroker;
import io.flinklite.job.JobSpec;
import io.flinklite.job.WindowSpec;
import io.flinklite.runtime.replay.Replay;
import org.apache.kafka.clients.consumer.ConsumerConfig;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.apache.kafka.common.serialization.ByteArrayDeserializer;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;
import org.junit.jupiter.api.io.TempDir;

import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Properties;
import java.util.Random;
import java.util.Set;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;

import static io.flinklite.app.KafkaTestSupport.Placed;
import static org.assertj.core.api.Assertions.assertThat;

/**
 * Three {@code flinklite run --scale-out} processes started with the same command line, each in its own working
 * directory, one group, unkeyed input over 3 partitions, task snapshots in Kafka: one is stopped (SIGTERM) and started
 * again, another stopped for good, while windows are open: the output equals one fused replay's, exactly (clean
 * hand-overs duplicate nothing, even at-least-once).
 *
 * <p>The SIGKILL scenarios of issue 12 (the same set-up, sharing the module's broker): one instance SIGKILLed and
 * restarted with the same command line and directory, another SIGKILLed for good, at seeded random moments while the
 * input arrives (the seed is printed and in every failure; {@code -Dflinklite.killit.seed=N} repeats it). Unkeyed
 * input over 3 partitions, disordered within the out-of-orderness, then late events once every watermark passed them.
 * The expected output is the fused replay's, checked against one uninterrupted fused {@code flinklite run} on the same
 * input. Default client timeouts: the dead instance's partitions move after its 45 s session.
 * {@link ScaleOutBrokerKillIT} runs the same scenario with the broker SIGKILLed instead ({@link Faults}).
 */
@ExtendWith(SharedKafkaBroker.class)
class ScaleOutProcessesIT {

    @Test
    void threeProcessesOneJobTwoOfThemStoppingMidStream(@TempDir Path root) throws Exception {
        EmbeddedKafkaBroker broker = SharedKafkaBroker.get();
        String group = "scale-procs";
        broker.createTopic(group + "-in", 3);
        broker.createTopic(group + "-out", 3);
        long base = System.currentTimeMillis() - 600_000;
        List<Placed> events = KafkaTestSupport.disorderedEvents(31, 6_000, new int[] {0, 1, 2}, base);
        List<String> expected = KafkaTestSupport.replayResults(JobSpec.defaults(), events);
        int third = events.size() / 3;
        String[] command = {"run", "--bootstrap-servers", broker.bootstrapServers(), "--input-topic", group + "-in",
                "--output-topic", group + "-out", "--group-id", group, "--checkpoint-store", "kafka",
                "--checkpoint-interval", "1s", "--scale-out", "--idle-timeout", "0s", "--metrics-port", "0",
                "--status-interval", "0s"};
        List<ChildFlinkLite> children = new ArrayList<>();
        try {
            ChildFlinkLite[] p = new ChildFlinkLite[3];
            for (int i = 0; i < 3; i++) {
                Path dir = Files.createDirectories(root.resolve("instance-" + i));
                p[i] = ChildFlinkLite.startIn(dir, command);
                children.add(p[i]);
            }
            KafkaTestSupport.produce(broker.bootstrapServers(), group + "-in", events.subList(0, third));
            for (ChildFlinkLite c : p) {
                c.awaitLines(Duration.ofSeconds(90), lines -> lines.stream().anyMatch(l -> l.contains("assigned partitions")));
            }
            awaitResults(p, 5);

            p[1].stopWithSigterm(Duration.ofSeconds(30));
            KafkaTestSupport.produce(broker.bootstrapServers(), group + "-in", events.subList(third, 2 * third));
            p[1] = ChildFlinkLite.startIn(root.resolve("instance-1"), command);
            children.add(p[1]);
            p[1].awaitLines(Duration.ofSeconds(90), lines -> lines.stream().anyMatch(l -> l.contains("assigned partitions")));
            p[2].stopWithSigterm(Duration.ofSeconds(30));
            KafkaTestSupport.produce(broker.bootstrapServers(), group + "-in", events.subList(2 * third, events.size()));

            List<String> got = KafkaTestSupport.values(KafkaTestSupport.readTopic(broker.bootstrapServers(),
                    group + "-out", expected.size()));
            p[0].stopWithSigterm(Duration.ofSeconds(30));
            p[1].stopWithSigterm(Duration.ofSeconds(30));
            assertThat(got).as(p[0].output() + "\n----\n" + p[1].output()).containsExactlyInAnyOrderElementsOf(expected);
            assertThat(String.join("\n", p[1].lines())).contains("restored from its snapshot");
        } finally {
            for (ChildFlinkLite c : children) {
                c.close();
            }
        }
    }

    /** Until the processes together printed {@code n} results on stdout. */
    private static void awaitResults(ChildFlinkLite[] p, int n) {
        org.awaitility.Awaitility.await().atMost(Duration.ofSeconds(90)).until(() -> {
            int results = 0;
            for (ChildFlinkLite c : p) {
                results += (int) c.stdoutLines().stream().filter(l -> l.startsWith("{\"key\"")).count();
            }
            return results >= n;
        });
    }

    // ---- SIGKILL (issue 12, "Done when") ----

    /** How long the first two thirds of the input take to arrive; the kills land inside, while windows are open. */
    private static final long PRODUCE_MS = 12_000;
    /**
     * How long the last third takes: longer than the killed instance's session (45 s by default), so its partitions
     * move while input arrives.
     */
    private static final long PRODUCE_REST_MS = 55_000;
    /** Late events are produced once every instance's results passed this much event time (both keys). */
    private static final long LATE_AFTER_MS = 40_000;
    /**
     * The job's keys: at least one in each of the 3 repartition partitions (murmur2: 0, 1, 2, 0), so every keyed task
     * fires windows, whichever instance is killed. {@code normal} events are filtered out.
     */
    private static final String[] KEYS = {"important", "critical", "emergency", "error"};
    private static final String TYPES = String.join(",", KEYS);

    /**
     * At-least-once, sliding windows: one instance SIGKILLed and restarted, another SIGKILLed for good, at random
     * (seeded) moments while the input arrives. Every expected result is there with the replay's exact value; the
     * only duplicates allowed are identical whole result records (a keyed task re-firing what it fired after its
     * last snapshot); the late output holds every late event (identical duplicates allowed too).
     */
    @Test
    void atLeastOnceSigkilledInstancesLoseNoWindow(@TempDir Path root) throws Exception {
        sigkillScenario(root, "kill-alo", JobSpec.defaults(), false, Faults.instances());
    }

    /** The same with session windows, which the shuffle sends raw (every element decides its session). */
    @Test
    void atLeastOnceSigkilledInstancesLoseNoSession(@TempDir Path root) throws Exception {
        sigkillScenario(root, "kill-ses", JobSpec.defaults().withWindow(WindowSpec.parse("session:5s")), false,
                Faults.instances());
    }

    /**
     * Exactly-once, sliding windows, the same kills: what a {@code read_committed} reader sees equals the uninterrupted
     * fused instance's output exactly, no result missing and none twice.
     */
    @Test
    void exactlyOnceSigkilledInstancesCommitEachWindowOnce(@TempDir Path root) throws Exception {
        sigkillScenario(root, "kill-eos", JobSpec.defaults(), true, Faults.instances());
    }

    /** Exactly-once with session windows: each session committed once, as one uninterrupted instance fires it. */
    @Test
    void exactlyOnceSigkilledInstancesCommitEachSessionOnce(@TempDir Path root) throws Exception {
        sigkillScenario(root, "kill-eos-ses", JobSpec.defaults().withWindow(WindowSpec.parse("session:5s")), true,
                Faults.instances());
    }

    /**
     * What a scenario does while the input arrives: the instance kills of this class ({@link #instances()}), or the
     * broker SIGKILLed and restarted ({@link ScaleOutBrokerKillIT}), optionally with one instance SIGKILLed and
     * restarted too.
     *
     * @param cluster       the broker the processes use
     * @param broker        the broker to kill, or null: then one instance is SIGKILLed and restarted, another SIGKILLed
     *                      for good, and an uninterrupted fused instance runs beside as the reference
     * @param killInstance  with a broker to kill: whether one instance is SIGKILLed and restarted as well
     */
    record Faults(CrashRecoveryIT.Cluster cluster, ChildKafkaBroker broker, boolean killInstance) {
        /** The instance kills, on the module's shared broker. */
        static Faults instances() {
            return new Faults(CrashRecoveryIT.Cluster.of(SharedKafkaBroker.get()), null, true);
        }

        /**
         * Whether the uninterrupted fused instance runs beside: not when the broker is killed, which would interrupt
         * it too (its at-least-once output would repeat results); the replay it checks is the same.
         */
        boolean reference() {
            return broker == null;
        }

        /** How long the last third of the input takes: past a dead instance's 45 s session when one dies for good. */
        long restMs() {
            return broker == null ? PRODUCE_REST_MS : BROKER_PRODUCE_REST_MS;
        }
    }

    /** How long the last third of the input takes when no instance dies for good. */
    private static final long BROKER_PRODUCE_REST_MS = 10_000;

    /** {@code spec}: the default job with another window at most (given to the processes as {@code --window}). */
    static void sigkillScenario(Path root, String group, JobSpec window, boolean exactlyOnce, Faults faults)
            throws Exception {
        JobSpec spec = window.withTypes(JobSpec.parseTypes(TYPES));
        List<String> jobFlags = List.of("--window", window.window().toString(), "--types", TYPES);
        long seed = Long.getLong("flinklite.killit.seed", System.nanoTime());
        long started = System.nanoTime();
        Random random = new Random(seed);
        String because = "seed " + seed + " (-Dflinklite.killit.seed=" + seed + " repeats the kill moments)";
        CrashRecoveryIT.Cluster broker = faults.cluster();
        String bootstrap = broker.bootstrapServers();
        broker.createTopic(group + "-in", 3);
        for (String topic : List.of(group + "-out", group + "-late", group + "-fused-out", group + "-fused-late")) {
            broker.createTopic(topic, 1);
        }
        long base = System.currentTimeMillis() - 3_600_000;
        Input in = Input.of(spec, seed, 6_000, base);
        List<Placed> main = in.main;
        List<Placed> late = in.late;
        List<Placed> end = in.end;
        List<String> expectedLate = in.expectedLate;
        List<String> expected = in.expected;

        List<String> command = new ArrayList<>(List.of("run", "--bootstrap-servers", bootstrap,
                "--input-topic", group + "-in", "--output-topic", group + "-out", "--late-topic", group + "-late",
                "--group-id", group, "--checkpoint-store", "kafka", "--checkpoint-interval", "1s", "--scale-out",
                "--idle-timeout", "0s", "--metrics-port", "0", "--status-interval", "0s"));
        command.addAll(jobFlags);
        if (exactlyOnce) {
            command.addAll(List.of("--delivery", "exactly-once"));
        }
        if (faults.broker() != null) {
            // An instance (re)started just before the broker dies waits for it rather than giving up after the
            // default 30 s (a loaded machine's broker can take that long to recover its log): as in
            // BrokerRestartCrashIT, and as a user who expects outages sets it. The running ones ride it out as they are.
            command.addAll(List.of("--connect-timeout", "3m"));
        }
        // The reference: one uninterrupted fused instance on the same input, so the replay is checked against the
        // product's own output (its late events must be late there too: it is waited for like the others).
        List<String> fused = new ArrayList<>(List.of("run", "--bootstrap-servers", bootstrap,
                "--input-topic", group + "-in", "--output-topic", group + "-fused-out", "--late-topic",
                group + "-fused-late", "--group-id", group + "-fused", "--idle-timeout", "0s", "--metrics-port", "0",
                "--status-interval", "0s"));
        fused.addAll(jobFlags);
        String[] cmd = command.toArray(String[]::new);
        List<ChildFlinkLite> children = new ArrayList<>();
        ExecutorService producer = Executors.newSingleThreadExecutor();
        try (OutputWatch out = new OutputWatch(bootstrap, group + "-out", exactlyOnce);
             OutputWatch lateOut = new OutputWatch(bootstrap, group + "-late", false);
             OutputWatch fusedOut = new OutputWatch(bootstrap, group + "-fused-out", false);
             OutputWatch fusedLate = new OutputWatch(bootstrap, group + "-fused-late", false)) {
            ChildFlinkLite reference = faults.reference() ? ChildFlinkLite.startIn(
                    Files.createDirectories(root.resolve("fused")), fused.toArray(String[]::new)) : null;
            if (reference != null) {
                children.add(reference);
            }
            ChildFlinkLite[] p = new ChildFlinkLite[3];
            for (int i = 0; i < 3; i++) {
                p[i] = ChildFlinkLite.startIn(Files.createDirectories(root.resolve("instance-" + i)), cmd);
                children.add(p[i]);
            }
            for (ChildFlinkLite c : children) {
                c.awaitLines(Duration.ofSeconds(90), lines -> lines.stream().anyMatch(l -> l.contains("assigned partitions")));
            }
            Future<?> producing = producer.submit(() -> {
                int twoThirds = main.size() * 2 / 3;
                produceSteadily(bootstrap, group + "-in", main.subList(0, twoThirds), PRODUCE_MS);
                produceSteadily(bootstrap, group + "-in", main.subList(twoThirds, main.size()), faults.restMs());
                return null;
            });
            long produceStart = System.currentTimeMillis();
            long restartAt = produceStart + 1_000 + random.nextInt((int) (PRODUCE_MS / 2 - 1_000));
            long killAt = produceStart + PRODUCE_MS / 2 + random.nextInt((int) (PRODUCE_MS / 2));
            if (faults.broker() == null) {
                sleepUntil(restartAt);
                p[1].kill();
                p[1] = ChildFlinkLite.startIn(root.resolve("instance-1"), cmd);
                children.add(p[1]);
                sleepUntil(killAt);
                p[2].kill();
                System.out.printf("%s: %s; instance-1 SIGKILLed and restarted %d ms, instance-2 SIGKILLed for good %d"
                        + " ms into the input%n", group, because, restartAt - produceStart, killAt - produceStart);
            } else {
                // The broker dies while every task has open windows (the input is 2 s of event time ahead of the
                // slowest partition at least) and a checkpoint (every 1 s) may be in flight; the instance, if any,
                // before, during or after the outage.
                long brokerAt = produceStart + 1_500 + random.nextInt((int) (PRODUCE_MS - 3_000));
                long downMs = 1_000 + random.nextInt(4_001);
                long instanceAt = faults.killInstance() ? produceStart + 1_000 + random.nextInt((int) PRODUCE_MS) : -1;
                boolean instanceDone = !faults.killInstance();
                if (!instanceDone && instanceAt < brokerAt) {
                    sleepUntil(instanceAt);
                    p[1] = restart(p[1], root.resolve("instance-1"), cmd, children);
                    instanceDone = true;
                }
                sleepUntil(brokerAt);
                faults.broker().kill();
                if (!instanceDone && instanceAt < brokerAt + downMs) {
                    sleepUntil(instanceAt);
                    p[1] = restart(p[1], root.resolve("instance-1"), cmd, children);
                    instanceDone = true;
                }
                sleepUntil(brokerAt + downMs);
                faults.broker().start();
                long upAt = System.currentTimeMillis();
                if (!instanceDone) {
                    sleepUntil(instanceAt);
                    p[1] = restart(p[1], root.resolve("instance-1"), cmd, children);
                }
                System.out.printf("%s: %s; broker SIGKILLed %d ms into the input, down %d ms, answering again %d ms"
                                + " after the kill%s%n", group, because, brokerAt - produceStart, downMs, upAt - brokerAt,
                        faults.killInstance() ? "; instance-1 SIGKILLed and restarted " + (instanceAt - produceStart)
                                + " ms into the input" : "");
            }
            producing.get(3, TimeUnit.MINUTES);
            if (faults.killInstance()) {
                p[1].awaitLines(Duration.ofSeconds(90), lines -> lines.stream().anyMatch(l -> l.contains("assigned partitions")));
            }

            // Late events only once every keyed task's watermark (and the fused instance's) passed them: results of
            // windows ending LATE_AFTER_MS into the input prove it; the dead instance's tasks move after its session
            // times out (45 s), not sooner.
            long lateAfter = base + LATE_AFTER_MS;
            awaitUntil(Duration.ofMinutes(3), () -> passed(out, lateAfter)
                            && (reference == null || passed(fusedOut, lateAfter)),
                    () -> because + ": results past " + lateAfter + " never came; " + describe(p, reference));
            KafkaTestSupport.produce(bootstrap, group + "-in", late);
            KafkaTestSupport.produce(bootstrap, group + "-in", end);

            Set<String> want = new HashSet<>(expected);
            Set<String> wantLate = new HashSet<>(expectedLate);
            awaitUntil(Duration.ofMinutes(2), () -> new HashSet<>(out.values()).containsAll(want)
                            && new HashSet<>(lateOut.values()).containsAll(wantLate)
                            && (reference == null || fusedOut.values().size() >= expected.size()
                                && fusedLate.values().size() >= late.size()),
                    () -> because + ": output incomplete: " + missing(want, out.values()) + " results and "
                            + missing(wantLate, lateOut.values()) + " late events missing; results the replay does not"
                            + " have: " + unexpected(want, out.values()) + describe(p, reference));
            Thread.sleep(2_000); // anything beyond the expected (a wrong value) arrives soon after: wait for it too
            List<ChildFlinkLite> running = new ArrayList<>(List.of(p[0], p[1]));
            if (faults.broker() != null) {
                running.add(p[2]);
            }
            if (reference != null) {
                running.add(reference);
            }
            for (ChildFlinkLite c : running) {
                c.stopWithSigterm(Duration.ofSeconds(60));
            }

            List<String> got = out.values();
            if (reference != null) {
                assertThat(fusedOut.values()).as("the uninterrupted fused instance = the replay").
                        containsExactlyInAnyOrderElementsOf(expected);
                assertThat(fusedLate.values()).as("its late output = the replay's")
                        .containsExactlyInAnyOrderElementsOf(expectedLate);
            }
            if (exactlyOnce) {
                // The uninterrupted fused instance's output equals the replay's (checked above when it runs).
                assertThat(got).as(because + ": read_committed output = the uninterrupted instance's, no duplicates")
                        .containsExactlyInAnyOrderElementsOf(expected);
            } else {
                // At-least-once: a duplicate may only be an identical whole result; a wrong value would be a line
                // the replay does not have.
                assertThat(new HashSet<>(got)).as(because + ": results (distinct) = the replay's")
                        .containsExactlyInAnyOrderElementsOf(want);
            }
            // Late events go out at-least-once under either delivery (README "Scaling out").
            assertThat(new HashSet<>(lateOut.values())).as(because + ": late events (distinct)")
                    .containsExactlyInAnyOrderElementsOf(wantLate);
            if (faults.killInstance()) {
                assertThat(String.join("\n", p[1].lines())).as(because).contains("restored from its snapshot");
            }
            System.out.printf("%s: %d results (%d expected, %d duplicates), %d late (%d expected); %s; %.1f s%n", group,
                    got.size(), expected.size(), got.size() - new HashSet<>(got).size(), lateOut.values().size(),
                    expectedLate.size(), because, (System.nanoTime() - started) / 1e9);
        } finally {
            producer.shutdownNow();
            for (int i = 0; i < children.size(); i++) {
                ChildFlinkLite c = children.get(i);
                c.close();
                // Each process's output, to read after a run (children: fused, instance 0..2, instance 1 again).
                Files.write(Path.of("target", group + "-process-" + i + ".log"), c.lines());
            }
        }
    }

    /** SIGKILLs {@code child} and starts it again with the same command line and directory. */
    private static ChildFlinkLite restart(ChildFlinkLite child, Path dir, String[] cmd, List<ChildFlinkLite> children)
            throws Exception {
        child.kill();
        ChildFlinkLite again = ChildFlinkLite.startIn(dir, cmd);
        children.add(again);
        return again;
    }

    // ---- a stalled instance's partitions lost, an instance killed mid-rebalance (issue 12, failure paths) ----

    /**
     * One instance of each group SIGSTOPped while windows are open, for longer than its 45 s session (the default;
     * its heartbeats halt with it), so the other instance takes its partitions from their last snapshots; then
     * SIGCONT: the zombie finds its partitions lost without a hand-over (its generation fenced). Exactly-once it aborts
     * its open transaction (logged with the reason, counted in {@code flinklite_transactions_aborted_total}), drops
     * every task, and re-creates what the group assigns it again from the committed snapshots; at-least-once it drops
     * the lost tasks without a snapshot. Both run at once, one group each (exactly-once, at-least-once) on one input,
     * and each group's output must equal the replay: read_committed exactly, no duplicate; at-least-once every window
     * with its exact value; the late output complete.
     */
    @Test
    void aStalledInstanceLosesItsPartitionsAndRejoinsWithoutLossOrDuplicate(@TempDir Path root) throws Exception {
        disruptionScenario(root, "stall", (groups, random, log) -> {
            sleepUntil(System.currentTimeMillis() + 1_000 + random.nextInt(5_000));
            int[] assignedBefore = new int[groups.size()];
            for (int g = 0; g < groups.size(); g++) {
                assignedBefore[g] = count(groups.get(g).instances[0], "assigned partitions");
                groups.get(g).instances[1].suspend();
            }
            long stoppedAt = System.currentTimeMillis();
            // The survivor's next assignment comes once the coordinator expired the stalled member's session.
            for (int g = 0; g < groups.size(); g++) {
                int before = assignedBefore[g];
                groups.get(g).instances[0].awaitLines(Duration.ofSeconds(100),
                        lines -> count(lines, "assigned partitions") > before);
            }
            long stalledMs = System.currentTimeMillis() - stoppedAt;
            for (Group group : groups) {
                group.instances[1].resume();
            }
            log.append("instance-1 of each group SIGSTOPped for ").append(stalledMs).append(" ms");
            for (Group group : groups) {
                ChildFlinkLite zombie = group.instances[1];
                zombie.awaitLines(Duration.ofSeconds(60), lines -> rejoinedAfterLoss(lines));
                if (group.exactlyOnce) {
                    assertThat(zombie.output()).as("the zombie aborts, with the reason")
                            .containsPattern("transaction of transactional.id '[^']+' aborted: .+");
                    assertThat(KafkaTestSupport.scrape("http://127.0.0.1:" + group.metricsPorts[1] + "/metrics")
                            .get("flinklite_transactions_aborted_total")).as("counted").isGreaterThanOrEqualTo(1.0);
                }
            }
            // The session runs from the last heartbeat (every 3 s), so the stall seen here may be up to 3 s shorter.
            assertThat(stalledMs).as("stalled past the session timeout").isGreaterThan(42_000);
        }, (group, because) -> {
            ChildFlinkLite zombie = group.instances[1];
            List<String> lines = zombie.lines();
            assertThat(rejoinedAfterLoss(lines)).as(because + ": the zombie lost its tasks, then restored them").isTrue();
            assertThat(zombie.output()).as(because).doesNotContain("Exception in thread");
        });
    }

    /**
     * A third instance joins each group, and one of the two running instances of each is SIGKILLed for good in the
     * middle of the rebalance: seeded, either at its first task's hand-over (inside its revocation callback), or 0-1.5 s
     * after the coordinator reports the group rebalancing (Admin; members learn of it with their next heartbeat, every
     * 3 s), so before, inside or after its revocation's commit (the log says which). The group completes the
     * rebalance once the dead member's 45 s session expires; the output of each group (exactly-once, at-least-once, at
     * once on one input) must equal the replay as above.
     */
    @Test
    void anInstanceKilledWhileTheGroupRebalancesLosesNothing(@TempDir Path root) throws Exception {
        disruptionScenario(root, "rbkill", (groups, random, log) -> {
            sleepUntil(System.currentTimeMillis() + 1_000 + random.nextInt(5_000));
            try (org.apache.kafka.clients.admin.Admin admin = org.apache.kafka.clients.admin.Admin.create(
                    java.util.Map.of("bootstrap.servers", SharedKafkaBroker.get().bootstrapServers()))) {
                int[] revokedBefore = new int[groups.size()];
                int[] assignedBefore = new int[groups.size()];
                int[] handedOverBefore = new int[groups.size()];
                // Per group, seeded: kill at the victim's first task hand-over (inside its revocation callback:
                // at-least-once between two tasks' commits, exactly-once once the one transaction committed), or a
                // moment after the coordinator is seen rebalancing.
                boolean[] atHandOver = new boolean[groups.size()];
                for (int g = 0; g < groups.size(); g++) {
                    atHandOver[g] = random.nextBoolean();
                    handedOverBefore[g] = count(groups.get(g).instances[1], "handed over");
                    revokedBefore[g] = count(groups.get(g).instances[1], "revoked partitions");
                    assignedBefore[g] = count(groups.get(g).instances[1], "assigned partitions");
                    groups.get(g).start(2);
                }
                // Per group: when the victim is killed (0 until its group is seen rebalancing); no group's delay
                // holds up watching the other.
                long[] killAt = new long[groups.size()];
                String[] seen = new String[groups.size()];
                int[] delays = new int[groups.size()];
                boolean[] killed = new boolean[groups.size()];
                long deadline = System.currentTimeMillis() + 60_000;
                int left = groups.size();
                while (left > 0) {
                    assertThat(System.currentTimeMillis()).as("no rebalance seen in 60 s").isLessThan(deadline);
                    for (int g = 0; g < groups.size(); g++) {
                        Group group = groups.get(g);
                        if (killed[g]) {
                            continue;
                        }
                        if (killAt[g] == 0 && atHandOver[g]) {
                            if (count(group.instances[1], "handed over") > handedOverBefore[g]) {
                                killAt[g] = System.currentTimeMillis();
                                seen[g] = "at its first task hand-over";
                            }
                        } else if (killAt[g] == 0) {
                            org.apache.kafka.common.GroupState state = admin.describeConsumerGroups(List.of(group.id))
                                    .all().get(10, TimeUnit.SECONDS).get(group.id).groupState();
                            if (state == org.apache.kafka.common.GroupState.PREPARING_REBALANCE
                                    || state == org.apache.kafka.common.GroupState.COMPLETING_REBALANCE) {
                                // A member learns of the rebalance with its next heartbeat (every 3 s): over that
                                // span the kill lands before, inside or after the victim's revocation (its commit).
                                delays[g] = random.nextInt(1_500);
                                killAt[g] = System.currentTimeMillis() + delays[g];
                                seen[g] = delays[g] + " ms after the group was seen " + state;
                            }
                        } else if (System.currentTimeMillis() >= killAt[g]) {
                            ChildFlinkLite victim = group.instances[1];
                            victim.kill();
                            killed[g] = true;
                            left--;
                            boolean revoked = count(victim, "revoked partitions") > revokedBefore[g];
                            boolean rejoined = count(victim, "assigned partitions") > assignedBefore[g];
                            log.append(group.id).append(": instance-1 SIGKILLed ").append(seen[g]).append(rejoined
                                            ? ", after it rejoined" : revoked ? ", after its revocation"
                                            : ", before its revocation finished").append("; ");
                        }
                    }
                    Thread.sleep(10);
                }
            }
            for (Group group : groups) {
                group.instances[2].awaitLines(Duration.ofSeconds(100),
                        lines -> lines.stream().anyMatch(l -> l.contains("assigned partitions")));
            }
        }, (group, because) -> { });
    }

    /** Whether an instance's log shows tasks lost without hand-over, then a task restored from its snapshot. */
    private static boolean rejoinedAfterLoss(List<String> lines) {
        int lost = -1;
        for (int i = 0; i < lines.size(); i++) {
            String l = lines.get(i);
            if (lost < 0 && l.contains("lost without hand-over")) {
                lost = i;
            } else if (lost >= 0 && l.contains("restored from its snapshot")) {
                return true;
            }
        }
        return false;
    }

    private static int count(ChildFlinkLite c, String text) {
        return count(c.lines(), text);
    }

    private static int count(List<String> lines, String text) {
        return (int) lines.stream().filter(l -> l.contains(text)).count();
    }

    /** One job's group of {@code flinklite run --scale-out} processes, with its own output topics and watches. */
    private static final class Group implements AutoCloseable {
        final String id;
        final boolean exactlyOnce;
        final Path root;
        final List<String> command;
        final ChildFlinkLite[] instances = new ChildFlinkLite[3];
        /** Every process started, in order (the stalled or killed ones too), for their logs. */
        final List<ChildFlinkLite> started = new ArrayList<>();
        final int[] metricsPorts;
        final OutputWatch out;
        final OutputWatch lateOut;

        Group(String id, boolean exactlyOnce, Path root, String input, List<String> jobFlags) throws java.io.IOException {
            this.id = id;
            this.exactlyOnce = exactlyOnce;
            this.root = root;
            String bootstrap = SharedKafkaBroker.get().bootstrapServers();
            SharedKafkaBroker.get().createTopic(id + "-out", 1);
            SharedKafkaBroker.get().createTopic(id + "-late", 1);
            command = new ArrayList<>(List.of("run", "--bootstrap-servers", bootstrap, "--input-topic", input,
                    "--output-topic", id + "-out", "--late-topic", id + "-late", "--group-id", id,
                    "--checkpoint-store", "kafka", "--checkpoint-interval", "1s", "--scale-out", "--idle-timeout",
                    "0s", "--status-interval", "0s"));
            command.addAll(jobFlags);
            if (exactlyOnce) {
                command.addAll(List.of("--delivery", "exactly-once"));
            }
            metricsPorts = io.flinklite.testing.ScratchSpace.freeLoopbackPorts(instances.length);
            out = new OutputWatch(bootstrap, id + "-out", exactlyOnce);
            lateOut = new OutputWatch(bootstrap, id + "-late", false);
        }

        Path dir(int i) throws java.io.IOException {
            return Files.createDirectories(root.resolve(id + "-instance-" + i));
        }

        /** The instances' shared command line; {@code i}'s metrics port (known, to scrape) apart. */
        String[] command(int i) {
            List<String> c = new ArrayList<>(command);
            c.addAll(List.of("--metrics-port", Integer.toString(metricsPorts[i])));
            return c.toArray(String[]::new);
        }

        void start(int i) throws Exception {
            instances[i] = ChildFlinkLite.startIn(dir(i), command(i));
            started.add(instances[i]);
        }

        @Override
        public void close() throws Exception {
            out.close();
            lateOut.close();
            for (int i = 0; i < started.size(); i++) {
                ChildFlinkLite c = started.get(i);
                c.close();
                Files.write(Path.of("target", id + "-process-" + i + ".log"), c.lines());
            }
        }
    }

    /** What happens to the groups while the input arrives; appends what it did (moments, states) to {@code log}. */
    private interface Disruption {
        void run(List<Group> groups, Random random, StringBuilder log) throws Exception;
    }

    /** Further checks of one group once its output is complete and its instances stopped. */
    private interface GroupCheck {
        void check(Group group, String because) throws Exception;
    }

    /**
     * Two groups (exactly-once, at-least-once) of two instances each on one unkeyed input over 3 partitions, the
     * sliding job of the sigkill scenarios: the input arrives steadily for {@value #DISRUPTED_PRODUCE_MS} ms while
     * {@code disruption} runs, then, once every group's results passed {@value #LATE_AFTER_MS} ms of event time, the
     * late events and the closing ones; each group's output is then checked against the replay.
     */
    private void disruptionScenario(Path root, String name, Disruption disruption, GroupCheck check) throws Exception {
        JobSpec spec = JobSpec.defaults().withTypes(JobSpec.parseTypes(TYPES));
        List<String> jobFlags = List.of("--window", spec.window().toString(), "--types", TYPES);
        long seed = Long.getLong("flinklite.killit.seed", System.nanoTime());
        long startedNanos = System.nanoTime();
        Random random = new Random(seed);
        String because = name + ", seed " + seed + " (-Dflinklite.killit.seed=" + seed + " repeats the moments)";
        EmbeddedKafkaBroker broker = SharedKafkaBroker.get();
        String bootstrap = broker.bootstrapServers();
        String input = name + "-in";
        broker.createTopic(input, 3);
        long base = System.currentTimeMillis() - 3_600_000;
        Input in = Input.of(spec, seed, 4_000, base);
        List<Placed> main = in.main;
        List<Placed> late = in.late;
        List<Placed> end = in.end;
        List<String> expectedLate = in.expectedLate;
        List<String> expected = in.expected;
        Set<String> want = new HashSet<>(expected);
        Set<String> wantLate = new HashSet<>(expectedLate);
        StringBuilder log = new StringBuilder();
        ExecutorService producer = Executors.newSingleThreadExecutor();
        try (Group eos = new Group(name + "-eos", true, root, input, jobFlags);
             Group alo = new Group(name + "-alo", false, root, input, jobFlags)) {
            List<Group> groups = List.of(eos, alo);
            for (Group g : groups) {
                g.start(0);
                g.start(1);
            }
            for (Group g : groups) {
                for (int i = 0; i < 2; i++) {
                    g.instances[i].awaitLines(Duration.ofSeconds(90),
                            lines -> lines.stream().anyMatch(l -> l.contains("assigned partitions")));
                }
            }
            Future<?> producing = producer.submit(() -> {
                produceSteadily(bootstrap, input, main, DISRUPTED_PRODUCE_MS);
                return null;
            });
            disruption.run(groups, random, log);
            System.out.printf("%s: %s%n", because, log);
            producing.get(2, TimeUnit.MINUTES);

            long lateAfter = base + LATE_AFTER_MS;
            awaitUntil(Duration.ofMinutes(2), () -> passed(eos.out, lateAfter) && passed(alo.out, lateAfter),
                    () -> because + ": results past " + lateAfter + " never came; " + describe(groups));
            KafkaTestSupport.produce(bootstrap, input, late);
            KafkaTestSupport.produce(bootstrap, input, end);
            awaitUntil(Duration.ofMinutes(2), () -> groups.stream().allMatch(g ->
                            new HashSet<>(g.out.values()).containsAll(want)
                                    && new HashSet<>(g.lateOut.values()).containsAll(wantLate)),
                    () -> because + ": output incomplete: " + groups.stream().map(g -> g.id + " "
                            + missing(want, g.out.values()) + " results and " + missing(wantLate, g.lateOut.values())
                            + " late events missing, results the replay does not have: "
                            + unexpected(want, g.out.values())).toList() + describe(groups));
            Thread.sleep(2_000); // anything beyond the expected (a wrong value, a duplicate) arrives soon after
            for (Group g : groups) {
                for (ChildFlinkLite c : g.instances) {
                    if (c != null && c.isAlive()) {
                        c.stopWithSigterm(Duration.ofSeconds(60));
                    }
                }
            }
            for (Group g : groups) {
                String of = because + ", " + g.id;
                List<String> got = g.out.values();
                if (g.exactlyOnce) {
                    assertThat(got).as(of + ": read_committed output = the replay's, no duplicates")
                            .containsExactlyInAnyOrderElementsOf(expected);
                } else {
                    assertThat(new HashSet<>(got)).as(of + ": results (distinct) = the replay's")
                            .containsExactlyInAnyOrderElementsOf(want);
                }
                assertThat(new HashSet<>(g.lateOut.values())).as(of + ": late events (distinct)")
                        .containsExactlyInAnyOrderElementsOf(wantLate);
                check.check(g, of);
                System.out.printf("%s: %d results (%d expected, %d duplicates), %d late (%d expected)%n", of,
                        got.size(), expected.size(), got.size() - new HashSet<>(got).size(),
                        g.lateOut.values().size(), expectedLate.size());
            }
            System.out.printf("%s: %.1f s%n", because, (System.nanoTime() - startedNanos) / 1e9);
        } finally {
            producer.shutdownNow();
        }
    }

    /** How long the input of a disruption scenario takes to arrive: past a stall of a whole session. */
    private static final long DISRUPTED_PRODUCE_MS = 60_000;

    private static String describe(List<Group> groups) {
        StringBuilder b = new StringBuilder();
        for (Group g : groups) {
            for (int i = 0; i < g.started.size(); i++) {
                b.append("\n---- ").append(g.id).append(" process ").append(i).append(" ----\n")
                        .append(tail(g.started.get(i).lines()));
            }
        }
        return b.toString();
    }

    /**
     * The input of a kill scenario and what the replay computes on it: {@code n} events of the keys from {@code base}
     * on (with bursts for session windows), then late events once every watermark passed them, then closing events.
     */
    private static final class Input {
        List<Placed> main;
        List<Placed> late;
        List<Placed> end;
        final List<String> expectedLate = new ArrayList<>();
        List<String> expected;

        static Input of(JobSpec spec, long seed, int n, long base) throws Exception {
            Input in = new Input();
            in.main = events(seed, n, base, spec.window().assigner().isSession());
            in.late = lateEvents(seed, base);
            in.end = closingEvents(in.main);
            List<Placed> all = new ArrayList<>(in.main);
            all.addAll(in.late);
            all.addAll(in.end);
            in.expected = replayResults(spec, all, in.expectedLate);
            assertThat(in.expectedLate).as("every late event is late for the replay").hasSize(in.late.size());
            assertThat(in.expected).hasSizeGreaterThan(40);
            return in;
        }
    }

    /** What the replay computes on {@code events}: the results as JSON lines; the late events into {@code late}. */
    private static List<String> replayResults(JobSpec spec, List<Placed> events, List<String> late) throws Exception {
        byte[][] input = new byte[events.size()][];
        for (int i = 0; i < input.length; i++) {
            input[i] = events.get(i).json;
        }
        List<String> results = new ArrayList<>();
        Replay.run(spec, input, r -> results.add(r.toJson()), b -> late.add(new String(b, StandardCharsets.UTF_8)),
                line -> { });
        return results;
    }

    /**
     * {@code n} events 50 ms apart over 3 partitions, disordered by up to 4 s (less than the 5 s out-of-orderness, so
     * none is late whatever the partitions' interleaving), of the keys and {@code normal}. With {@code bursts}
     * (session windows, gap 5 s): 15 s of silence after every 200 events, so sessions open and close.
     */
    private static List<Placed> events(long seed, int n, long base, boolean bursts) {
        Random random = new Random(seed);
        List<Placed> out = new ArrayList<>();
        for (int i = 0; i < n; i++) {
            long ts = base + i * 50L + random.nextInt(4_000) + (bursts ? i / 200 * 15_000L : 0);
            int type = random.nextInt(KEYS.length + 1);
            out.add(new Placed(random.nextInt(3), KafkaTestSupport.event(i + 1, ts,
                    type == KEYS.length ? "normal" : KEYS[type])));
        }
        return out;
    }

    /** Events of the first seconds of the input, produced once every watermark is far past them: late everywhere. */
    private static List<Placed> lateEvents(long seed, long base) {
        Random random = new Random(seed + 1);
        List<Placed> out = new ArrayList<>();
        for (int i = 0; i < 30; i++) {
            out.add(new Placed(random.nextInt(3), KafkaTestSupport.event(1_000_000 + i, base + random.nextInt(5_000),
                    KEYS[random.nextInt(KEYS.length)])));
        }
        return out;
    }

    /** One filtered event per partition a minute after the last: every partition's watermark passes every window. */
    private static List<Placed> closingEvents(List<Placed> events) {
        long max = Long.MIN_VALUE;
        for (Placed e : events) {
            max = Math.max(max, field(e.text(), "timestamp"));
        }
        List<Placed> out = new ArrayList<>();
        for (int p = 0; p < 3; p++) {
            out.add(new Placed(p, KafkaTestSupport.event(2_000_000 + p, max + 60_000, "normal")));
        }
        return out;
    }

    /** Writes {@code events} in order, in 30 slices spread over {@code durationMs}. */
    private static void produceSteadily(String bootstrap, String topic, List<Placed> events, long durationMs)
            throws InterruptedException {
        int slices = 30;
        long start = System.currentTimeMillis();
        for (int s = 0; s < slices; s++) {
            KafkaTestSupport.produce(bootstrap, topic, events.subList(events.size() * s / slices,
                    events.size() * (s + 1) / slices));
            sleepUntil(start + durationMs * (s + 1) / slices);
        }
    }

    /** Whether {@code watch} holds, for every key, a result of a window ending at or after {@code eventTimeMs}. */
    private static boolean passed(OutputWatch watch, long eventTimeMs) {
        Set<String> keys = new HashSet<>();
        for (String line : watch.values()) {
            if (field(line, "windowEnd") >= eventTimeMs) {
                keys.add(message(line.replace("\"key\"", "\"message\"")));
            }
        }
        return keys.containsAll(List.of(KEYS));
    }

    private static long missing(Set<String> want, List<String> got) {
        Set<String> left = new HashSet<>(want);
        got.forEach(left::remove);
        return left.size();
    }

    /** The lines of {@code got} that {@code want} does not have (a wrong value), at most 10. */
    private static List<String> unexpected(Set<String> want, List<String> got) {
        return got.stream().filter(l -> !want.contains(l)).distinct().limit(10).toList();
    }

    private static String describe(ChildFlinkLite[] p, ChildFlinkLite reference) {
        StringBuilder b = new StringBuilder();
        for (int i = 0; i < p.length; i++) {
            b.append("\n---- instance-").append(i).append(" ----\n").append(tail(p[i].lines()));
        }
        return reference == null ? b.toString() : b.append("\n---- fused ----\n").append(tail(reference.lines())).toString();
    }

    private static String tail(List<String> lines) {
        return String.join("\n", lines.subList(Math.max(0, lines.size() - 60), lines.size()));
    }

    private static long field(String json, String name) {
        int i = json.indexOf("\"" + name + "\":") + name.length() + 3;
        int j = i;
        while (j < json.length() && (Character.isDigit(json.charAt(j)) || json.charAt(j) == '-')) {
            j++;
        }
        return Long.parseLong(json.substring(i, j));
    }

    private static String message(String json) {
        int i = json.indexOf("\"message\":\"") + 11;
        return json.substring(i, json.indexOf('"', i));
    }

    private static void sleepUntil(long epochMs) throws InterruptedException {
        long wait = epochMs - System.currentTimeMillis();
        if (wait > 0) {
            Thread.sleep(wait); // pacing the input and the kill moments, not synchronisation
        }
    }

    private static void awaitUntil(Duration atMost, java.util.concurrent.Callable<Boolean> done,
                                   java.util.function.Supplier<String> failure) throws Exception {
        long deadline = System.currentTimeMillis() + atMost.toMillis();
        while (!done.call()) {
            if (System.currentTimeMillis() > deadline) {
                throw new AssertionError(failure.get());
            }
            Thread.sleep(200);
        }
    }

    /** Every record of a topic from its start, read on a thread of its own while the test runs. */
    private static final class OutputWatch implements AutoCloseable {
        private final List<String> values = new CopyOnWriteArrayList<>();
        private final AtomicBoolean closed = new AtomicBoolean();
        private final Thread thread;

        OutputWatch(String bootstrap, String topic, boolean readCommitted) {
            Properties p = new Properties();
            p.put("bootstrap.servers", bootstrap);
            p.put(ConsumerConfig.ISOLATION_LEVEL_CONFIG, readCommitted ? "read_committed" : "read_uncommitted");
            p.put(ConsumerConfig.GROUP_ID_CONFIG, "watch-" + topic + "-" + System.nanoTime());
            p.put(ConsumerConfig.AUTO_OFFSET_RESET_CONFIG, "earliest");
            thread = new Thread(() -> {
                try (KafkaConsumer<byte[], byte[]> c = new KafkaConsumer<>(p, new ByteArrayDeserializer(),
                        new ByteArrayDeserializer())) {
                    c.subscribe(List.of(topic));
                    while (!closed.get()) {
                        for (ConsumerRecord<byte[], byte[]> r : c.poll(Duration.ofMillis(200))) {
                            values.add(new String(r.value(), StandardCharsets.UTF_8));
                        }
                    }
                }
            }, "watch-" + topic);
            thread.setDaemon(true);
            thread.start();
        }

        List<String> values() {
            return values;
        }

        @Override
        public void close() throws InterruptedException {
            closed.set(true);
            thread.join(10_000);
        }
    }
}
