package io.flinklite.app.web;

import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * Another member of the job's consumer group, as the group coordinator describes it.
 *
 * @param clientId   the member's Kafka client id
 * @param host       the host the member connected from, as the broker saw it
 * @param partitions the input partitions assigned to it: input topic to partitions, in the job's topic order
 * @param self       whether it is this instance
 */
public record Peer(String clientId, String host, Map<String, List<Integer>> partitions, boolean self) {
    public Peer {
        Map<String, List<Integer>> copy = new LinkedHashMap<>();
        partitions.forEach((topic, parts) -> copy.put(topic, List.copyOf(parts)));
        partitions = Collections.unmodifiableMap(copy);
    }
}
