package io.flinklite.app.cli;

import io.flinklite.app.CheckpointSettings;
import io.flinklite.app.ScaleOut;
import io.flinklite.connector.kafka.KafkaCheckpointStore;
import io.flinklite.connector.kafka.KafkaConnection;
import io.flinklite.connector.kafka.KafkaConnectorException;
import io.flinklite.job.Timestamps;
import io.flinklite.runtime.checkpoint.Checkpoint;
import io.flinklite.runtime.checkpoint.CheckpointStore;
import io.flinklite.runtime.checkpoint.DirectoryCheckpointStore;
import io.flinklite.runtime.checkpoint.SourcePosition;
import io.flinklite.runtime.checkpoint.TaskId;
import io.flinklite.runtime.shuffle.TaskStateSummary;

import java.io.IOException;
import java.io.PrintWriter;
import java.nio.file.DirectoryStream;
import java.nio.file.Files;
import java.nio.file.LinkOption;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Optional;
import java.util.function.Function;

/**
 * The per-task snapshots of a scaled-out job ({@code run --scale-out}) as {@code checkpoint list} and
 * {@code checkpoint inspect} read them: every task's store ({@link TaskId}: {@code <checkpoint-dir>/<topic>/<partition>/}
 * or the Kafka checkpoint topic's records keyed {@code <topic>/<partition>/...}), its newest valid snapshot found as
 * the partition's next owner would find it, damaged ones named. Nothing is written.
 */
final class TaskSnapshots {

    private static final String ROW = "%-32s %-6s %8s  %-24s %-14s %-26s %10s  %-34s %s%n";

    /** One task's store. */
    record Task(TaskId id, CheckpointStore store) { }

    /** What was found for one task. */
    record Loaded(TaskId id, CheckpointStore.Found found, long bytes) {
        Optional<Checkpoint> checkpoint() {
            return found.checkpoint();
        }
    }

    private TaskSnapshots() {
    }

    /**
     * The tasks of a checkpoint directory: its subdirectories {@code <topic>/<partition>} (a partition made of ASCII
     * digits), in task order; empty for a directory of a fused job.
     */
    static List<TaskId> inDirectory(Path root) throws IOException {
        List<TaskId> out = new ArrayList<>();
        try (DirectoryStream<Path> topics = Files.newDirectoryStream(root)) {
            for (Path topic : topics) {
                String name = topic.getFileName().toString();
                if (!Files.isDirectory(topic, LinkOption.NOFOLLOW_LINKS) || name.equals("kept")
                        || name.startsWith("superseded-")) {
                    continue;
                }
                try (DirectoryStream<Path> partitions = Files.newDirectoryStream(topic)) {
                    for (Path p : partitions) {
                        String digits = p.getFileName().toString();
                        if (Files.isDirectory(p, LinkOption.NOFOLLOW_LINKS) && !digits.isEmpty() && digits.length() < 10
                                && digits.chars().allMatch(c -> c >= '0' && c <= '9')) {
                            out.add(new TaskId(name, Integer.parseInt(digits)));
                        }
                    }
                }
            }
        }
        out.sort(null);
        return out;
    }

    /**
     * The tasks a scaled-out job of {@code groupId} reading {@code inputTopic} (topics separated by commas, as
     * {@code run} takes them) has: one per partition of each input topic and of its repartition topic; empty when the
     * repartition topic does not exist (the job never scaled out).
     */
    static List<TaskId> inKafka(KafkaConnection connection, String groupId, String inputTopic) {
        String repartition = ScaleOut.repartitionTopic(groupId);
        int keyed;
        try {
            keyed = connection.partitionCount(repartition, "");
        } catch (KafkaConnectorException e) {
            if (e.getMessage() != null && e.getMessage().contains("does not exist")) {
                return List.of();
            }
            throw e;
        }
        List<TaskId> out = new ArrayList<>();
        // A union reads several topics (--input-topic a,b): a source task per partition of each.
        for (String topic : inputTopic.split(",")) {
            int sources = connection.partitionCount(topic.trim(), "name the job's --input-topic");
            for (int p = 0; p < sources; p++) {
                out.add(new TaskId(topic.trim(), p));
            }
        }
        for (int p = 0; p < keyed; p++) {
            out.add(new TaskId(repartition, p));
        }
        out.sort(null);
        return out;
    }

    /** {@code tasks}, or only the one {@code --task} names (refused, listing the tasks, when it is not one of them). */
    static List<TaskId> select(List<TaskId> tasks, String task, String where) {
        if (task == null) {
            return tasks;
        }
        TaskId wanted;
        try {
            wanted = TaskId.parse(task);
        } catch (IllegalArgumentException e) {
            throw new UsageException("--task", task, "expected <topic>/<partition>, e.g. flink-events/0");
        }
        if (!tasks.contains(wanted)) {
            throw new UserFacingException("no task " + wanted + " in " + where + (tasks.isEmpty() ? ""
                    : "; its tasks are " + String.join(", ", tasks.stream().map(TaskId::key).toList())));
        }
        return List.of(wanted);
    }

