package io.flinklite.app.cli;

import io.flinklite.runtime.checkpoint.DirectoryCheckpointStore;
import picocli.CommandLine;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;

import java.io.IOException;
import java.io.PrintWriter;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.util.concurrent.Callable;

/**
 * {@code flinklite checkpoint keep [--id N] [DIR]}: keeps a checkpoint from being rotated away, as Flink keeps a
 * savepoint: {@code DIR/kept/checkpoint-<id>.json}, which retention and {@code --fresh-start} never touch, to be
 * restored with {@code run --restore-from}. Deleting the file releases it.
 */
@Command(name = "keep",
        mixinStandardHelpOptions = true,
        description = {"Keep a checkpoint from being rotated away (a savepoint): it is linked into DIR/kept/, which "
                + "retention and --fresh-start never touch. Restore it later with 'run --restore-from FILE'; delete the "
                + "file to release it.",
                "Without --id, keeps the checkpoint a restart would restore now."})
public final class CheckpointKeepCommand implements Callable<Integer> {

    @CommandLine.Mixin
    CheckpointDirectoryArgument directory;

    @Option(names = "--id", paramLabel = "N", description = "The checkpoint to keep (default: the one a restart restores).")
    Long id;

    @CommandLine.Spec
    CommandLine.Model.CommandSpec spec;

    @Override
    public Integer call() {
        PrintWriter out = spec.commandLine().getOut();
        DirectoryCheckpointStore store = directory.open();
        try {
            long chosen;
            if (id != null) {
                chosen = id;
            } else {
                io.flinklite.runtime.checkpoint.CheckpointStore.Found found = store.loadLatest();
                if (found.checkpoint().isEmpty()) {
                    throw new UserFacingException("no valid checkpoint in " + store.directory() + " to keep");
                }
                chosen = found.checkpoint().get().id();
            }
            Path kept = store.keepFile(chosen);
            out.println("kept checkpoint " + chosen + " as " + kept);
            out.println("restore it with: flinklite run --restore-from " + kept + " ...; delete the file to release it");
            return 0;
        } catch (NoSuchFileException e) {
            throw new UserFacingException("cannot keep checkpoint " + id + ": there is no " + store.fileOf(id)
                    + " (see 'flinklite checkpoint list " + directory.dir + "')");
        } catch (IOException e) {
            throw new UserFacingException("cannot keep checkpoint " + (id == null ? "" : id + " ") + "of " + store.directory()
                    + ": " + DirectoryCheckpointStore.describe(e));
        }
    }
}
