package io.flinklite.app.metrics;

import io.flinklite.app.cli.FlinkLiteCommand;
import io.flinklite.runtime.metrics.JobMetrics;
import org.junit.jupiter.api.Test;
import picocli.CommandLine;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.stream.Collectors;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * Docker cannot run here, so docker-compose.yml, the Dockerfile and the Prometheus and Grafana provisioning are kept
 * correct by reading them: every mounted file exists, ports agree across the files, the dashboard is valid JSON on the
 * provisioned datasource and charts every metric family the exporter publishes. The dashboard's queries themselves are
 * evaluated against a real Prometheus by {@link DashboardQueriesIT}.
 */
class DeployFilesTest {

    private static final String DATASOURCE_UID = "flinklite-prometheus";

    private final Path root = DeployFiles.repoRoot();
    private final Map<String, Object> compose = DeployFiles.yaml(root.resolve("docker-compose.yml"));

    @Test
    void composeRunsKafkaFlinkLitePrometheusAndGrafana() {
        assertThat(services()).containsKeys("kafka", "kafka-init", "simulator", "flinklite", "prometheus", "grafana");
        Map<String, Object> kafka = service("kafka");
        assertThat((String) kafka.get("image")).startsWith("apache/kafka:");
        assertThat(map(kafka, "environment").get("KAFKA_PROCESS_ROLES")).as("KRaft combined mode")
                .isEqualTo("broker,controller");
        assertThat((String) service("prometheus").get("image")).startsWith("prom/prometheus:");
        assertThat((String) service("grafana").get("image")).startsWith("grafana/grafana:");
    }

    @Test
    void publishedPortsAreValidAndDistinct() {
        Set<Integer> hostPorts = new HashSet<>();
        for (Map.Entry<String, Object> entry : services().entrySet()) {
            for (int[] mapping : ports(entry.getKey())) {
                assertThat(mapping[0]).as(entry.getKey() + " host port").isBetween(1, 65_535);
                assertThat(mapping[1]).as(entry.getKey() + " container port").isBetween(1, 65_535);
                assertThat(hostPorts.add(mapping[0])).as("host port " + mapping[0] + " published twice").isTrue();
            }
        }
        assertThat(containerPorts("flinklite")).contains(MetricsConfig.DEFAULT_PORT);
        assertThat(containerPorts("prometheus")).contains(9090);
        assertThat(containerPorts("grafana")).contains(3000);
    }

    @Test
    void flinkLiteIsBuiltFromTheDockerfileAndServesMetricsOnItsPublishedPort() throws IOException {
        Map<String, Object> build = map(service("flinklite"), "build");
        Path context = root.resolve((String) build.get("context")).normalize();
        Path dockerfile = context.resolve((String) build.getOrDefault("dockerfile", "Dockerfile"));
        assertThat(dockerfile).isRegularFile();
        String docker = Files.readString(dockerfile);
        assertThat(docker).contains("EXPOSE " + MetricsConfig.DEFAULT_PORT)
                .contains("-pl flinklite-app -am package")
                .contains("flinklite-app/target/flinklite.jar");
        assertThat(Files.readString(root.resolve("flinklite-app/pom.xml")))
                .as("the jar the Dockerfile copies").contains("<finalName>flinklite</finalName>");

        List<String> command = list(service("flinklite"), "command");
        assertThat(command).first().isEqualTo("run");
        int portFlag = command.indexOf("--metrics-port");
        if (portFlag >= 0) {
            assertThat(Integer.parseInt(command.get(portFlag + 1))).isIn(containerPorts("flinklite"));
        }
    }

    @Test
    void everyFlinkLiteCommandInComposeIsAValidCommandLine() {
        List<String> commands = new ArrayList<>();
        for (String name : services().keySet()) {
            Map<String, Object> service = service(name);
            if ("flinklite:latest".equals(service.get("image"))) {
                List<String> command = list(service, "command");
                // Parsing runs picocli's checks and every option's converter, as the container's start would.
                new CommandLine(new FlinkLiteCommand()).parseArgs(command.toArray(new String[0]));
                commands.add(command.get(0));
            }
        }
        assertThat(commands).containsExactlyInAnyOrder("run", "simulate");
    }

