package io.flinklite.app.metrics;

import org.yaml.snakeyaml.Yaml;

import java.io.File;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.ServerSocket;
import java.net.URLEncoder;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Comparator;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import java.util.stream.Stream;

import static org.awaitility.Awaitility.await;

/**
 * A real Prometheus server (Debian's {@code prometheus} package, which {@code bin/test} installs) for integration
 * tests: started on a free loopback port with a temporary configuration that scrapes one target every second,
 * queried through its HTTP API, stopped and deleted on {@link #close()}.
 */
final class PrometheusProcess implements AutoCloseable {

    private final Process process;
    private final Path dir;
    private final Path log;
    private final int port;

    private PrometheusProcess(Process process, Path dir, Path log, int port) {
        this.process = process;
        this.dir = dir;
        this.log = log;
        this.port = port;
    }

    /**
     * Starts Prometheus scraping {@code http://<target>/metrics} every second and waits until it is ready.
     *
     * @param target {@code host:port} of the metrics server
     */
    static PrometheusProcess start(String target) throws IOException {
        Path dir = Files.createTempDirectory("flinklite-prometheus");
        Path config = dir.resolve("prometheus.yml");
        Files.writeString(config, ""
                + "global:\n"
                + "  scrape_interval: 1s\n"
                + "  evaluation_interval: 1s\n"
                + "scrape_configs:\n"
                + "  - job_name: flinklite\n"
                + "    static_configs:\n"
                + "      - targets: ['" + target + "']\n");
        Path log = dir.resolve("prometheus.log");
        int port = freePort();
        Process process = new ProcessBuilder(binary(),
                "--config.file=" + config,
                "--storage.tsdb.path=" + dir.resolve("data"),
                "--web.listen-address=127.0.0.1:" + port)
                .redirectErrorStream(true)
                .redirectOutput(log.toFile())
                .start();
        PrometheusProcess prometheus = new PrometheusProcess(process, dir, log, port);
        try {
            await("Prometheus ready on port " + port).atMost(Duration.ofSeconds(60)).pollInterval(Duration.ofMillis(200))
                    .until(prometheus::ready);
        } catch (RuntimeException e) {
            String output = prometheus.log();
            prometheus.close();
            throw new IllegalStateException("Prometheus did not become ready; its output:\n" + output, e);
        }
        return prometheus;
    }

    /**
     * Evaluates {@code promql} at the current time through {@code /api/v1/query}.
     *
     * @return the result series (each a map with {@code metric} and {@code value}); empty when the query returns
     *         no data
     * @throws IllegalStateException when Prometheus rejects the query, with its error message
     */
    @SuppressWarnings("unchecked")
    List<Map<String, Object>> query(String promql) {
        Http.Response response = Http.get("http://127.0.0.1:" + port + "/api/v1/query?query="
                + URLEncoder.encode(promql, StandardCharsets.UTF_8));
        // Prometheus answers JSON, and JSON is YAML.
        Map<String, Object> body = new Yaml().load(response.body());
        if (response.status() != 200 || !"success".equals(body.get("status"))) {
            throw new IllegalStateException("Prometheus rejected '" + promql + "': " + response.body());
        }
        Map<String, Object> data = (Map<String, Object>) body.get("data");
        Object result = data.get("result");
        if ("scalar".equals(data.get("resultType")) || "string".equals(data.get("resultType"))) {
            return List.of(Map.of("value", result));
        }
        return (List<Map<String, Object>>) result;
    }

    /** The value of a single-series instant query, or NaN when it returns nothing. */
    @SuppressWarnings("unchecked")
    double value(String promql) {
        List<Map<String, Object>> result = query(promql);
        if (result.isEmpty()) {
            return Double.NaN;
        }
        List<Object> sample = (List<Object>) result.get(0).get("value");
        return Double.parseDouble(String.valueOf(sample.get(1)));
    }

    int port() {
        return port;
    }

    /** What Prometheus printed so far, for failure messages. */
    String log() {
        try {
            return Files.readString(log);
        } catch (IOException e) {
            return "(no log: " + e.getMessage() + ")";
        }
    }

    private boolean ready() {
        if (!process.isAlive()) {
            throw new IllegalStateException("Prometheus exited with status " + process.exitValue());
        }
        try {
            return Http.get("http://127.0.0.1:" + port + "/-/ready").status() == 200;
        } catch (UncheckedIOException notListeningYet) {
            return false;
        }
    }

    @Override
    public void close() {
        process.destroy();
        try {
            if (!process.waitFor(10, TimeUnit.SECONDS)) {
                process.destroyForcibly().waitFor(10, TimeUnit.SECONDS);
            }
        } catch (InterruptedException e) {
            process.destroyForcibly();
            Thread.currentThread().interrupt();
        }
        try (Stream<Path> files = Files.walk(dir)) {
            files.sorted(Comparator.reverseOrder()).map(Path::toFile).forEach(File::delete);
        } catch (IOException e) {
            throw new UncheckedIOException("cannot delete " + dir, e);
        }
    }

    /** {@code $PROMETHEUS_BIN}, else {@code prometheus} on the PATH. */
    private static String binary() {
        String configured = System.getenv("PROMETHEUS_BIN");
        if (configured != null && !configured.isBlank()) {
            return configured;
        }
        for (String entry : System.getenv().getOrDefault("PATH", "/usr/bin").split(File.pathSeparator)) {
            Path candidate = Path.of(entry, "prometheus");
            if (Files.isExecutable(candidate)) {
                return candidate.toString();
            }
        }
        throw new IllegalStateException("prometheus is not installed: bin/test installs Debian's prometheus package "
                + "(apt-get install prometheus), or set PROMETHEUS_BIN to its binary");
    }

    private static int freePort() throws IOException {
        try (ServerSocket socket = new ServerSocket(0, 1, java.net.InetAddress.getLoopbackAddress())) {
            return socket.getLocalPort();
        }
    }
}
