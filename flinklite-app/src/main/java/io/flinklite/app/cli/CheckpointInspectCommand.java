package io.flinklite.app.cli;

import io.flinklite.runtime.checkpoint.Checkpoint;
import io.flinklite.job.Timestamps;
import io.flinklite.connector.kafka.KafkaCheckpointStore;
import io.flinklite.runtime.checkpoint.CheckpointStore;
import io.flinklite.runtime.checkpoint.DirectoryCheckpointStore;
import io.flinklite.runtime.checkpoint.RestoreCheck;
import io.flinklite.runtime.checkpoint.SourcePosition;
import io.flinklite.runtime.checkpoint.StateSummary;
import io.flinklite.runtime.checkpoint.TaskId;
import picocli.CommandLine;
import picocli.CommandLine.Command;
import picocli.CommandLine.Parameters;

import java.io.IOException;
import java.io.PrintWriter;
import java.nio.file.Files;
import java.nio.file.LinkOption;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.Callable;

/**
 * {@code flinklite checkpoint inspect [DIR|FILE]}: is the checkpoint valid, and what does it hold (id, time, job,
 * offsets, watermarks, open panes per key). For a directory it checks every file and describes the one a restart
 * would restore. Exit code 0 when that checkpoint (or the file) is valid, 1 when nothing valid is found.
 */
@Command(name = "inspect",
        mixinStandardHelpOptions = true,
        description = {"Check and summarise a checkpoint: id, time, offsets, watermarks, open panes per key, validity.",
                "Given a directory, checks every checkpoint in it and describes the one a restart would restore.",
                "Of a scaled-out job (run --scale-out), describes each task's newest valid snapshot (or --task's):",
                "a source task's unsent partials, a keyed task's open windows, panes and marker table."})
public final class CheckpointInspectCommand implements Callable<Integer> {

    @Parameters(index = "0", arity = "0..1", paramLabel = "DIR|FILE", defaultValue = CheckpointDirectoryArgument.DEFAULT_DIR,
            description = "A checkpoint directory or one checkpoint file (default: ${DEFAULT-VALUE}).")
    Path target;

    @CommandLine.Option(names = "--max-keys", defaultValue = "20", paramLabel = "N",
            description = "Show open panes for at most N keys, the ones with most panes first (default: ${DEFAULT-VALUE}).")
    int maxKeys;

    @CommandLine.Option(names = "--task", paramLabel = "TOPIC/PARTITION",
            description = "Of a scaled-out job: only this task (e.g. flink-events/0, or <group-id>-repartition/2).")
    String task;

    @CommandLine.Mixin
    CheckpointStoreArgument kafkaStore;

    @CommandLine.Spec
    CommandLine.Model.CommandSpec spec;

    @Override
    public Integer call() {
        PrintWriter out = spec.commandLine().getOut();
        if (kafkaStore.kafka()) {
            List<TaskId> tasks = kafkaStore.tasks();
            if (!tasks.isEmpty() || task != null) {
                String topic = kafkaStore.topic();
                try {
                    return TaskSnapshots.inspect("task snapshots in topic '" + topic + "'",
                            TaskSnapshots.load(TaskSnapshots.select(tasks, task, "topic '" + topic + "'"),
                                    id -> kafkaStore.taskStore(id)), maxKeys, out);
                } catch (IOException e) {
                    throw new UserFacingException("cannot read topic '" + topic + "': " + DirectoryCheckpointStore.describe(e));
                }
            }
            try (KafkaCheckpointStore store = kafkaStore.open()) {
                return inspectKafka(store, out);
            }
        }
        if (!Files.exists(target, LinkOption.NOFOLLOW_LINKS)) {
            throw new UserFacingException("no such file or directory: " + target);
        }
        if (Files.isDirectory(target)) {
            DirectoryCheckpointStore store = CheckpointDirectoryArgument.open(target);
            try {
                List<TaskId> tasks = TaskSnapshots.inDirectory(store.directory());
                if (!tasks.isEmpty() || task != null) {
                    return TaskSnapshots.inspect("task snapshots in " + store.directory(), TaskSnapshots.load(
                            TaskSnapshots.select(tasks, task, store.directory().toString()),
                            id -> TaskSnapshots.directoryStore(store.directory(), id)), maxKeys, out);
                }
            } catch (IOException e) {
                throw new UserFacingException("cannot read " + store.directory() + ": " + DirectoryCheckpointStore.describe(e));
            }
            return inspectDirectory(out);
        }
        if (task != null) {
            throw new UsageException("--task", task, "names a task of a checkpoint directory or topic, not of the one"
                    + " file " + target);
        }
        Path parent = target.toAbsolutePath().getParent();
        try {
            Checkpoint c = new DirectoryCheckpointStore(parent).loadFile(target);
            out.println(target + ": valid");
            describe(c, out);
            return 0;
        } catch (IOException e) {
            out.println(target + ": INVALID: " + DirectoryCheckpointStore.describe(e));
            return 1;
        }
    }