    @Test
    void everyBindMountExistsAndEveryNamedVolumeIsDeclared() {
        Object declared = compose.get("volumes");
        Set<String> namedVolumes = declared instanceof Map<?, ?> m ? m.keySet().stream().map(String::valueOf)
                .collect(Collectors.toSet()) : Set.of();
        for (String name : services().keySet()) {
            for (String volume : volumes(name)) {
                String source = volume.split(":")[0];
                if (source.startsWith(".") || source.startsWith("/")) {
                    assertThat(root.resolve(source).normalize()).as(name + " mounts " + volume).exists();
                } else {
                    assertThat(namedVolumes).as(name + " mounts the named volume " + source).contains(source);
                }
            }
        }
    }

    @Test
    void prometheusScrapesFlinkLiteOnItsMetricsPort() {
        Path composeConfig = hostPathMountedAt("prometheus", "/etc/prometheus/prometheus.yml");
        assertThat(scrapeTargets(composeConfig)).containsExactly("flinklite:" + MetricsConfig.DEFAULT_PORT);
        assertThat(scrapeTargets(root.resolve("deploy/prometheus.yml")))
                .containsExactly("localhost:" + MetricsConfig.DEFAULT_PORT);
    }

    @Test
    void grafanaIsProvisionedWithThePrometheusDatasourceAndTheDashboard() {
        Path provisioning = hostPathMountedAt("grafana", "/etc/grafana/provisioning");
        Map<String, Object> datasource = firstOf(provisioning.resolve("datasources/prometheus.yml"), "datasources");
        assertThat(datasource).containsEntry("uid", DATASOURCE_UID).containsEntry("type", "prometheus")
                .containsEntry("url", "http://prometheus:9090");

        Map<String, Object> provider = firstOf(provisioning.resolve("dashboards/flinklite.yml"), "providers");
        String dashboardsInContainer = (String) map(provider, "options").get("path");
        Path dashboards = hostPathMountedAt("grafana", dashboardsInContainer);
        assertThat(dashboards.resolve("flinklite.json")).isEqualTo(root.resolve(DeployFiles.DASHBOARD).normalize());
        assertThat((String) map(service("grafana"), "environment").get("GF_DASHBOARDS_DEFAULT_HOME_DASHBOARD_PATH"))
                .isEqualTo(dashboardsInContainer + "/flinklite.json");
    }

    @Test
    void dashboardIsStrictJsonOnTheProvisionedDatasourceWithAQueryInEveryPanel() throws IOException {
        DeployFiles.requireStrictJson(root.resolve(DeployFiles.DASHBOARD));
        for (Map<String, Object> panel : DeployFiles.dashboardPanels(root)) {
            String title = (String) panel.get("title");
            assertThat(title).as("panel title").isNotBlank();
            if ("row".equals(panel.get("type"))) {
                assertThat(panel).as("row '" + title + "' only groups panels").doesNotContainKey("targets");
                continue;
            }
            assertThat(map(panel, "datasource")).as(title).containsEntry("uid", DATASOURCE_UID);
            List<Map<String, Object>> targets = list(panel, "targets");
            assertThat(targets).as("queries of panel '" + title + "'").isNotEmpty();
            for (Map<String, Object> target : targets) {
                assertThat((String) target.get("expr")).as("query of panel '" + title + "'").isNotBlank();
                assertThat(map(target, "datasource")).as(title).containsEntry("uid", DATASOURCE_UID);
            }
        }
    }

