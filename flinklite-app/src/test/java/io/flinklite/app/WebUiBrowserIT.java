package io.flinklite.app;

import io.flinklite.connector.kafka.embedded.SharedKafkaBroker;
import io.flinklite.app.metrics.Http;
import io.flinklite.app.metrics.MetricsConfig;
import io.flinklite.app.metrics.Observability;
import io.flinklite.connector.kafka.KafkaConnection;
import io.flinklite.connector.kafka.embedded.EmbeddedKafkaBroker;
import io.flinklite.job.JobSpec;
import io.flinklite.runtime.checkpoint.Delivery;
import io.flinklite.runtime.metrics.JobMetrics;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.openqa.selenium.JavascriptExecutor;
import org.openqa.selenium.OutputType;
import org.openqa.selenium.TakesScreenshot;
import org.openqa.selenium.chrome.ChromeDriver;
import org.openqa.selenium.chrome.ChromeDriverService;
import org.openqa.selenium.chrome.ChromeOptions;
import org.openqa.selenium.logging.LogEntry;
import org.openqa.selenium.logging.LogType;
import org.openqa.selenium.logging.LoggingPreferences;

import java.io.File;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.atomic.AtomicReference;
import java.util.logging.Level;

import static io.flinklite.app.KafkaTestSupport.Placed;
import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

/**
 * The web UI of a running job on the embedded broker, in a real browser: Debian's {@code chromium}, driven through
 * Debian's {@code chromedriver} by Selenium (never a downloaded driver). The job runs once to write checkpoints, then
 * again restoring the last one, so the page has partitions, a watermark history, checkpoints, a restored checkpoint,
 * results and dead letters to show; each value the page shows is checked against {@code /metrics}, and the browser's
 * console must hold no error. The screenshot goes to {@code target/web-ui.png}.
 *
 * <p>The module's one broker ({@link SharedKafkaBroker}); the browser starts once for the class.
 */
@org.junit.jupiter.api.extension.ExtendWith(SharedKafkaBroker.class)
class WebUiBrowserIT {

    private static final String CHROMIUM = "/usr/bin/chromium";
    private static final String CHROMEDRIVER = "/usr/bin/chromedriver";

    private static EmbeddedKafkaBroker broker;
    private static ChromeDriver browser;
    private static Path profile;

    @BeforeAll
    static void startBrokerAndBrowser() throws Exception {
        assertThat(new File(CHROMIUM).canExecute()).as("Debian's chromium at " + CHROMIUM
                + " (bin/test installs it: apt-get install chromium)").isTrue();
        assertThat(new File(CHROMEDRIVER).canExecute()).as("Debian's chromedriver at " + CHROMEDRIVER
                + " (bin/test installs it: apt-get install chromium-driver)").isTrue();
        broker = SharedKafkaBroker.get();
        profile = Files.createTempDirectory("flinklite-chromium");
        ChromeOptions options = new ChromeOptions();
        options.setBinary(CHROMIUM);
        // The closed network here refuses Chromium's background connections; these flags keep it from trying.
        options.addArguments("--headless=new", "--no-sandbox", "--disable-gpu", "--disable-quic", "--no-first-run",
                "--disable-background-networking", "--disable-component-update", "--disable-sync",
                "--user-data-dir=" + profile, "--window-size=1400,1500");
        LoggingPreferences logs = new LoggingPreferences();
        logs.enable(LogType.BROWSER, Level.ALL);
        options.setCapability("goog:loggingPrefs", logs);
        ChromeDriverService service = new ChromeDriverService.Builder()
                .usingDriverExecutable(new File(CHROMEDRIVER)).usingAnyFreePort().build();
        browser = new ChromeDriver(service, options);
    }

    @AfterAll
    static void stopBrowserAndBroker() throws Exception {
        if (browser != null) {
            browser.quit();
        }
        if (profile != null) {
            try (var files = Files.walk(profile)) {
                files.sorted(java.util.Comparator.reverseOrder()).forEach(p -> p.toFile().delete());
            }
        }
    }

