package io.flinklite.app.metrics;

import com.fasterxml.jackson.core.JsonFactory;
import com.fasterxml.jackson.core.JsonParser;
import org.yaml.snakeyaml.Yaml;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;

/**
 * Finds and reads the files under {@code deploy/} and the repository root that the deployment tests check: the
 * Compose file, Prometheus and Grafana configuration, and the dashboard's PromQL queries.
 */
final class DeployFiles {

    /** One PromQL expression of the dashboard and the panel that shows it. */
    record PanelQuery(String panelTitle, String expr) {
        @Override
        public String toString() {
            return "panel '" + panelTitle + "': " + expr;
        }
    }

    static final String DASHBOARD = "deploy/grafana/dashboards/flinklite.json";

    private DeployFiles() {
    }

    /** The repository root: the nearest directory at or above the working directory holding docker-compose.yml. */
    static Path repoRoot() {
        Path dir = Path.of("").toAbsolutePath();
        while (dir != null && !Files.isRegularFile(dir.resolve("docker-compose.yml"))) {
            dir = dir.getParent();
        }
        if (dir == null) {
            throw new IllegalStateException("no docker-compose.yml at or above " + Path.of("").toAbsolutePath());
        }
        return dir;
    }

    /** Parses a YAML file (or a JSON one: JSON is YAML) into maps, lists and scalars. */
    @SuppressWarnings("unchecked")
    static Map<String, Object> yaml(Path file) {
        try {
            Object parsed = new Yaml().load(Files.readString(file));
            if (!(parsed instanceof Map)) {
                throw new IllegalStateException(file + " is not a mapping at its top level");
            }
            return (Map<String, Object>) parsed;
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    /** Reads {@code file} with a strict JSON parser (no comments, no trailing commas) to its end. */
    static void requireStrictJson(Path file) throws IOException {
        try (JsonParser parser = new JsonFactory().createParser(file.toFile())) {
            while (parser.nextToken() != null) {
                // reading every token is the check: the parser throws at the first one that is not JSON
            }
        }
    }

    /** The list under {@code key}; empty when the key is absent. */
    @SuppressWarnings("unchecked")
    static <T> List<T> listOf(Map<String, Object> parent, String key) {
        Object value = parent.get(key);
        if (value == null) {
            return List.of();
        }
        if (!(value instanceof List)) {
            throw new IllegalStateException("'" + key + "' is not a list: " + value);
        }
        return (List<T>) value;
    }

    /** The dashboard's panels, rows included, each a map as in the JSON. */
    static List<Map<String, Object>> dashboardPanels(Path repoRoot) {
        return listOf(yaml(repoRoot.resolve(DASHBOARD)), "panels");
    }

    /** Every PromQL expression of every panel of the dashboard, in panel order. */
    static List<PanelQuery> dashboardQueries(Path repoRoot) {
        List<PanelQuery> queries = new ArrayList<>();
        for (Map<String, Object> panel : dashboardPanels(repoRoot)) {
            for (Map<String, Object> target : DeployFiles.<Map<String, Object>>listOf(panel, "targets")) {
                queries.add(new PanelQuery(String.valueOf(panel.get("title")), String.valueOf(target.get("expr"))));
            }
        }
        return queries;
    }
}
