package io.flinklite.app;

import io.flinklite.app.metrics.MetricsConfig;
import io.flinklite.app.metrics.MetricsServer;
import io.flinklite.connector.kafka.KafkaConnection;
import io.flinklite.connector.kafka.embedded.EmbeddedKafkaBroker;
import io.flinklite.job.JobSpec;
import io.flinklite.runtime.metrics.JobMetrics;
import org.junit.jupiter.api.Test;

import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.time.Duration;
import java.util.concurrent.atomic.AtomicReference;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

/**
 * A broker that goes away and comes back: /health/ready follows it, and the job carries on afterwards. With a broker
 * of its own, since it stops it.
 */
class BrokerOutageIT {

    @Test
    void readinessGoesWhileTheBrokerIsAwayAndComesBackWithIt() throws Exception {
        try (EmbeddedKafkaBroker broker = EmbeddedKafkaBroker.start()) {
            broker.createTopic("outage-in", 2);
            KafkaConnection connection = KafkaConnection.of(broker.bootstrapServers());
            JobMetrics metrics = new JobMetrics();
            KafkaJob job = new KafkaJob(new KafkaJob.Settings(connection, JobSpec.defaults()).inputTopic("outage-in")
                    .outputTopic(null).groupId("outage"), metrics);
            AtomicReference<Throwable> failure;
            try (MetricsServer server = MetricsServer.start(new MetricsConfig("127.0.0.1", 0, Duration.ZERO), metrics)) {
                String ready = "http://127.0.0.1:" + server.port() + "/health/ready";
                failure = KafkaTestSupport.startJob(job);
                await().atMost(Duration.ofSeconds(60)).until(() -> status(ready) == 200);

                broker.stop();
                await().atMost(Duration.ofSeconds(30)).until(() -> status(ready) == 503);
                assertThat(metrics.kafkaUnreachableSinceMs()).isPositive();
                assertThat(body(ready)).contains("Kafka unreachable for");
                assertThat(failure.get()).isNull();

                broker.restart();
                await().atMost(Duration.ofSeconds(60)).until(() -> status(ready) == 200);
                assertThat(metrics.kafkaUnreachableSinceMs()).isZero();
                assertThat(failure.get()).isNull();
            } finally {
                job.stop();
                assertThat(job.awaitStopped(30_000)).isTrue();
            }
            assertThat(failure.get()).isNull();
        }
    }

    private static final HttpClient HTTP = HttpClient.newHttpClient();

    private static int status(String url) throws Exception {
        return HTTP.send(HttpRequest.newBuilder(URI.create(url)).build(), HttpResponse.BodyHandlers.ofString()).statusCode();
    }

    private static String body(String url) throws Exception {
        return HTTP.send(HttpRequest.newBuilder(URI.create(url)).build(), HttpResponse.BodyHandlers.ofString()).body();
    }
}
