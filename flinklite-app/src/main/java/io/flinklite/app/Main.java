package io.flinklite.app;

import io.flinklite.app.cli.FlinkLiteCommand;
import io.flinklite.job.Timestamps;

/** Entry point of {@code bin/flinklite} and of {@code java -jar flinklite.jar}. */
public final class Main {
    private static final String LOG_TIME_FORMAT = "org.slf4j.simpleLogger.dateTimeFormat";

    private Main() {
    }

    public static void main(String[] args) {
        // Before the first logger exists: log lines carry the one timestamp format of FlinkLite (see Timestamps).
        if (System.getProperty(LOG_TIME_FORMAT) == null) {
            System.setProperty(LOG_TIME_FORMAT, Timestamps.PATTERN);
        }
        System.exit(FlinkLiteCommand.execute(args));
    }
}
