package io.flinklite.app;

import io.flinklite.connector.kafka.KafkaCheckpointStore;
import io.flinklite.connector.kafka.KafkaConnection;
import io.flinklite.connector.kafka.embedded.EmbeddedKafkaBroker;
import io.flinklite.connector.kafka.embedded.SharedKafkaBroker;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.common.serialization.ByteArraySerializer;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;

import java.nio.charset.StandardCharsets;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * {@code checkpoint list} and {@code checkpoint inspect} with {@code --checkpoint-store kafka}, against the shared
 * in-process broker: they read the job's checkpoint topic as a restart does, mark the one it restores, say why a
 * damaged one is skipped, and answer a missing topic with one line.
 */
@ExtendWith(SharedKafkaBroker.class)
class KafkaCheckpointCommandsIT {

    private final EmbeddedKafkaBroker broker = SharedKafkaBroker.get();
    private final KafkaConnection connection = KafkaTestSupport.connection();

    @Test
    void checkpointListAndInspectReadTheTopicAsARestartDoes() throws Exception {
        String group = "ckstore-cli";
        String topic = KafkaCheckpointStore.defaultTopic(group);
        String task = KafkaCheckpointStore.taskKeyOf("flink-events");
        try (KafkaCheckpointStore store = KafkaCheckpointStore.create(connection, topic, task, 3,
                io.flinklite.runtime.checkpoint.RestoreCheck.INSTANCE, null)) {
            store.write(io.flinklite.app.cli.CheckpointCommandsTest.realCheckpoint(1));
            store.write(io.flinklite.app.cli.CheckpointCommandsTest.realCheckpoint(2));
        }
        try (KafkaProducer<byte[], byte[]> raw = rawProducer()) {
            raw.send(new ProducerRecord<>(topic, 0, bytes(task + "/2/chunk/0"), bytes("not the chunk"))).get();
        }
        String[] where = {"--checkpoint-store", "kafka", "--bootstrap-servers", broker.bootstrapServers(), "--group-id", group};
        Cli list = Cli.run(concat(new String[] {"checkpoint", "list"}, where));
        assertThat(list.code).as(list.out).isZero();
        assertThat(list.out).contains("checkpoint store topic '" + topic + "'")
                .containsPattern("flink-events/\\*/1 +1 .*valid, a restart restores this one")
                .containsPattern("flink-events/\\*/2 +2 .*INVALID: .*chunk 0 of 1 belongs to another write");
        Cli inspect = Cli.run(concat(new String[] {"checkpoint", "inspect"}, where));
        assertThat(inspect.code).as(inspect.out).isZero();
        assertThat(inspect.out).contains("a restart restores checkpoint 1 in topic '" + topic + "'")
                .contains("(falling back past damaged checkpoints)").contains("next offset 1234")
                .contains("restores (checked by restoring it into the job)");
        Cli missing = Cli.run("checkpoint", "inspect", "--checkpoint-store", "kafka", "--bootstrap-servers",
                broker.bootstrapServers(), "--group-id", "ckstore-no-such-group", "--connect-timeout", "5s");
        assertThat(missing.code).isEqualTo(1);
        assertThat(missing.out).contains("topic 'ckstore-no-such-group-checkpoints' does not exist").doesNotContain("\tat ");
    }

    /** A {@code flinklite} command run in process: exit code, stdout and stderr together. */
    static final class Cli {
        final int code;
        final String out;

        private Cli(int code, String out) {
            this.code = code;
            this.out = out;
        }

        static Cli run(String... args) {
            java.io.ByteArrayOutputStream captured = new java.io.ByteArrayOutputStream();
            java.io.PrintStream stream = new java.io.PrintStream(captured, true, StandardCharsets.UTF_8);
            java.io.PrintStream oldOut = System.out;
            java.io.PrintStream oldErr = System.err;
            System.setOut(stream);
            System.setErr(stream);
            int code;
            try {
                code = io.flinklite.app.cli.FlinkLiteCommand.execute(args);
            } finally {
                System.setOut(oldOut);
                System.setErr(oldErr);
            }
            return new Cli(code, captured.toString(StandardCharsets.UTF_8));
        }
    }

    private static String[] concat(String[] a, String[] b) {
        String[] all = java.util.Arrays.copyOf(a, a.length + b.length);
        System.arraycopy(b, 0, all, a.length, b.length);
        return all;
    }

    private static byte[] bytes(String s) {
        return s.getBytes(StandardCharsets.UTF_8);
    }

    private KafkaProducer<byte[], byte[]> rawProducer() {
        return new KafkaProducer<>(connection.clientProperties(), new ByteArraySerializer(), new ByteArraySerializer());
    }
}