    private int inspectDirectory(PrintWriter out) {
        DirectoryCheckpointStore store = CheckpointDirectoryArgument.open(target);
        try {
            List<Path> files = new ArrayList<>();
            files.add(store.directory().resolve(DirectoryCheckpointStore.LATEST));
            List<Long> ids = store.numberedIds();
            for (long id : ids) {
                files.add(store.fileOf(id));
            }
            out.println("checkpoint directory " + store.directory());
            for (int i = 0; i < files.size(); i++) {
                Path f = files.get(i);
                try {
                    Checkpoint c = i == 0 ? store.loadFile(f) : store.load(ids.get(i - 1));
                    out.printf("  %-24s valid    id %d, %s%n", f.getFileName(), c.id(), Timestamps.format(c.timeMs()));
                } catch (NoSuchFileException e) {
                    out.printf("  %-24s absent%n", f.getFileName());
                } catch (IOException e) {
                    out.printf("  %-24s INVALID  %s%n", f.getFileName(), DirectoryCheckpointStore.describe(e));
                }
            }
            for (Path stray : store.strayFiles()) {
                out.printf("  %-24s IGNORED  its id is not one FlinkLite writes%n", stray.getFileName());
            }
            CheckpointStore.Found found = store.loadLatest();
            if (found.checkpoint().isEmpty()) {
                out.println("no valid checkpoint: a job started on this directory starts without state");
                return 1;
            }
            out.println("a restart restores " + found.file().getFileName()
                    + (found.warnings().isEmpty() ? "" : " (falling back past damaged checkpoints)") + ":");
            describe(found.checkpoint().get(), out);
            return 0;
        } catch (IOException e) {
            throw new UserFacingException("cannot read " + store.directory() + ": " + DirectoryCheckpointStore.describe(e));
        }
    }

    private int inspectKafka(KafkaCheckpointStore store, PrintWriter out) {
        try {
            out.println("checkpoint store " + store.location());
            java.util.TreeSet<Long> ids = new java.util.TreeSet<>(store.ids());
            ids.addAll(store.keptIds());
            for (long id : ids.descendingSet()) {
                String key = store.taskKey() + "/" + id;
                try {
                    Checkpoint c = store.load(id);
                    out.printf("  %-40s valid    id %d, %s, %d bytes%n", key, c.id(), Timestamps.format(c.timeMs()), store.sizeOf(id));
                } catch (IOException e) {
                    out.printf("  %-40s INVALID  %s%n", key, DirectoryCheckpointStore.describe(e));
                }
            }
            CheckpointStore.Found found = store.loadLatest();
            if (found.checkpoint().isEmpty()) {
                out.println("no valid checkpoint: a job started on this store starts without state");
                return 1;
            }
            out.println("a restart restores " + found.where()
                    + (found.warnings().isEmpty() ? "" : " (falling back past damaged checkpoints)") + ":");
            describe(found.checkpoint().get(), out);
            return 0;
        } catch (IOException e) {
            throw new UserFacingException("cannot read " + store.location() + ": " + DirectoryCheckpointStore.describe(e));
        }
    }

    private void describe(Checkpoint c, PrintWriter out) {
        out.println("  id:          " + c.id());
        out.println("  continues:   " + (c.previousId() == 0 ? "nothing (the run started without state)" : "checkpoint " + c.previousId()));
        out.println("  time:        " + Timestamps.format(c.timeMs()) + " (" + c.timeMs() + ")");
        out.println("  job:         " + c.jobFingerprint());
        out.println("  delivery:    " + c.delivery());
        out.println("  watermark:   " + watermark(c.watermarkMs()));
        out.println("  partitions:  " + c.sources().size());
        for (SourcePosition p : c.sources()) {
            out.printf("    %-28s next offset %-12d watermark %s%n", p.topicPartition(), p.nextOffset(), watermark(p.watermarkMs()));
        }
        StateSummary state = StateSummary.of(c.state());
        out.println("  state:       " + (RestoreCheck.restoresFully(c) ? "restores (checked by restoring it into the job)"
                : "structure checked (key groups, keys, positions); a user job's own state is checked when it restores"));
        out.println("  open panes:  " + state.openPanes() + " over " + state.panesPerKey().size() + " keys"
                + (state.keyGroups() > 0 ? " in " + state.keyGroups() + " key groups" : ""));
        state.panesPerKey().entrySet().stream()
                .sorted(Map.Entry.<String, Long>comparingByValue().reversed().thenComparing(Map.Entry.comparingByKey()))
                .limit(maxKeys)
                .forEach(e -> out.printf("    %-28s %d%n", e.getKey(), e.getValue()));
        if (state.panesPerKey().size() > maxKeys) {
            out.println("    ... " + (state.panesPerKey().size() - maxKeys) + " more keys (--max-keys)");
        }
        if (c.pendingCount() > 0) {
            out.println("  pending results (committed with this checkpoint's transaction): " + c.pendingCount());
        }
    }

    /** A watermark for people, with its epoch milliseconds. */
    static String watermark(long ms) {
        String readable = TaskSnapshots.watermark(ms);
        return ms == Long.MIN_VALUE || ms == Long.MAX_VALUE ? readable : ms + " (" + readable + ")";
    }
}