    /** Loads each task's newest valid snapshot from the store {@code storeOf} opens (closed after). */
    static List<Loaded> load(List<TaskId> tasks, Function<TaskId, CheckpointStore> storeOf) throws IOException {
        List<Loaded> out = new ArrayList<>();
        for (TaskId id : tasks) {
            CheckpointStore store = storeOf.apply(id);
            try {
                CheckpointStore.Found found = store.loadLatest();
                long bytes = -1;
                if (found.file() != null) {
                    bytes = Files.size(found.file());
                } else if (found.checkpoint().isPresent() && store instanceof KafkaCheckpointStore k) {
                    bytes = k.sizeOf(found.checkpoint().get().id());
                }
                out.add(new Loaded(id, found, bytes));
            } finally {
                if (store instanceof AutoCloseable c) {
                    try {
                        c.close();
                    } catch (Exception ignored) {
                        // Read-only: nothing to lose.
                    }
                }
            }
        }
        return out;
    }

    /** A task's store in a checkpoint directory, as {@code run --scale-out} writes it. */
    static CheckpointStore directoryStore(Path root, TaskId id) {
        return CheckpointSettings.taskDirectoryStore(root, id);
    }

    /** A task's store in an existing checkpoint topic, for reading. */
    static CheckpointStore kafkaStore(KafkaConnection connection, String topic, TaskId id) {
        return KafkaCheckpointStore.open(connection, topic, id.key(), CheckpointStore.DEFAULT_RETAIN,
                CheckpointSettings.TASK_VALIDATOR, null);
    }

    /**
     * One line per task: kind, snapshot id, time, next offset, watermark, size, state, valid or why not.
     *
     * @return 0 when every task has a valid snapshot, 1 when one has snapshots but none valid (its next owner
     *         starts it without state) or none has any
     */
    static int list(String header, List<Loaded> tasks, PrintWriter out) {
        out.println(header);
        out.printf(ROW, "TASK", "KIND", "ID", "TIME", "NEXT OFFSET", "WATERMARK", "SIZE", "STATE", "VALIDITY");
        int valid = 0;
        int damaged = 0;
        for (Loaded t : tasks) {
            List<String> warnings = t.found().warnings();
            if (t.checkpoint().isEmpty()) {
                if (warnings.isEmpty()) {
                    out.printf(ROW, t.id(), "-", "-", "-", "-", "-", "-", "-", "no snapshot yet: starts without state");
                } else {
                    damaged++;
                    out.printf(ROW, t.id(), "-", "-", "-", "-", "-", "-", "-", "INVALID: " + reason(warnings.get(0))
                            + (warnings.size() > 1 ? " (and " + (warnings.size() - 1) + " more)" : ""));
                }
                continue;
            }
            valid++;
            Checkpoint c = t.checkpoint().get();
            TaskStateSummary s = summary(c);
            out.printf(ROW, t.id(), kind(s), c.id(), Timestamps.format(c.timeMs()), offsets(c),
                    watermark(c.watermarkMs()), size(t.bytes()), state(s), warnings.isEmpty() ? "valid"
                            : "valid, past " + warnings.size() + " damaged: " + reason(warnings.get(0)));
        }
        return verdict(valid, damaged, out);
    }

