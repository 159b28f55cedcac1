package io.flinklite.connector.kafka;

import org.apache.kafka.clients.CommonClientConfigs;
import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.clients.admin.AdminClientConfig;
import org.apache.kafka.clients.admin.CreateTopicsResult;
import org.apache.kafka.clients.admin.NewTopic;
import org.apache.kafka.clients.admin.TopicDescription;
import org.apache.kafka.common.KafkaException;
import org.apache.kafka.common.errors.TopicExistsException;
import org.apache.kafka.common.errors.UnknownTopicOrPartitionException;

import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Properties;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;

/**
 * How to reach one Kafka cluster: the bootstrap servers, any client properties passed through unchanged (security
 * protocol, SASL, SSL, timeouts), and how long to wait for the cluster before giving up with a clear message.
 *
 * <p>Every Kafka client FlinkLite creates (consumer, producers, admin) starts from {@link #clientProperties()}, so a
 * property given once reaches all of them. Immutable and thread-safe.
 */
public final class KafkaConnection {

    /** The default bootstrap servers, as for a broker on this machine. */
    public static final String DEFAULT_BOOTSTRAP_SERVERS = "localhost:9092";
    /** How long commands wait for an unreachable cluster before they report it (as typed). */
    public static final String DEFAULT_CONNECT_TIMEOUT = "30s";
    /** {@link #DEFAULT_CONNECT_TIMEOUT} in milliseconds. */
    public static final long DEFAULT_CONNECT_TIMEOUT_MS = io.flinklite.job.Durations.parseMillis(DEFAULT_CONNECT_TIMEOUT);

    private final String bootstrapServers;
    private final Map<String, String> properties;
    private final long connectTimeoutMs;

    /**
     * @param bootstrapServers comma-separated {@code host:port} list
     * @param properties       Kafka client properties applied to every client; {@code bootstrap.servers} here is
     *                         ignored in favour of {@code bootstrapServers}
     * @param connectTimeoutMs how long to wait for the cluster to answer before {@link KafkaConnectorException}
     */
    public KafkaConnection(String bootstrapServers, Map<String, String> properties, long connectTimeoutMs) {
        if (bootstrapServers == null || bootstrapServers.isBlank()) {
            throw new IllegalArgumentException("bootstrap servers must not be empty, e.g. localhost:9092");
        }
        if (connectTimeoutMs <= 0) {
            throw new IllegalArgumentException("connect timeout must be positive, got " + connectTimeoutMs + " ms");
        }
        this.bootstrapServers = bootstrapServers.trim();
        this.properties = Collections.unmodifiableMap(new LinkedHashMap<>(Objects.requireNonNull(properties, "properties")));
        this.connectTimeoutMs = connectTimeoutMs;
    }

    /** A connection with no extra properties and the default connect timeout. */
    public static KafkaConnection of(String bootstrapServers) {
        return new KafkaConnection(bootstrapServers, Map.of(), DEFAULT_CONNECT_TIMEOUT_MS);
    }

    public String bootstrapServers() { return bootstrapServers; }

    /** The pass-through client properties, as given. */
    public Map<String, String> properties() { return properties; }

    public long connectTimeoutMs() { return connectTimeoutMs; }

    /** A fresh copy of the properties every client starts from: the pass-through ones plus the bootstrap servers. */
    public Properties clientProperties() {
        Properties p = new Properties();
        p.putAll(properties);
        p.put(CommonClientConfigs.BOOTSTRAP_SERVERS_CONFIG, bootstrapServers);
        return p;
    }

    /** An admin client whose calls give up after the connect timeout. The caller closes it. */
    public Admin admin() {
        return admin(null, connectTimeoutMs, Math.max(1_000, connectTimeoutMs / 2));
    }

