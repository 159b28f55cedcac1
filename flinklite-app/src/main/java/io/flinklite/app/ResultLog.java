package io.flinklite.app;

import io.flinklite.api.Sink;
import io.flinklite.api.WindowResult;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.time.Instant;
import java.time.ZoneOffset;
import java.time.format.DateTimeFormatter;
import java.util.function.Consumer;

/**
 * Logs each window result as one readable line, shows it to an observer (the web UI's recent results) and passes it
 * on to the real sink:
 * {@code critical [10:00:05.000, 10:00:15.000) count=42}. Times are UTC. Task thread only, as every sink.
 */
public final class ResultLog implements Sink<WindowResult> {

    private static final Logger LOG = LoggerFactory.getLogger("flinklite.results");
    private static final DateTimeFormatter TIME = DateTimeFormatter.ofPattern("HH:mm:ss.SSS").withZone(ZoneOffset.UTC);

    private final Sink<WindowResult> next;
    private final Consumer<WindowResult> observer;

    /** @param next where results go after being logged; null to only log */
    public ResultLog(Sink<WindowResult> next) {
        this(next, r -> { });
    }

    /**
     * @param next     where results go after being logged; null to only log
     * @param observer sees each result after {@code next} accepted it; task thread, must be quick and not throw
     */
    public ResultLog(Sink<WindowResult> next, Consumer<WindowResult> observer) {
        this.next = next;
        this.observer = observer;
    }

    /** The readable line for {@code r}. */
    public static String describe(WindowResult r) {
        StringBuilder line = new StringBuilder(80);
        line.append(r.key()).append(" [").append(TIME.format(Instant.ofEpochMilli(r.windowStart())))
                .append(", ").append(TIME.format(Instant.ofEpochMilli(r.windowEnd()))).append(") count=").append(r.count());
        if (r.hasValue()) {
            line.append(" value=").append(r.value());
        }
        return line.toString();
    }

    @Override
    public void write(WindowResult result) throws Exception {
        // Results fire a few per window end, never per record, so building a line here costs nothing that matters.
        LOG.info(describe(result));
        if (next != null) {
            next.write(result);
        }
        observer.accept(result);
    }

    @Override
    public void flush() throws Exception {
        if (next != null) {
            next.flush();
        }
    }

    @Override
    public void close() throws Exception {
        if (next != null) {
            next.close();
        }
    }
}