    /**
     * Everything about each task: where its snapshot was read, the snapshot's header, offsets, and its state by
     * stage (a source task's unsent partials, a keyed task's windows and marker table).
     *
     * @return as {@link #list}
     */
    static int inspect(String header, List<Loaded> tasks, int maxMarkers, PrintWriter out) {
        out.println(header);
        int valid = 0;
        int damaged = 0;
        for (Loaded t : tasks) {
            out.println();
            out.println("task " + t.id() + ":");
            for (String w : t.found().warnings()) {
                out.println("  damaged:     " + reason(w));
            }
            if (t.checkpoint().isEmpty()) {
                if (t.found().warnings().isEmpty()) {
                    out.println("  no snapshot yet: its next owner starts it without state");
                } else {
                    damaged++;
                    out.println("  INVALID: no valid snapshot, its next owner starts it without state");
                }
                continue;
            }
            valid++;
            Checkpoint c = t.checkpoint().get();
            TaskStateSummary s = summary(c);
            out.println("  snapshot:    " + c.id() + ", read from " + t.found().where() + (t.bytes() < 0 ? "" : ", " + size(t.bytes()))
                    + (c.previousId() == 0 ? ", the first of its task" : ", continues " + c.previousId()));
            out.println("  time:        " + Timestamps.format(c.timeMs()) + " (" + c.timeMs() + ")");
            out.println("  job:         " + c.jobFingerprint());
            out.println("  delivery:    " + c.delivery());
            out.println("  kind:        " + switch (s.kind()) {
                case SOURCE -> "source task (decodes its partition, pre-aggregates, writes the repartition topic)";
                case KEYED -> "keyed task (merges partials, fires the windows)";
                case OTHER -> "unknown layout (not the built-in job's stages)";
            });
            out.println("  watermark:   " + CheckpointInspectCommand.watermark(c.watermarkMs()));
            for (SourcePosition p : c.sources()) {
                out.printf("  resumes at:  %s next offset %d%n", p.topicPartition(), p.nextOffset());
            }
            if (s.kind() == TaskStateSummary.Kind.SOURCE) {
                out.println("  source:      " + s.source().orElse("?") + (s.idle() ? ", idle" : ""));
                out.println("  partials:    " + s.partials() + " (key, pane) partials in " + s.partialPanes()
                        + " panes over " + s.keys() + " keys, not sent yet (sent when the watermark passes their"
                        + " panes' end)");
            } else if (s.kind() == TaskStateSummary.Kind.KEYED) {
                out.println("  windows:     " + s.openWindows() + " open windows, " + s.openPanes() + " panes over "
                        + s.keys() + " keys");
                out.println("  resends:     " + s.duplicatesSkipped() + " skipped, " + s.sequenceGaps() + " sequence gaps");
                List<TaskStateSummary.Marker> markers = s.markers();
                long reported = markers.stream().filter(TaskStateSummary.Marker::reported).count();
                out.println("  markers:     " + reported + " of " + markers.size() + " source partitions reported"
                        + (reported < markers.size() ? " (the watermark waits for the others)" : ""));
                for (int i = 0; i < markers.size() && i < maxMarkers; i++) {
                    TaskStateSummary.Marker m = markers.get(i);
                    out.printf("    %-28s %-20s %s%n", m.topic() + "/" + m.partition(),
                            m.reported() ? "reported" + (m.idle() ? ", idle" : "") : "not reported yet",
                            m.reported() ? "watermark " + CheckpointInspectCommand.watermark(m.watermarkMs()) : "");
                }
                if (markers.size() > maxMarkers) {
                    out.println("    ... " + (markers.size() - maxMarkers) + " more source partitions (--max-keys)");
                }
            }
        }
        out.println();
        return verdict(valid, damaged, out);
    }

    /** The closing line and exit code of {@link #list} and {@link #inspect}. */
    private static int verdict(int valid, int damaged, PrintWriter out) {
        if (valid == 0) {
            out.println("no valid task snapshot: a job started on this store starts every task without state");
            return 1;
        }
        if (damaged > 0) {
            out.println(damaged + " task(s) without a valid snapshot: their partitions' next owner starts them without"
                    + " state");
            return 1;
        }
        return 0;
    }

    private static TaskStateSummary summary(Checkpoint c) {
        return TaskStateSummary.of(c.state());
    }

    private static String kind(TaskStateSummary s) {
        return switch (s.kind()) {
            case SOURCE -> "source";
            case KEYED -> "keyed";
            case OTHER -> "?";
        };
    }

    private static String state(TaskStateSummary s) {
        return switch (s.kind()) {
            case SOURCE -> s.partials() + " partials, " + s.keys() + " keys";
            case KEYED -> s.openWindows() + " windows, " + s.openPanes() + " panes, " + s.keys() + " keys";
            case OTHER -> "-";
        };
    }

    private static String offsets(Checkpoint c) {
        if (c.sources().isEmpty()) {
            return "-";
        }
        StringBuilder b = new StringBuilder();
        for (SourcePosition p : c.sources()) {
            b.append(b.length() == 0 ? "" : ",").append(p.nextOffset());
        }
        return b.toString();
    }

    /** A store's warning without its "skipping damaged checkpoint" lead. */
    private static String reason(String warning) {
        String lead = "skipping damaged checkpoint ";
        return warning.startsWith(lead) ? warning.substring(lead.length()) : warning;
    }

    static String watermark(long ms) {
        if (ms == Long.MIN_VALUE) {
            return "none yet";
        }
        if (ms == Long.MAX_VALUE) {
            return "end of input";
        }
        return Timestamps.format(ms);
    }

    static String size(long bytes) {
        if (bytes < 0) {
            return "?";
        }
        if (bytes < 1024) {
            return bytes + " B";
        }
        double kib = bytes / 1024.0;
        return kib < 1024 ? String.format(Locale.ROOT, "%.1f KiB", kib) : String.format(Locale.ROOT, "%.1f MiB", kib / 1024);
    }
}
