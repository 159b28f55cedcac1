package io.flinklite.app.cli;

import io.flinklite.job.Timestamps;
import io.flinklite.runtime.checkpoint.Checkpoint;
import io.flinklite.connector.kafka.KafkaCheckpointStore;
import io.flinklite.runtime.checkpoint.CheckpointStore;
import io.flinklite.runtime.checkpoint.DirectoryCheckpointStore;
import io.flinklite.runtime.checkpoint.StateSummary;
import picocli.CommandLine;
import picocli.CommandLine.Command;

import java.io.IOException;
import java.io.PrintWriter;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.concurrent.Callable;

/**
 * {@code flinklite checkpoint list [DIR]}: one line per checkpoint file of a directory (numbered, latest, kept): id,
 * time, size, state summary, and valid or why not, checked as a restart checks it. Exit code 0 when at least one is
 * valid, 1 otherwise.
 */
@Command(name = "list",
        mixinStandardHelpOptions = true,
        description = {"List the checkpoints of a directory: id, time, size, open panes and keys, valid or why not.",
                "Kept checkpoints (see 'checkpoint keep') are listed too; the one a restart restores is marked.",
                "Of a scaled-out job (run --scale-out), one line per task (<topic>/<partition>): its newest valid",
                "snapshot's id, time, next offset, watermark, size and state."})
public final class CheckpointListCommand implements Callable<Integer> {

    private static final String ROW = "%-40s %10s  %-29s %10s  %-26s %s%n";

    @CommandLine.Mixin
    CheckpointDirectoryArgument directory;

    @CommandLine.Mixin
    CheckpointStoreArgument kafkaStore;

    @CommandLine.Option(names = "--task", paramLabel = "TOPIC/PARTITION",
            description = "Of a scaled-out job: only this task (e.g. flink-events/0, or <group-id>-repartition/2).")
    String task;

    @CommandLine.Spec
    CommandLine.Model.CommandSpec spec;

    @Override
    public Integer call() {
        PrintWriter out = spec.commandLine().getOut();
        if (kafkaStore.kafka()) {
            List<io.flinklite.runtime.checkpoint.TaskId> tasks = kafkaStore.tasks();
            if (!tasks.isEmpty() || task != null) {
                String topic = kafkaStore.topic();
                try {
                    return TaskSnapshots.list("task snapshots in topic '" + topic + "'",
                            TaskSnapshots.load(TaskSnapshots.select(tasks, task, "topic '" + topic + "'"),
                                    id -> kafkaStore.taskStore(id)), out);
                } catch (IOException e) {
                    throw new UserFacingException("cannot list topic '" + topic + "': " + DirectoryCheckpointStore.describe(e));
                }
            }
            try (KafkaCheckpointStore store = kafkaStore.open()) {
                return listKafka(store, out);
            }
        }
        DirectoryCheckpointStore store = directory.open();
        try {
            List<io.flinklite.runtime.checkpoint.TaskId> tasks = TaskSnapshots.inDirectory(store.directory());
            if (!tasks.isEmpty() || task != null) {
                return TaskSnapshots.list("task snapshots in " + store.directory(), TaskSnapshots.load(
                        TaskSnapshots.select(tasks, task, store.directory().toString()),
                        id -> TaskSnapshots.directoryStore(store.directory(), id)), out);
            }
            CheckpointStore.Found restored = store.loadLatest();
            List<Path> files = new ArrayList<>();
            for (long id : store.numberedIds()) {
                files.add(store.fileOf(id));
            }
            Path latest = store.directory().resolve(DirectoryCheckpointStore.LATEST);
            if (Files.exists(latest)) {
                files.add(latest);
            }
            files.addAll(store.keptFiles());
            out.println("checkpoint directory " + store.directory());
            out.printf(ROW, "FILE", "ID", "TIME", "SIZE", "STATE", "VALIDITY");
            int valid = 0;
            for (Path f : files) {
                String name = store.directory().relativize(f).toString();
                try {
                    Checkpoint c = f.getParent().equals(store.directory()) && !f.equals(latest)
                            ? store.load(Long.parseLong(name.substring("checkpoint-".length(), name.length() - ".json".length())))
                            : store.loadFile(f);
                    StateSummary state = StateSummary.of(c.state());
                    String validity = "valid" + (f.equals(restored.file()) ? ", a restart restores this one" : "")
                            + (f.getParent().equals(store.keptDirectory()) ? ", kept (never rotated away)" : "");
                    out.printf(ROW, name, c.id(), Timestamps.format(c.timeMs()), size(f), state.openPanes() + " panes, "
                            + state.panesPerKey().size() + " keys", validity);
                    valid++;
                } catch (IOException e) {
                    out.printf(ROW, name, "-", "-", size(f), "-", "INVALID: " + DirectoryCheckpointStore.describe(e));
                }
            }
            for (Path stray : store.strayFiles()) {
                out.printf(ROW, stray.getFileName(), "-", "-", size(stray), "-", "IGNORED: not a checkpoint id FlinkLite writes");
            }
            if (valid == 0) {
                out.println("no valid checkpoint: a job started on this directory starts without state");
                return 1;
            }
            return 0;
        } catch (IOException e) {
            throw new UserFacingException("cannot list " + store.directory() + ": " + DirectoryCheckpointStore.describe(e));
        }
    }

    private static int listKafka(KafkaCheckpointStore store, PrintWriter out) {
        try {
            CheckpointStore.Found restored = store.loadLatest();
            long restoredId = restored.checkpoint().map(Checkpoint::id).orElse(0L);
            java.util.TreeSet<Long> ids = new java.util.TreeSet<>(store.ids());
            List<Long> kept = store.keptIds();
            ids.addAll(kept);
            out.println("checkpoint store " + store.location());
            out.printf(ROW, "KEY", "ID", "TIME", "SIZE", "STATE", "VALIDITY");
            int valid = 0;
            for (long id : ids.descendingSet()) {
                String key = store.taskKey() + "/" + id;
                try {
                    Checkpoint c = store.load(id);
                    StateSummary state = StateSummary.of(c.state());
                    String validity = "valid" + (id == restoredId ? ", a restart restores this one" : "")
                            + (kept.contains(id) ? ", kept (never rotated away)" : "");
                    out.printf(ROW, key, c.id(), Timestamps.format(c.timeMs()), TaskSnapshots.size(store.sizeOf(id)),
                            state.openPanes() + " panes, " + state.panesPerKey().size() + " keys", validity);
                    valid++;
                } catch (IOException e) {
                    out.printf(ROW, key, id, "-", TaskSnapshots.size(store.sizeOf(id)), "-", "INVALID: " + DirectoryCheckpointStore.describe(e));
                }
            }
            if (valid == 0) {
                out.println("no valid checkpoint: a job started on this store starts without state");
                return 1;
            }
            return 0;
        } catch (IOException e) {
            throw new UserFacingException("cannot list " + store.location() + ": " + DirectoryCheckpointStore.describe(e));
        }
    }

    private static String size(Path f) {
        try {
            return TaskSnapshots.size(Files.size(f));
        } catch (IOException e) {
            return "?";
        }
    }
}
