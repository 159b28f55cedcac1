package io.flinklite.app.web;

import java.util.List;

/**
 * Another member of the job's consumer group, as the group coordinator describes it.
 *
 * @param clientId   the member's Kafka client id
 * @param host       the host the member connected from, as the broker saw it
 * @param partitions the input partitions assigned to it
 * @param self       whether it is this instance
 */
public record Peer(String clientId, String host, List<Integer> partitions, boolean self) {
    public Peer {
        partitions = List.copyOf(partitions);
    }
}
