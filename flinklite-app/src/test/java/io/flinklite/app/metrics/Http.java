package io.flinklite.app.metrics;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.time.Duration;
import java.util.LinkedHashMap;
import java.util.Map;

/** Tiny HTTP GET helper for the metrics tests, and a reader of the Prometheus text format's sample lines. */
public final class Http {

    private static final HttpClient CLIENT = HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(5)).build();

    private Http() {
    }

    /** A GET's status code and body. */
    public record Response(int status, String body) {
    }

    public static Response get(String url) {
        HttpRequest request = HttpRequest.newBuilder(URI.create(url)).timeout(Duration.ofSeconds(10)).GET().build();
        try {
            HttpResponse<String> response = CLIENT.send(request, HttpResponse.BodyHandlers.ofString());
            return new Response(response.statusCode(), response.body());
        } catch (IOException e) {
            throw new UncheckedIOException("GET " + url + " failed", e);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IllegalStateException("interrupted during GET " + url, e);
        }
    }

    /**
     * Scrapes {@code /metrics} in the Prometheus text format and returns each sample, keyed by its name and labels
     * exactly as written (e.g. {@code flinklite_events_outcome_total{outcome="late"}}).
     */
    public static Map<String, Double> scrape(int port) {
        Response response = get("http://127.0.0.1:" + port + "/metrics");
        if (response.status() != 200) {
            throw new IllegalStateException("/metrics answered " + response.status() + ": " + response.body());
        }
        Map<String, Double> samples = new LinkedHashMap<>();
        for (String line : response.body().split("\n")) {
            if (line.isBlank() || line.startsWith("#")) {
                continue;
            }
            int split = line.lastIndexOf(' ');
            samples.put(line.substring(0, split), Double.parseDouble(line.substring(split + 1)));
        }
        return samples;
    }
}