    @Test
    void dashboardHasTheFourOriginalQueriesAndChartsEveryFlinkLiteMetric() {
        Set<String> exprs = DeployFiles.dashboardQueries(root).stream()
                .map(DeployFiles.PanelQuery::expr).collect(Collectors.toSet());
        assertThat(exprs).contains("rate(flinklite_events_total[1m])", "flinklite_windows_flushed_total",
                "flinklite_watermark_timestamp", "flinklite_last_checkpoint_time");

        List<String> unused = new ArrayList<>();
        for (String family : exportedFlinkLiteFamilies()) {
            if (exprs.stream().noneMatch(expr -> expr.contains(family))) {
                unused.add(family);
            }
        }
        assertThat(unused).as("metrics no dashboard panel shows").isEmpty();
    }

    /**
     * The names in the exporter's {@code # TYPE} lines, as a running server writes them for a job that has seen
     * records on one partition (a family without samples, such as the watermark before the first record, has none).
     */
    private static List<String> exportedFlinkLiteFamilies() {
        JobMetrics metrics = new JobMetrics();
        metrics.setWatermarkMs(1_000);
        metrics.setPartitions(new JobMetrics.PartitionStats[] {new JobMetrics.PartitionStats("events", 0, 1_000, 0, false)});
        try (MetricsServer server = MetricsServer.start(new MetricsConfig("127.0.0.1", 0, Duration.ZERO), metrics)) {
            return Http.get("http://127.0.0.1:" + server.port() + "/metrics").body().lines()
                    .filter(line -> line.startsWith("# TYPE flinklite_"))
                    .map(line -> line.split(" ")[2])
                    .toList();
        }
    }

    private Path hostPathMountedAt(String serviceName, String containerPath) {
        for (String volume : volumes(serviceName)) {
            String[] parts = volume.split(":");
            if (parts[1].equals(containerPath)) {
                return root.resolve(parts[0]).normalize();
            }
        }
        throw new AssertionError(serviceName + " mounts nothing at " + containerPath + "; its volumes: "
                + volumes(serviceName));
    }

    private static List<String> scrapeTargets(Path prometheusConfig) {
        List<String> targets = new ArrayList<>();
        for (Map<String, Object> job : DeployFiles.<Map<String, Object>>listOf(DeployFiles.yaml(prometheusConfig),
                "scrape_configs")) {
            for (Map<String, Object> staticConfig : DeployFiles.<Map<String, Object>>listOf(job, "static_configs")) {
                targets.addAll(DeployFiles.listOf(staticConfig, "targets"));
            }
        }
        return targets;
    }

    private static Map<String, Object> firstOf(Path file, String key) {
        List<Map<String, Object>> entries = DeployFiles.listOf(DeployFiles.yaml(file), key);
        assertThat(entries).as(key + " in " + file).isNotEmpty();
        return entries.get(0);
    }

    private List<int[]> ports(String serviceName) {
        List<int[]> mappings = new ArrayList<>();
        for (Object port : DeployFiles.listOf(service(serviceName), "ports")) {
            String[] parts = String.valueOf(port).split(":");
            assertThat(parts).as(serviceName + " port " + port + " is host:container").hasSize(2);
            mappings.add(new int[] {Integer.parseInt(parts[0]), Integer.parseInt(parts[1])});
        }
        return mappings;
    }

    private List<Integer> containerPorts(String serviceName) {
        return ports(serviceName).stream().map(mapping -> mapping[1]).toList();
    }

    private List<String> volumes(String serviceName) {
        return DeployFiles.listOf(service(serviceName), "volumes");
    }

    private Map<String, Object> services() {
        return map(compose, "services");
    }

    private Map<String, Object> service(String name) {
        return map(services(), name);
    }

    @SuppressWarnings("unchecked")
    private static Map<String, Object> map(Map<String, Object> parent, String key) {
        Object value = parent.get(key);
        assertThat(value).as(key).isInstanceOf(Map.class);
        return (Map<String, Object>) value;
    }

    private static <T> List<T> list(Map<String, Object> parent, String key) {
        return DeployFiles.listOf(parent, key);
    }
}
