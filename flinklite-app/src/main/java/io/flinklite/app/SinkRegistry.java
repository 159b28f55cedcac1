package io.flinklite.app;

import io.flinklite.api.Sink;
import io.flinklite.api.WindowResult;
import io.flinklite.runtime.metrics.JobMetrics;
import io.flinklite.sink.SinkFactory;
import io.flinklite.sink.SinkOption;
import io.flinklite.sink.SinkSettings;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.util.ArrayList;
import java.util.Comparator;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.ServiceLoader;
import java.util.Set;

/**
 * Every result sink {@code run} can write to besides Kafka: the {@link SinkFactory}s on the class path
 * ({@code META-INF/services/io.flinklite.sink.SinkFactory}: PostgreSQL, Cassandra, or a user's own), with their
 * options. The command line turns {@link #options()} into flags; {@link #open} opens the sinks the settings ask for.
 * No code outside the connector modules names a sink. Immutable.
 */
public final class SinkRegistry {
    private static final Logger LOG = LoggerFactory.getLogger(SinkRegistry.class);

    private final List<SinkFactory> factories;

    SinkRegistry(List<SinkFactory> factories) {
        List<SinkFactory> sorted = new ArrayList<>(factories);
        sorted.sort(Comparator.comparing(SinkFactory::name));
        Set<String> names = new HashSet<>();
        Set<String> optionNames = new HashSet<>();
        for (SinkFactory f : sorted) {
            if (!f.name().matches("[a-z][a-z0-9]*") || !names.add(f.name())) {
                throw new IllegalStateException("sink factory " + f.getClass().getName() + " has a bad or duplicate name '"
                        + f.name() + "'");
            }
            for (SinkOption o : f.options()) {
                if (!o.name().startsWith(f.name() + "-") || !optionNames.add(o.name())) {
                    throw new IllegalStateException("sink " + f.name() + ": option " + o.flag() + " must start with --"
                            + f.name() + "- and be unique");
                }
            }
        }
        this.factories = List.copyOf(sorted);
    }

    /** The factories on FlinkLite's own class path, loaded once. */
    public static SinkRegistry installed() {
        return Installed.REGISTRY;
    }

    private static final class Installed {
        static final SinkRegistry REGISTRY = load();

        private static SinkRegistry load() {
            List<SinkFactory> found = new ArrayList<>();
            for (SinkFactory f : ServiceLoader.load(SinkFactory.class, SinkRegistry.class.getClassLoader())) {
                found.add(f);
            }
            return new SinkRegistry(found);
        }
    }

    /** The factories, by name. */
    public List<SinkFactory> factories() {
        return factories;
    }

    /** Every factory's options, factories by name, each factory's in its own order. */
    public List<SinkOption> options() {
        List<SinkOption> all = new ArrayList<>();
        for (SinkFactory f : factories) {
            all.addAll(f.options());
        }
        return all;
    }

    /**
     * Opens every sink whose settings ask for it, in name order; when one fails, those already open are closed and
     * the failure is thrown.
     *
     * @param values   option name to value, for all sinks' options that were set
     * @param jobName  the job's name (its consumer group)
     * @param metrics  each sink counts its failures in {@link JobMetrics#sink(String)} under its name
     * @throws io.flinklite.sink.SinkException  when a destination cannot be reached or does not fit
     * @throws IllegalArgumentException for a malformed setting
     */
    public Opened open(Map<String, String> values, Map<String, String> environment, String jobName, JobMetrics metrics) {
        Opened opened = new Opened();
        try {
            for (SinkFactory f : factories) {
                Map<String, String> own = new LinkedHashMap<>();
                for (SinkOption o : f.options()) {
                    String v = values.get(o.name());
                    if (v != null && !v.isBlank()) {
                        own.put(o.name(), v);
                    }
                }
                SinkSettings settings = new SinkSettings(own, environment, jobName);
                if (f.requested(settings)) {
                    opened.add(f.name(), f.open(settings, metrics.sink(f.name())));
                }
            }
        } catch (RuntimeException e) {
            try {
                opened.close();
            } catch (Exception suppressed) {
                e.addSuppressed(suppressed);
            }
            throw e;
        }
        if (!opened.names.isEmpty()) {
            LOG.info("results also go to {}", String.join(", ", opened.names));
        }
        return opened;
    }

    /** The sinks {@link #open} opened; closing closes each (flushing it), the first failure thrown after all. */
    public static final class Opened implements AutoCloseable {
        private final List<String> names = new ArrayList<>();
        private final List<Sink<WindowResult>> sinks = new ArrayList<>();

        /** None: only the Kafka output. */
        public static Opened none() {
            return new Opened();
        }

        void add(String name, Sink<WindowResult> sink) {
            names.add(name);
            sinks.add(sink);
        }

        public List<String> names() { return List.copyOf(names); }

        public List<Sink<WindowResult>> sinks() { return List.copyOf(sinks); }

        @Override
        public void close() throws Exception {
            Exception first = null;
            for (Sink<WindowResult> s : sinks) {
                try {
                    s.close();
                } catch (Exception e) {
                    if (first == null) {
                        first = e;
                    } else {
                        first.addSuppressed(e);
                    }
                }
            }
            sinks.clear();
            if (first != null) {
                throw first;
            }
        }
    }
}
