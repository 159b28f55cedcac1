package io.flinklite.connector.kafka;

import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.clients.admin.ListOffsetsResult;
import org.apache.kafka.clients.admin.OffsetSpec;
import org.apache.kafka.common.TopicPartition;

import java.util.Collection;
import java.util.HashMap;
import java.util.Map;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;

/** Where partitions of a topic end: used at startup to check that a checkpoint's offsets still exist. */
public final class TopicOffsets {
    private TopicOffsets() {
    }

    /**
     * The log-end offset (offset of the next record to be written) of each of {@code partitions} of {@code topic}.
     *
     * @throws KafkaConnectorException when the cluster does not answer within the connect timeout
     */
    public static Map<Integer, Long> endOffsets(KafkaConnection connection, String topic, Collection<Integer> partitions) {
        Map<TopicPartition, OffsetSpec> request = new HashMap<>();
        for (int p : partitions) {
            request.put(new TopicPartition(topic, p), OffsetSpec.latest());
        }
        Map<Integer, Long> out = new HashMap<>();
        if (request.isEmpty()) {
            return out;
        }
        try (Admin admin = connection.admin()) {
            Map<TopicPartition, ListOffsetsResult.ListOffsetsResultInfo> ends = admin.listOffsets(request).all()
                    .get(connection.connectTimeoutMs(), TimeUnit.MILLISECONDS);
            ends.forEach((tp, info) -> out.put(tp.partition(), info.offset()));
            return out;
        } catch (ExecutionException e) {
            throw new KafkaConnectorException("cannot read the end offsets of " + topic + ": "
                    + KafkaConnection.rootMessage(e.getCause()), e.getCause());
        } catch (TimeoutException e) {
            throw new KafkaConnectorException("timed out reading the end offsets of " + topic, e);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new KafkaConnectorException("interrupted reading the end offsets of " + topic, e);
        }
    }
}
