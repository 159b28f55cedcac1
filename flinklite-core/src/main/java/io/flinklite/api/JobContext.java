package io.flinklite.api;

import java.util.Map;

/**
 * What the runtime offers a {@link UserJob} while it builds its {@link Job}: the outputs chosen on the command line
 * and the job's own parameters.
 */
public interface JobContext {

    /**
     * The window-result outputs configured with {@code run}'s flags: the Kafka {@code --output-topic} (unless
     * {@code none}) and, with {@code --jdbc-url}, the PostgreSQL table; results are also logged. The runtime flushes
     * and closes it (before checkpoints, at shutdown); adapt a job's own result type to it with
     * {@link Sinks#toWindowResults}.
     */
    Sink<WindowResult> results();

    /** The {@code --late-topic} output for events later than the allowed lateness, or {@code null} when none is set. */
    Sink<byte[]> lateEvents();

    /** The job's parameters, from {@code --job-param KEY=VALUE} (repeatable); never null, unmodifiable. */
    Map<String, String> parameters();

    /** The parameter {@code name}, or {@code defaultValue} when it was not given. */
    default String parameter(String name, String defaultValue) {
        return parameters().getOrDefault(name, defaultValue);
    }
}