    @Test
    void theUiOfARunningJobShowsLiveValuesThatMatchMetrics() throws Exception {
        broker.createTopic("ui-in", 2);
        broker.createTopic("ui-out", 1);
        broker.createTopic("ui-dead", 1);
        KafkaConnection connection = KafkaConnection.of(broker.bootstrapServers());
        Path checkpoints = Files.createTempDirectory("flinklite-ui-checkpoints");
        long base = System.currentTimeMillis() - 600_000;
        List<Placed> first = KafkaTestSupport.disorderedEvents(7, 2_000, new int[] {0, 1}, base);
        KafkaTestSupport.produce(broker.bootstrapServers(), "ui-in", first);

        // First run: read everything, checkpoint, stop cleanly (final checkpoint).
        JobMetrics firstMetrics = new JobMetrics();
        KafkaJob firstJob = new KafkaJob(settings(connection, checkpoints), firstMetrics);
        AtomicReference<Throwable> firstFailure = KafkaTestSupport.startJob(firstJob);
        await().atMost(Duration.ofSeconds(60)).until(() -> firstFailure.get() != null
                || firstMetrics.eventsTotal() == first.size() && firstMetrics.checkpointsCompleted() > 0);
        assertThat(firstFailure.get()).isNull();
        firstJob.stop();
        assertThat(firstJob.awaitStopped(30_000)).isTrue();

        // Second run restores the last checkpoint and reads what came since.
        // The dead letters shown are this process's: the invalid records come in the second run.
        List<Placed> second = KafkaTestSupport.disorderedEvents(8, 1_000, new int[] {0, 1}, base + 200_000);
        second.add(new Placed(0, "not json at all".getBytes(StandardCharsets.UTF_8)));
        second.add(new Placed(1, "{\"id\":1,\"message\":\"critical\"}".getBytes(StandardCharsets.UTF_8)));
        KafkaTestSupport.produce(broker.bootstrapServers(), "ui-in", second);
        JobMetrics metrics = new JobMetrics();
        KafkaJob job = new KafkaJob(settings(connection, checkpoints), metrics);
        try (Observability obs = Observability.start(new MetricsConfig("127.0.0.1", 0, Duration.ZERO), metrics,
                job.webConsole(), System.err)) {
            AtomicReference<Throwable> failure = KafkaTestSupport.startJob(job);
            int port = obs.server().port();
            await().atMost(Duration.ofSeconds(60)).until(() -> failure.get() != null
                    || metrics.eventsTotal() == second.size() && metrics.checkpointsCompleted() >= 2
                    && lags(metrics).equals(List.of(0L, 0L)));
            assertThat(failure.get()).isNull();

            browser.get("http://127.0.0.1:" + port + "/");
            // A few refreshes, so the chart has several samples and the rates have settled.
            await().atMost(Duration.ofSeconds(30)).until(() -> rows("#checkpoints") > 0 && rows("#partitions") == 2
                    && ((Number) js("return document.querySelectorAll('#chart polyline').length")).intValue() == 3);

            // Checkpoints go on (every second): scrape, wait for a refresh the page fetched well after it, read the
            // page, scrape again; each live value then lies between the two scrapes.
            long scrapedMs = System.currentTimeMillis();
            Map<String, Double> before = Http.scrape(port);
            await().atMost(Duration.ofSeconds(10)).until(() -> refreshedMs() > scrapedMs + 500);
            Map<String, Object> page = page();
            Map<String, Double> after = Http.scrape(port);

            assertThat(page.get("error")).as("the page's own error banner").isNull();
            assertThat(page.get("state")).isEqualTo("running, ready");
            // Graph: what the job is, with the counts /metrics has (no traffic now, so they stand still).
            assertThat(page.get("nodes")).isEqualTo(List.of("source", "decode", "filter", "window", "results",
                    "dead-letters"));
            assertThat(num(page.get("sourceOut"))).isEqualTo(before.get("flinklite_events_total").longValue())
                    .isEqualTo(second.size());
            assertThat(num(page.get("windowOut"))).isEqualTo(before.get("flinklite_windows_flushed_total").longValue());
            assertThat(num(page.get("deadIn"))).isEqualTo(before.get("flinklite_events_outcome_total{outcome=\"invalid\"}")
                    .longValue());
            // Partition table: each partition's watermark and lag as /metrics has them.
            @SuppressWarnings("unchecked")
            List<Map<String, Object>> parts = (List<Map<String, Object>>) page.get("partitions");
            assertThat(parts).hasSize(2);
            for (Map<String, Object> p : parts) {
                String labels = "{partition=\"" + p.get("partition") + "\",topic=\"ui-in\"}";
                assertThat(Long.parseLong((String) p.get("watermark")))
                        .isEqualTo(before.get("flinklite_partition_watermark_timestamp" + labels).longValue());
                assertThat(Long.parseLong((String) p.get("lag")))
                        .isEqualTo(before.get("flinklite_consumer_lag_records" + labels).longValue()).isZero();
            }
            // Watermark chart: the job's line ends at the job's watermark, one line per partition besides.
            assertThat(page.get("series")).isEqualTo(List.of("job", "0", "1"));
            assertThat(Long.parseLong((String) page.get("chartLast")))
                    .isEqualTo(before.get("flinklite_watermark_timestamp").longValue());
            assertThat(Long.parseLong((String) page.get("watermark")))
                    .isEqualTo(before.get("flinklite_watermark_timestamp").longValue());
            // Checkpoint history: as many completed as /metrics counted around the read, newest id on top, restored.
            long completed = num(page.get("completed"));
            assertThat(completed).isBetween(before.get("flinklite_checkpoints_completed_total").longValue(),
                    after.get("flinklite_checkpoints_completed_total").longValue());
            assertThat(num(page.get("topCheckpoint"))).isGreaterThan(0);
            assertThat((String) page.get("restored")).startsWith("Restored from checkpoint ");
            // Dead letters with their reasons; results; configuration without secrets.
            assertThat((String) page.get("deadLetters")).contains("not_json").contains("missing_timestamp");
            assertThat(num(page.get("results"))).isPositive();
            assertThat((String) page.get("configuration")).contains("ui-in").contains("ui-dead");
            // The consumer group as its coordinator describes it: this one member, owning both partitions.
            assertThat((String) page.get("peers")).contains("1 member(s), 0 other(s)")
                    .contains("this instance: flinklite-source on 127.0.0.1, partitions 0, 1");

            // At a laptop's 1280 px nothing scrolls sideways, even with long keys and many-digit values; and another
            // member of the group gets no link guessed from this instance's port.
            browser.manage().window().setSize(new org.openqa.selenium.Dimension(1280, 800));
            Map<String, Object> narrow = narrowPage();
            assertThat(narrow.get("error")).isNull();
            assertThat(narrow.get("wide")).as("sections that scroll sideways at %s px", narrow.get("viewport"))
                    .isEqualTo(List.of());
            assertThat(((Number) narrow.get("peerLinks")).intValue()).as("links to other members").isZero();
            assertThat((List<String>) narrow.get("series")).as("a two-topic sample's partitions by topic")
                    .contains("ui-in-0", "ui-right-0");
            assertThat((String) narrow.get("peers")).contains("on 10.1.2.3, partitions 7")
                    .as("a member of a job of several input topics: each topic's partitions")
                    .contains("on 10.1.2.4, partitions ui-in 3; ui-right none")
                    .contains("at its own --metrics-port, which the consumer group does not tell");
            browser.manage().window().setSize(new org.openqa.selenium.Dimension(1400, 1500));

            File shot = ((TakesScreenshot) browser).getScreenshotAs(OutputType.FILE);
            Path target = Path.of("target", "web-ui.png");
            Files.createDirectories(target.getParent());
            Files.copy(shot.toPath(), target, StandardCopyOption.REPLACE_EXISTING);
            assertThat(Files.size(target)).isGreaterThan(10_000);

            List<String> errors = new ArrayList<>();
            for (LogEntry e : browser.manage().logs().get(LogType.BROWSER)) {
                if (e.getLevel().intValue() >= Level.SEVERE.intValue()) {
                    errors.add(e.getMessage());
                }
            }
            assertThat(errors).as("errors in the browser console").isEmpty();

            job.stop();
            assertThat(job.awaitStopped(30_000)).isTrue();
            assertThat(failure.get()).isNull();
        }
    }

