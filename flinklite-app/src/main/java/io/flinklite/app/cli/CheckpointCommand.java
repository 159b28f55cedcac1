package io.flinklite.app.cli;

import io.flinklite.runtime.checkpoint.CheckpointStore;
import picocli.CommandLine;
import picocli.CommandLine.Command;

import java.nio.file.Files;
import java.nio.file.Path;

/** {@code flinklite checkpoint ...}: tools for checkpoint directories. */
@Command(name = "checkpoint",
        mixinStandardHelpOptions = true,
        description = "Work with checkpoints: list, inspect, keep (see 'checkpoint <command> --help').",
        subcommands = {CheckpointListCommand.class, CheckpointInspectCommand.class, CheckpointKeepCommand.class})
public final class CheckpointCommand implements Runnable {

    /** The directory the subcommands look at without an argument: {@code run}'s default {@code --checkpoint-dir}. */
    static final String DEFAULT_DIR = "./checkpoints";

    @CommandLine.Spec
    CommandLine.Model.CommandSpec spec;

    @Override
    public void run() {
        spec.commandLine().usage(spec.commandLine().getOut());
    }

    /**
     * The store of a directory named on the command line, checked the way {@code run} checks its states.
     *
     * @throws UserFacingException when {@code dir} does not exist or is not a directory
     */
    static CheckpointStore openDirectory(Path dir) {
        if (!Files.exists(dir)) {
            throw new UserFacingException("no such directory: " + dir);
        }
        if (!Files.isDirectory(dir)) {
            throw new UserFacingException(dir + " is not a directory (give the checkpoint directory)");
        }
        return new CheckpointStore(dir);
    }
}
