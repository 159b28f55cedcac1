package io.flinklite.app;

import io.flinklite.app.cli.FlinkLiteCommand;

/** Entry point of {@code bin/flinklite} and of {@code java -jar flinklite.jar}. */
public final class Main {
    private Main() {
    }

    public static void main(String[] args) {
        System.exit(FlinkLiteCommand.execute(args));
    }
}