    private static KafkaJob.Settings settings(KafkaConnection connection, Path checkpoints) {
        return new KafkaJob.Settings(connection, JobSpec.defaults()).inputTopic("ui-in").outputTopic("ui-out")
                .deadLetterTopic("ui-dead").groupId("ui")
                .checkpoints(new io.flinklite.app.CheckpointSettings(checkpoints, 1_000, Delivery.AT_LEAST_ONCE, false, null));
    }

    private static List<Long> lags(JobMetrics metrics) {
        List<Long> out = new ArrayList<>();
        for (JobMetrics.PartitionStats p : metrics.partitions()) {
            out.add(p.lag());
        }
        return out;
    }

    private static Object js(String script) {
        return ((JavascriptExecutor) browser).executeScript(script);
    }

    private static int rows(String table) {
        return ((Number) js("return document.querySelectorAll('" + table + " tbody tr').length")).intValue();
    }

    /** When the page last rendered fresh data (the server's clock, from /api/v1/job); 0 before. */
    private static long refreshedMs() {
        Object v = js("return document.body.getAttribute('data-refreshed')");
        return v == null ? 0 : Long.parseLong((String) v);
    }

    private static long num(Object text) {
        return Long.parseLong(String.valueOf(text).replace(",", ""));
    }

    /**
     * The page rendered once from the live API with long keys, many-digit values and two group members added (one as
     * a job of two input topics describes it), measured in the same script (the next refresh redraws it): which
     * sections scroll sideways, and the peers.
     */
    @SuppressWarnings("unchecked")
    private static Map<String, Object> narrowPage() {
        return (Map<String, Object>) ((JavascriptExecutor) browser).executeAsyncScript("""
                const done = arguments[arguments.length - 1];
                Promise.all([get("/api/v1/job"), get("/api/v1/partitions"), get("/api/v1/checkpoints"),
                    get("/api/v1/results?limit=15")]).then(([job, parts, cps, results]) => {
                  const first = results.results[0];
                  results.results = Array.from({length: 15}, (_, i) => Object.assign({}, first,
                      {key: "checkout-service/eu-west-1/production/" + i, value: 0.30000000000000004 + i}));
                  job.peers = job.peers.concat([{clientId: "flinklite-source", host: "10.1.2.3", partitions: [7], self: false},
                      {clientId: "flinklite-source", host: "10.1.2.4", partitions: [3], self: false,
                       topics: [{topic: "ui-in", partitions: [3]}, {topic: "ui-right", partitions: []}]}]);
                  // The newest sample as a job of two topics gives it: partition 0 of each.
                  const newest = parts.timeline.samples[parts.timeline.samples.length - 1];
                  newest.partitions = {"0": newest.watermarkMs};
                  newest.topicPartitions = {"ui-in-0": newest.watermarkMs, "ui-right-0": newest.watermarkMs};
                  render(job, parts, cps, results);
                  done({
                    series: [...document.querySelectorAll('#chart polyline')].map(l => l.getAttribute('data-series')),
                    wide: [...document.querySelectorAll("section")].filter(s => s.scrollWidth > s.clientWidth)
                        .map(s => (s.querySelector("h2") || s).textContent.slice(0, 40)),
                    peerLinks: document.querySelectorAll("#peers a").length,
                    peers: document.querySelector("#peers").textContent,
                    viewport: window.innerWidth
                  });
                }).catch(e => done({error: String(e)}));""");
    }

