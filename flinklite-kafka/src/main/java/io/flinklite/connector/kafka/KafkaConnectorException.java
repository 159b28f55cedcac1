package io.flinklite.connector.kafka;

/**
 * A Kafka problem whose message alone tells the user what is wrong and what to do: an unreachable broker, a missing
 * topic, a rejected client property. The CLI prints the message on one line, without a stack trace.
 */
public class KafkaConnectorException extends RuntimeException {
    private static final long serialVersionUID = 1L;

    public KafkaConnectorException(String message) {
        super(message);
    }

    public KafkaConnectorException(String message, Throwable cause) {
        super(message, cause);
    }
}