    /**
     * An admin client of FlinkLite's, the one way they are made: the connection's properties, then
     * {@code clientId} (unless the user set one; null for Kafka's) and the two timeouts, which are not the user's
     * to lengthen, since a caller blocks on them. The caller closes it.
     */
    Admin admin(String clientId, long apiTimeoutMs, long requestTimeoutMs) {
        Properties p = clientProperties();
        if (clientId != null) {
            p.putIfAbsent(AdminClientConfig.CLIENT_ID_CONFIG, clientId);
        }
        p.put(AdminClientConfig.DEFAULT_API_TIMEOUT_MS_CONFIG, (int) Math.min(Integer.MAX_VALUE, apiTimeoutMs));
        p.put(AdminClientConfig.REQUEST_TIMEOUT_MS_CONFIG, (int) Math.min(Integer.MAX_VALUE, requestTimeoutMs));
        try {
            return Admin.create(p);
        } catch (KafkaException e) {
            throw new KafkaConnectorException("bad Kafka client configuration: " + rootMessage(e), e);
        }
    }

    /**
     * Waits (up to the connect timeout) for the cluster to answer, then returns the partition count of {@code topic}.
     *
     * @throws KafkaConnectorException naming the servers when the cluster does not answer in time, or naming the
     *                                 topic when it does not exist
     */
    public int partitionCount(String topic) {
        return partitionCount(topic, "create it first (or run `flinklite simulate`, which creates it)");
    }

    /**
     * As {@link #partitionCount(String)}, with {@code missingHint} (what the user can do) ending the message about
     * a missing topic.
     */
    public int partitionCount(String topic, String missingHint) {
        try (Admin admin = admin()) {
            return partitionCount(admin, topic, missingHint);
        }
    }

    /** {@link #partitionCount(String, String)} with {@code admin}, which the caller closes. */
    int partitionCount(Admin admin, String topic, String missingHint) {
        return describe(admin, topic, missingHint).partitions().size();
    }

    /**
     * The id Kafka gave {@code topic} when it was created, as Kafka prints it: a topic deleted and recreated under
     * the same name gets another, so offsets recorded under one id do not belong to the other.
     *
     * @throws KafkaConnectorException as {@link #partitionCount(String, String)}
     */
    public String topicId(String topic, String missingHint) {
        try (Admin admin = admin()) {
            return describe(admin, topic, missingHint).topicId().toString();
        }
    }

    /**
     * Creates {@code topic} with {@code partitions} partitions and the cluster's default replication factor when
     * it does not exist yet.
     *
     * @return true when this call created it
     */
    public boolean ensureTopic(String topic, int partitions) {
        return ensureTopic(topic, partitions, -1);
    }

    /**
     * Creates {@code topic} with {@code partitions} partitions (the broker's {@code num.partitions} when -1) and
     * {@code replicationFactor} replicas (the broker's {@code default.replication.factor} when -1) when it does not
     * exist yet, with the Admin API; returns once every partition's leader accepts writes ({@link TopicLeaders}).
     *
     * @return true when this call created it
     * @throws KafkaConnectorException naming the topic and the broker's reason when it refuses (a replication factor
     *                                 above the number of brokers, a policy, missing ACLs)
     */
    public boolean ensureTopic(String topic, int partitions, int replicationFactor) {
        return ensureTopic(topic, partitions, replicationFactor, Map.of());
    }

    /**
     * As {@link #ensureTopic(String, int, int)}, creating the topic with these topic-level {@code configs}
     * ({@code cleanup.policy} and the like); an existing topic is left as it is.
     */
    public boolean ensureTopic(String topic, int partitions, int replicationFactor, Map<String, String> configs) {
        try (Admin admin = admin()) {
            return ensureTopic(admin, topic, partitions, replicationFactor, configs);
        }
    }

    /** {@link #ensureTopic(String, int, int)} with {@code admin}, which the caller closes. */
    boolean ensureTopic(Admin admin, String topic, int partitions, int replicationFactor) {
        return ensureTopic(admin, topic, partitions, replicationFactor, Map.of());
    }

