package io.flinklite.app;

import io.flinklite.app.web.Counter;
import io.flinklite.app.web.JobDescription;
import io.flinklite.connector.kafka.KafkaConnection;
import io.flinklite.job.JobSpec;
import io.flinklite.job.WindowSpec;
import io.flinklite.runtime.checkpoint.Delivery;
import io.flinklite.runtime.metrics.JobMetrics;
import org.junit.jupiter.api.Test;

import java.nio.file.Path;
import java.util.Map;

import static org.assertj.core.api.Assertions.assertThat;

/** What the web UI shows of a job: the graph of what runs, built from the same settings, and no secret. */
class KafkaJobDescriptionTest {

    private static final KafkaConnection CONNECTION = new KafkaConnection("broker:9092",
            Map.of("security.protocol", "SASL_SSL",
                    "sasl.jaas.config", "org.apache.kafka.common.security.plain.PlainLoginModule required username=\"app\" password=\"s3cr3t\";",
                    "ssl.truststore.password", "s3cr3t"), 30_000);

    @Test
    void theBuiltInJobIsItsChainWithTheSinksItsSettingsConfigure() {
        JobSpec spec = JobSpec.defaults().withWindow(WindowSpec.parse("tumbling:1m"));
        JobDescription d = new KafkaJob(new KafkaJob.Settings(CONNECTION, spec).inputTopic("in").outputTopic("out")
                .lateTopic("late").deadLetterTopic("dead").groupId("g")
                .checkpoints(new CheckpointSettings(Path.of("/tmp/cp"), 5_000, Delivery.EXACTLY_ONCE, false, null)),
                new JobMetrics()).description();

        assertThat(d.name()).isEqualTo(spec.fingerprint());
        assertThat(d.nodes()).extracting(JobDescription.Node::id)
                .containsExactly("source", "decode", "filter", "window", "results", "late", "dead-letters");
        JobDescription.Node window = d.nodes().get(3);
        assertThat(window.label()).isEqualTo("window tumbling:1m");
        assertThat(window.inputs()).containsExactly("filter");
        assertThat(window.in()).isEqualTo(Counter.SELECTED);
        assertThat(window.out()).isEqualTo(Counter.FIRED);
        assertThat(d.nodes().get(5).inputs()).containsExactly("window");
        assertThat(d.nodes().get(6).inputs()).containsExactly("decode");
        assertThat(d.configuration()).containsEntry("input-topic", "in").containsEntry("late-topic", "late")
                .containsEntry("delivery", "exactly-once").containsEntry("checkpoint-interval", "5s")
                .containsEntry("kafka-property security.protocol", "SASL_SSL")
                .containsEntry("kafka-property sasl.jaas.config", JobDescription.MASK)
                .containsEntry("kafka-property ssl.truststore.password", JobDescription.MASK);
        assertThat(d.configuration().values()).noneMatch(v -> v.contains("s3cr3t"));
    }

    @Test
    void withoutOptionalSinksOrCheckpointsTheGraphAndSettingsSaySo() {
        JobDescription d = new KafkaJob(new KafkaJob.Settings(CONNECTION, JobSpec.defaults()).outputTopic(null),
                new JobMetrics()).description();
        assertThat(d.nodes()).extracting(JobDescription.Node::id)
                .containsExactly("source", "decode", "filter", "window", "results", "dead-letters");
        assertThat(d.nodes().get(4).detail()).isEqualTo("log only");
        assertThat(d.configuration()).containsEntry("checkpoints", "off").containsEntry("output-topic", "none")
                .doesNotContainKey("late-topic");
    }

    @Test
    void aUserJobIsOneNodeAndExtraResultSinksAreShown() {
        KafkaJob.TaskFactory userJob = new KafkaJob.TaskFactory() {
            @Override
            public io.flinklite.runtime.task.StreamTask create(KafkaJob.Settings settings,
                    io.flinklite.runtime.task.TaskOptions options, io.flinklite.source.SourceReader source,
                    io.flinklite.api.Sink<io.flinklite.api.WindowResult> results,
                    io.flinklite.api.Sink<io.flinklite.api.OutputRecord> records, io.flinklite.api.Sink<byte[]> late,
                    io.flinklite.source.DeadLetterHandler deadLetters, JobMetrics metrics) {
                throw new UnsupportedOperationException();
            }

            @Override
            public String userJob() {
                return "com.example.Sessions {gap=30s}";
            }

            @Override
            public java.util.List<String> extraResultSinks() {
                return java.util.List.of("PostgreSQL table public.results at jdbc:postgresql://db/app");
            }
        };
        JobDescription d = new KafkaJob(new KafkaJob.Settings(CONNECTION, JobSpec.defaults()).taskFactory(userJob),
                new JobMetrics()).description();
        assertThat(d.nodes()).extracting(JobDescription.Node::id)
                .containsExactly("source", "decode", "job", "results", "results-2", "dead-letters");
        assertThat(d.nodes().get(2).detail()).isEqualTo("com.example.Sessions {gap=30s}");
        assertThat(d.nodes().get(3).inputs()).containsExactly("job");
        assertThat(d.nodes().get(4).detail()).startsWith("PostgreSQL table public.results");
    }

    @Test
    void runWithoutAJarIsTheBuiltInChain() throws Exception {
        try (JobLauncher launcher = JobLauncher.open(JobLauncher.Request.builtIn(), SinkRegistry.Opened::none)) {
            JobDescription d = new KafkaJob(new KafkaJob.Settings(CONNECTION, JobSpec.defaults())
                    .taskFactory(launcher.taskFactory()), new JobMetrics()).description();
            assertThat(d.nodes()).extracting(JobDescription.Node::id)
                    .containsExactly("source", "decode", "filter", "window", "results", "dead-letters");
            assertThat(d.nodes().get(3).detail()).startsWith("aggregate count");
        }
    }
}
