package io.flinklite.app.cli;

import picocli.CommandLine;
import picocli.CommandLine.Command;

/** {@code flinklite checkpoint ...}: tools for checkpoint directories. */
@Command(name = "checkpoint",
        mixinStandardHelpOptions = true,
        description = "Work with checkpoints: list, inspect, keep (see 'checkpoint <command> --help').",
        subcommands = {CheckpointListCommand.class, CheckpointInspectCommand.class, CheckpointKeepCommand.class})
public final class CheckpointCommand implements Runnable {

    @CommandLine.Spec
    CommandLine.Model.CommandSpec spec;

    @Override
    public void run() {
        spec.commandLine().usage(spec.commandLine().getOut());
    }
}
