package io.flinklite.app.cli;

import io.flinklite.app.Configuration;
import io.flinklite.connector.kafka.KafkaConnection;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.Spec;

import java.util.LinkedHashMap;
import java.util.Map;

/** The options that say how to reach Kafka, shared by {@code run}, {@code simulate} and {@code demo}. */
public final class KafkaOptions {

    @Spec(Spec.Target.MIXEE)
    CommandSpec mixee;

    @Option(names = "--bootstrap-servers", paramLabel = "HOST:PORT[,...]",
            description = "Kafka brokers to connect to (default: ${DEFAULT-VALUE}).",
            defaultValue = KafkaConnection.DEFAULT_BOOTSTRAP_SERVERS)
    String bootstrapServers;

    @Option(names = "--kafka-property", paramLabel = "KEY=VALUE",
            description = "A Kafka client property for every client (consumer, producers, admin), e.g. "
                    + "security.protocol=SASL_SSL. Repeatable; wins over kafka.* keys in the config file and "
                    + "FLINKLITE_KAFKA_* variables.")
    Map<String, String> kafkaProperties = new LinkedHashMap<>();

    @Option(names = "--connect-timeout", paramLabel = "DURATION", converter = DurationConverter.class,
            description = "How long to wait for an unreachable broker before giving up (default: ${DEFAULT-VALUE}).",
            defaultValue = KafkaConnection.DEFAULT_CONNECT_TIMEOUT)
    long connectTimeoutMs;

    @Option(names = "--config", paramLabel = "FILE",
            description = "A properties file with settings: flag names without dashes as keys "
                    + "(bootstrap-servers=...), kafka.* keys for Kafka client properties. Flags and FLINKLITE_* "
                    + "environment variables win over it.")
    String configFile;

    /** The connection these options describe: file and environment Kafka properties, overridden by the flags. */
    public KafkaConnection connection() {
        Configuration configuration = ConfigDefaults.of(mixee);
        Map<String, String> props = new LinkedHashMap<>(configuration.kafkaProperties());
        props.putAll(kafkaProperties);
        if (connectTimeoutMs <= 0) {
            throw new IllegalArgumentException("--connect-timeout must be positive");
        }
        return new KafkaConnection(bootstrapServers, props, connectTimeoutMs);
    }

    /** The bootstrap servers as given (flag, environment, file or default). */
    public String bootstrapServers() {
        return bootstrapServers;
    }

    /** True when the user named the servers (flag, environment or file) rather than taking the default. */
    public boolean bootstrapServersGiven() {
        return mixee.commandLine() != null && mixee.commandLine().getParseResult() != null
                && mixee.commandLine().getParseResult().hasMatchedOption("--bootstrap-servers")
                || ConfigDefaults.of(mixee).setting("bootstrap-servers") != null;
    }
}
