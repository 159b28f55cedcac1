package io.flinklite.app.cli;

import io.flinklite.runtime.checkpoint.DirectoryCheckpointStore;
import picocli.CommandLine.Parameters;

import java.nio.file.Files;
import java.nio.file.Path;

/** The {@code [DIR]} argument of the {@code checkpoint} commands that work on a whole directory. */
public final class CheckpointDirectoryArgument {

    /** The directory without an argument: {@code run}'s default {@code --checkpoint-dir}. */
    static final String DEFAULT_DIR = "./checkpoints";

    @Parameters(index = "0", arity = "0..1", paramLabel = "DIR", defaultValue = DEFAULT_DIR,
            description = "The checkpoint directory (default: ${DEFAULT-VALUE}).")
    Path dir;

    /**
     * The store of the directory, checked the way {@code run} checks its states.
     *
     * @throws UserFacingException when the directory does not exist or is not a directory
     */
    DirectoryCheckpointStore open() {
        return open(dir);
    }

    static DirectoryCheckpointStore open(Path dir) {
        if (!Files.exists(dir)) {
            throw new UserFacingException("no such directory: " + dir);
        }
        if (!Files.isDirectory(dir)) {
            throw new UserFacingException(dir + " is not a directory (give the checkpoint directory)");
        }
        return new DirectoryCheckpointStore(dir);
    }
}
