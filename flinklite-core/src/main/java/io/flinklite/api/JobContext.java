package io.flinklite.api;

import java.util.List;
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

    /**
     * The output for results of the job's own type (a join's or a process function's), as records of a key and a
     * text value: the Kafka {@code --output-topic} (unless {@code none}), each record also printed. Flushed with the
     * other outputs before checkpoints and offset commits (at-least-once), or under {@code --delivery exactly-once}
     * written by each checkpoint's transaction.
     *
     * <p>The default is a context without that output: a context a job's own test implements needs this method only
     * when the job writes records (the runtime's context always implements it).
     *
     * @throws IllegalStateException when there is no output topic
     */
    default Sink<OutputRecord> records() {
        throw new IllegalStateException("this JobContext has no output for records (run gives one with --output-topic)");
    }

    /**
     * The topics the job reads, by source: {@code run}'s {@code --input-topic} list, in the order given (then the
     * {@code --join-topic}). The job's sources ({@link Job#sources()}, in their order) are bound to these one to
     * one; a job must have as many sources as there are topics.
     *
     * <p>No default: no list would be true of every context, and a wrong one would bind sources to topics silently.
     */
    List<String> inputTopics();

    /** The {@code --late-topic} output for events later than the allowed lateness, or {@code null} when none is set. */
    Sink<byte[]> lateEvents();

    /** The job's parameters, from {@code --job-param KEY=VALUE} (repeatable); never null, unmodifiable. */
    Map<String, String> parameters();

    /** The parameter {@code name}, or {@code defaultValue} when it was not given. */
    default String parameter(String name, String defaultValue) {
        return parameters().getOrDefault(name, defaultValue);
    }
}
