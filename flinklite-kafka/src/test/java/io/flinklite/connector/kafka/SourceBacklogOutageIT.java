package io.flinklite.connector.kafka;

import io.flinklite.connector.kafka.embedded.EmbeddedKafkaBroker;
import io.flinklite.source.PartitionListener;
import io.flinklite.source.RecordBatch;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.common.serialization.ByteArraySerializer;
import org.junit.jupiter.api.Test;

import java.nio.charset.StandardCharsets;
import java.util.Properties;
import java.util.Set;
import java.util.TreeSet;
import java.util.concurrent.TimeUnit;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * The backlog of partitions another member owns, while the broker is away: the task thread keeps its pace (the refresh
 * used to block each poll up to a second per request, every second) and the backlog is unknown, never "nothing to
 * read", so the watermark stays held. A broker of its own: this test stops it.
 */
class SourceBacklogOutageIT {

    private static final class Assigned implements PartitionListener {
        final Set<Integer> partitions = new TreeSet<>();

        @Override
        public void partitionAssigned(int partition) {
            partitions.add(partition);
        }

        @Override
        public void partitionRevoked(int partition) {
            partitions.remove(partition);
        }
    }

    @Test
    void anUnreachableBrokerNeitherStallsThePollLoopNorPassesForNothingToRead() throws Exception {
        try (EmbeddedKafkaBroker broker = EmbeddedKafkaBroker.start()) {
            broker.createTopic("outage-in", 2);
            Properties p = new Properties();
            p.put("bootstrap.servers", broker.bootstrapServers());
            try (KafkaProducer<byte[], byte[]> producer = new KafkaProducer<>(p, new ByteArraySerializer(), new ByteArraySerializer())) {
                for (int i = 0; i < 20; i++) {
                    producer.send(new ProducerRecord<>("outage-in", i % 2, null, ("{\"n\":" + i + "}").getBytes(StandardCharsets.UTF_8)));
                }
                producer.flush();
            }
            KafkaConnection connection = KafkaConnection.of(broker.bootstrapServers());
            RecordBatch batch = new RecordBatch();
            Assigned seenByA = new Assigned();
            Assigned seenByB = new Assigned();
            try (KafkaSourceReader a = new KafkaSourceReader(connection, "outage-in", "outage", KafkaSourceReader.StartFrom.EARLIEST);
                 KafkaSourceReader b = new KafkaSourceReader(connection, "outage-in", "outage", KafkaSourceReader.StartFrom.EARLIEST)) {
                // Two members, one partition each: a's view of b's partition comes from the backlog refresh.
                long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(60);
                while (!(seenByA.partitions.size() == 1 && seenByB.partitions.size() == 1)) {
                    assertThat(System.nanoTime() - deadline).as("both members get a partition").isNegative();
                    batch.clear();
                    a.poll(batch, seenByA, 100);
                    batch.clear();
                    b.poll(batch, seenByB, 100);
                }
                int other = seenByB.partitions.iterator().next();
                // Known once a refresh answered: 10 when nothing was committed for b's partition, fewer when a read
                // some of it before the first rebalance moved it and committed its position on the way out.
                while (a.lag(other) < 0) {
                    assertThat(System.nanoTime() - deadline).as("a learns the backlog of partition " + other).isNegative();
                    batch.clear();
                    a.poll(batch, seenByA, 100);
                    batch.clear();
                    b.poll(batch, seenByB, 100);
                }

                broker.stop();
                long longestPollNanos = 0;
                int polls = 0;
                long end = System.nanoTime() + TimeUnit.SECONDS.toNanos(6);
                while (System.nanoTime() - end < 0) {
                    long start = System.nanoTime();
                    batch.clear();
                    a.poll(batch, seenByA, 100);
                    longestPollNanos = Math.max(longestPollNanos, System.nanoTime() - start);
                    polls++;
                }
                // A 100 ms poll takes about that; a refresh on the task thread took a second or more (each of its
                // requests waits up to 1 s for the absent broker), once a second.
                assertThat(TimeUnit.NANOSECONDS.toMillis(longestPollNanos)).as("longest of %d polls, ms", polls)
                        .isLessThan(600);
                assertThat(a.lag(other)).as("backlog of partition " + other + " while the broker is away").isEqualTo(-1);

                // Known again once the broker is back (0 or more: the restart may rebalance, and a revoked owner
                // commits its position on the way out, which can take the commit's full minute while the group
                // settles).
                broker.restart();
                long back = System.nanoTime() + TimeUnit.MINUTES.toNanos(3);
                while (a.lag(other) < 0) {
                    assertThat(System.nanoTime() - back).as("the backlog is known again after the restart").isNegative();
                    batch.clear();
                    a.poll(batch, seenByA, 100);
                    batch.clear();
                    b.poll(batch, seenByB, 100); // b keeps its membership (and its partition) through a rejoin
                }
            }
        }
    }
}