    /** {@link #ensureTopic(String, int, int, Map)} with {@code admin}, which the caller closes. */
    boolean ensureTopic(Admin admin, String topic, int partitions, int replicationFactor, Map<String, String> configs) {
        awaitCluster(admin);
        try {
            CreateTopicsResult result = admin.createTopics(List.of(new NewTopic(topic,
                    partitions > 0 ? java.util.Optional.of(partitions) : java.util.Optional.empty(),
                    replicationFactor > 0 ? java.util.Optional.of((short) replicationFactor) : java.util.Optional.empty())
                    .configs(configs)));
            result.all().get(connectTimeoutMs, TimeUnit.MILLISECONDS);
            // The CreateTopics response carries the partition count (the broker's num.partitions when we asked for
            // none): no second round trip to describe the topic just made.
            int created = result.numPartitions(topic).get(connectTimeoutMs, TimeUnit.MILLISECONDS);
            TopicLeaders.await(admin, topic, created, connectTimeoutMs);
            return true;
        } catch (ExecutionException e) {
            if (e.getCause() instanceof TopicExistsException) {
                return false;
            }
            throw new KafkaConnectorException("cannot create topic '" + topic + "' on " + bootstrapServers + ": "
                    + rootMessage(e), e);
        } catch (TimeoutException e) {
            throw unreachable(e);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new KafkaConnectorException("interrupted while creating topic '" + topic + "'", e);
        }
    }

    private TopicDescription describe(Admin admin, String topic, String missingHint) {
        awaitCluster(admin);
        try {
            return admin.describeTopics(List.of(topic)).allTopicNames()
                    .get(connectTimeoutMs, TimeUnit.MILLISECONDS).get(topic);
        } catch (ExecutionException e) {
            if (e.getCause() instanceof UnknownTopicOrPartitionException) {
                throw new KafkaConnectorException("topic '" + topic + "' does not exist on " + bootstrapServers
                        + "; " + missingHint, e);
            }
            throw new KafkaConnectorException("cannot describe topic '" + topic + "' on " + bootstrapServers + ": "
                    + rootMessage(e), e);
        } catch (TimeoutException e) {
            throw unreachable(e);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new KafkaConnectorException("interrupted while describing topic '" + topic + "'", e);
        }
    }

    /** Blocks until the cluster answers a metadata request, or throws after the connect timeout. */
    public void awaitCluster() {
        try (Admin admin = admin()) {
            awaitCluster(admin);
        }
    }

    private void awaitCluster(Admin admin) {
        try {
            admin.describeCluster().nodes().get(connectTimeoutMs, TimeUnit.MILLISECONDS);
        } catch (TimeoutException e) {
            throw unreachable(e);
        } catch (ExecutionException e) {
            if (e.getCause() instanceof org.apache.kafka.common.errors.TimeoutException) {
                throw unreachable(e);
            }
            throw new KafkaConnectorException("cannot reach Kafka at " + bootstrapServers + ": " + rootMessage(e), e);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new KafkaConnectorException("interrupted while connecting to Kafka at " + bootstrapServers, e);
        }
    }

    private KafkaConnectorException unreachable(Exception cause) {
        return new KafkaConnectorException("cannot reach Kafka at " + bootstrapServers + " within "
                + connectTimeoutMs / 1000.0 + " s; is a broker running there? (set --bootstrap-servers, or"
                + " --connect-timeout to wait longer)", cause);
    }

    /** The innermost message of a chain, which is where Kafka puts the useful words. */
    static String rootMessage(Throwable t) {
        Throwable cause = t;
        while (cause.getCause() != null && cause.getCause() != cause) {
            cause = cause.getCause();
        }
        String message = cause.getMessage();
        return message == null ? cause.getClass().getSimpleName() : message;
    }

    @Override
    public String toString() {
        return "KafkaConnection{" + bootstrapServers + ", " + properties.keySet() + "}";
    }
}
