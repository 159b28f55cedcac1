package io.flinklite.app;

import org.junit.jupiter.api.Test;

import java.nio.file.Files;
import java.util.List;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * {@link CrashRecoveryIT} with {@code --checkpoint-store kafka}: the same three jobs (exactly-once uninterrupted,
 * exactly-once and at-least-once SIGKILLed at random moments and restarted), their checkpoints in
 * {@code <group-id>-checkpoints} instead of a directory. Exactly-once: the read_committed output equals the
 * uninterrupted run's and the replay's, each result once; at-least-once: no window missing, every line identical
 * to the replay's.
 */
class KafkaStoreCrashRecoveryIT extends CrashRecoveryIT {

    @Override
    String topicPrefix() {
        return "kstore-";
    }

    @Override
    List<String> extraJobFlags() {
        return List.of("--checkpoint-store", "kafka");
    }

    @Test
    void theCheckpointsWereInKafkaNotInTheDirectory() throws Exception {
        for (String job : List.of("eo-clean", "eo-crash", "alo-crash")) {
            assertThat(work.resolve(job + "-checkpoints")).as("nothing written to --checkpoint-dir").doesNotExist();
            String log = Files.readString(jobLog(job));
            assertThat(log).as("final checkpoint into the topic").contains("final checkpoint")
                    .contains("topic 'kstore-" + job + "-checkpoints'");
        }
        // A killed run may die before its first checkpoint (each lives 0.2-3.2 s); over ten kills of two jobs, some
        // restart restores from the topic, or the comparisons above prove nothing about the store.
        String crashed = Files.readString(jobLog("eo-crash")) + Files.readString(jobLog("alo-crash"));
        assertThat(crashed).as("restarts restored from the topic").containsPattern(
                "restoring checkpoint \\d+ of topic 'kstore-(eo|alo)-crash-checkpoints'");
    }
}
