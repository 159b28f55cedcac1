package io.flinklite.app.web;

import java.util.ArrayList;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Objects;

/**
 * What a running job is, as the web UI and {@code /api/v1/job} show it: its operator graph and its configuration.
 * Built once by whoever wires the job (today {@code KafkaJob.description()}, from the same settings the job runs
 * with), so the graph shows what really runs and grows with it; immutable, read by any thread.
 *
 * @param name          one line naming the job, e.g. its spec
 * @param nodes         the graph in topological order; each node names its inputs by id
 * @param configuration settings to show, in display order; secrets already masked by {@link #configuration}
 */
public record JobDescription(String name, List<Node> nodes, Map<String, String> configuration) {

    /** Shown instead of a secret's value. */
    public static final String MASK = "******";

    /**
     * One operator, source or sink.
     *
     * @param id      unique within the job, used by other nodes' {@code inputs}
     * @param kind    {@code source}, {@code operator} or {@code sink}
     * @param label   a short name, e.g. {@code window}
     * @param detail  one line: what it does with which settings
     * @param inputs  ids of the nodes it reads from
     * @param in      the counter of records in, or null for a source
     * @param out     the counter of records out, or null for a sink that reports none
     */
    public record Node(String id, String kind, String label, String detail, List<String> inputs, Counter in, Counter out) {
        public Node {
            Objects.requireNonNull(id, "id");
            inputs = List.copyOf(inputs);
        }
    }

    public JobDescription {
        Objects.requireNonNull(name, "name");
        nodes = List.copyOf(nodes);
        configuration = Collections.unmodifiableMap(new LinkedHashMap<>(configuration));
    }

    /** A job nothing is known about yet (a server started before the job was wired). */
    public static JobDescription unknown() {
        return new JobDescription("(no job described)", List.of(), Map.of());
    }

    /** Collects the nodes and settings of a description in order. */
    public static final class Builder {
        private final String name;
        private final List<Node> nodes = new ArrayList<>();
        private final Map<String, String> configuration = new LinkedHashMap<>();

        public Builder(String name) {
            this.name = name;
        }

        public Builder node(String id, String kind, String label, String detail, List<String> inputs, Counter in, Counter out) {
            nodes.add(new Node(id, kind, label, detail, inputs, in, out));
            return this;
        }

        /** A setting; nothing is added when {@code value} is null (not set). */
        public Builder setting(String key, Object value) {
            if (value != null) {
                configuration.put(key, String.valueOf(value));
            }
            return this;
        }

        /** A setting that may hold a secret: its value is shown only when its key names nothing secret. */
        public Builder possiblySecret(String key, String value) {
            return setting(key, isSecret(key) ? MASK : value);
        }

        public JobDescription build() {
            return new JobDescription(name, nodes, configuration);
        }
    }

    /**
     * Whether a setting's key names a secret: passwords, keys, secrets, tokens, credentials and JAAS configurations
     * (which carry passwords inline), as Kafka and JDBC spell them ({@code ssl.key.password},
     * {@code sasl.jaas.config}, {@code basic.auth.user.info}, ...). Errs on the side of masking.
     */
    public static boolean isSecret(String key) {
        String k = key.toLowerCase(Locale.ROOT);
        for (String word : SECRET_WORDS) {
            if (k.contains(word)) {
                return true;
            }
        }
        return false;
    }

    private static final String[] SECRET_WORDS = {"password", "passwd", "secret", "token", "credential", "jaas",
            "user.info", "key", "auth", "sasl.oauthbearer", "keystore", "truststore.certificates"};
}