    /** Everything the test checks, read in one script so a refresh cannot change it halfway. */
    @SuppressWarnings("unchecked")
    private static Map<String, Object> page() {
        return (Map<String, Object>) js("""
                const q = s => document.querySelector(s);
                const count = (node, cls) => q('g[data-node="' + node + '"] text.' + cls).getAttribute('data-count');
                return {
                  error: document.body.getAttribute('data-error'),
                  state: q('#job-state').textContent,
                  nodes: [...document.querySelectorAll('#graph g[data-node]')].map(g => g.getAttribute('data-node')),
                  sourceOut: count('source', 'out'),
                  windowOut: count('window', 'out'),
                  deadIn: count('dead-letters', 'in'),
                  partitions: [...document.querySelectorAll('#partitions tbody tr')].map(tr => ({
                    partition: tr.getAttribute('data-partition'), watermark: tr.getAttribute('data-watermark'),
                    lag: tr.getAttribute('data-lag')})),
                  series: [...document.querySelectorAll('#chart polyline')].map(l => l.getAttribute('data-series')),
                  chartLast: q('#chart polyline[data-series="job"]').getAttribute('data-last'),
                  watermark: q('#watermark').getAttribute('data-ms'),
                  completed: q('#checkpoint-summary').getAttribute('data-completed'),
                  topCheckpoint: q('#checkpoints tbody tr').getAttribute('data-id'),
                  restored: q('#restored').textContent,
                  deadLetters: q('#dead-letters').textContent,
                  results: String(document.querySelectorAll('#results tbody tr').length),
                  configuration: q('#configuration').textContent,
                  peers: q('#peers').textContent
                };""");
    }
}
