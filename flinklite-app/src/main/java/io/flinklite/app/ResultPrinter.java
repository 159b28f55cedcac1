package io.flinklite.app;

import io.flinklite.api.Sink;
import io.flinklite.api.WindowResult;

import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.time.Instant;
import java.time.ZoneOffset;
import java.time.format.DateTimeFormatter;
import java.util.Locale;
import java.util.function.Consumer;

/**
 * Prints each window result on stdout, passes it on to the real sink and shows it to an observer (the web UI's recent
 * results), so that {@code flinklite run | jq} and
 * {@code flinklite demo | grep critical} work while logs and the status line go to stderr. A line is the JSON of
 * {@code replay} ({@link Format#JSON}, the default), or readable ({@link Format#TEXT}):
 * {@code critical [10:00:05.000, 10:00:15.000) count=42}, times in UTC. Task thread only, as every sink.
 */
public final class ResultPrinter implements Sink<WindowResult> {

    /** How a result is printed. */
    public enum Format {
        JSON, TEXT;

        /** @throws IllegalArgumentException naming the choices */
        public static Format parse(String text) {
            switch (text.trim().toLowerCase(Locale.ROOT)) {
                case "json": return JSON;
                case "text": return TEXT;
                default: throw new IllegalArgumentException("expected json or text");
            }
        }
    }

    private static final DateTimeFormatter TIME = DateTimeFormatter.ofPattern("HH:mm:ss.SSS").withZone(ZoneOffset.UTC);

    private final PrintStream out;
    private final Format format;
    private final Sink<WindowResult> next;
    private final Consumer<WindowResult> observer;
    private final StringBuilder line = new StringBuilder(128);

    /**
     * @param out    where lines go (stdout)
     * @param format JSON lines or readable text
     * @param next   where results go after being printed; null to only print
     */
    public ResultPrinter(PrintStream out, Format format, Sink<WindowResult> next) {
        this(out, format, next, r -> { });
    }

    /**
     * @param observer sees each result after {@code next} accepted it; task thread, must be quick and not throw
     */
    public ResultPrinter(PrintStream out, Format format, Sink<WindowResult> next, Consumer<WindowResult> observer) {
        this.out = out;
        this.format = format;
        this.next = next;
        this.observer = observer;
    }

    /** The readable line for {@code r}; a key with a lone surrogate shows it escaped, as the JSON does. */
    public static String describe(WindowResult r) {
        StringBuilder line = new StringBuilder(80);
        line.append(WindowResult.keyText(r.key())).append(" [").append(TIME.format(Instant.ofEpochMilli(r.windowStart())))
                .append(", ").append(TIME.format(Instant.ofEpochMilli(r.windowEnd()))).append(") count=").append(r.count());
        if (r.hasValue()) {
            line.append(" value=").append(r.value());
        }
        return line.toString();
    }

    @Override
    public void write(WindowResult result) throws Exception {
        // Results fire a few per window end, never per record, so a line and a flush each cost nothing that matters,
        // and a pipeline sees a result as soon as it fires.
        line.setLength(0);
        if (format == Format.JSON) {
            result.appendJson(line);
        } else {
            line.append(describe(result));
        }
        line.append('\n');
        out.write(line.toString().getBytes(StandardCharsets.UTF_8)); // UTF-8 whatever the platform's charset
        out.flush();
        if (next != null) {
            next.write(result);
        }
        observer.accept(result);
    }

    @Override
    public void flush() throws Exception {
        out.flush();
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
