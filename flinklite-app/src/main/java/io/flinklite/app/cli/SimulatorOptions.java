package io.flinklite.app.cli;

import io.flinklite.connector.kafka.TrafficGenerator;
import picocli.CommandLine.Option;

import java.util.ArrayList;
import java.util.List;
import java.util.Map;

/** The options that shape simulated traffic, shared by {@code simulate} and {@code demo}. */
public final class SimulatorOptions {

    @Option(names = "--rate", paramLabel = "EVENTS_PER_SECOND", defaultValue = "1000",
            description = "Target events per second; 0 for as fast as possible (default: ${DEFAULT-VALUE}).")
    double rate;

    @Option(names = "--disorder", paramLabel = "PROFILE", defaultValue = "seed",
            description = "How far timestamps lag the clock: seed (now - max-delay/5 x random(0..5), the seed "
                    + "traffic), uniform (now - random(0..max-delay)), none (default: ${DEFAULT-VALUE}).")
    String disorder;

    @Option(names = "--max-delay", paramLabel = "DURATION", converter = DurationConverter.class,
            description = "The largest lag of a timestamp behind the clock (default: 50s, so the seed profile "
                    + "lags 0, 10, 20, 30, 40 or 50 s).", defaultValue = "50s")
    long maxDelayMs;

    @Option(names = "--type-mix", paramLabel = "TYPE=WEIGHT", split = ",",
            description = "The messages to send and their relative weights (default: "
                    + "important=1,normal=1,critical=1).")
    Map<String, Double> typeMix;

    @Option(names = "--invalid-fraction", paramLabel = "FRACTION", defaultValue = "0",
            description = "Share of records, 0..1, that are invalid (default: 0; demo: 0.005).")
    double invalidFraction;

    @Option(names = "--invalid-kinds", paramLabel = "KIND[,KIND...]", defaultValue = "all",
            description = "The invalid records to mix in, used in turn: all, or any of not_json, missing_timestamp, "
                    + "bad_timestamp, missing_key, absurd_timestamp, oversized (default: ${DEFAULT-VALUE}).")
    String invalidKinds;

    @Option(names = "--keyed", negatable = true,
            description = "Key each record by its message, so one type stays on one partition (default: unkeyed, "
                    + "records spread over the partitions).")
    boolean keyed;

    @Option(names = "--seed", paramLabel = "N",
            description = "Seed of the random choices; the same seed gives the same ids, types, delays and invalid "
                    + "records (default: random).")
    Long seed;

    @Option(names = "--partitions", paramLabel = "N", defaultValue = "3",
            description = "Partitions of the input topic when it is created (default: ${DEFAULT-VALUE}).")
    int partitions;

    /** The generator these options describe. */
    TrafficGenerator generator() {
        List<String> types = new ArrayList<>();
        double[] weights;
        if (typeMix == null || typeMix.isEmpty()) {
            types.addAll(List.of("important", "normal", "critical"));
            weights = new double[] {1, 1, 1};
        } else {
            weights = new double[typeMix.size()];
            int i = 0;
            for (Map.Entry<String, Double> e : typeMix.entrySet()) {
                types.add(e.getKey());
                weights[i++] = e.getValue();
            }
        }
        if (partitions <= 0) {
            throw new IllegalArgumentException("--partitions must be positive, got " + partitions);
        }
        return new TrafficGenerator(seed != null ? seed : System.nanoTime(), TrafficGenerator.Disorder.parse(disorder),
                maxDelayMs, types, weights, invalidFraction, TrafficGenerator.InvalidKind.parseList(invalidKinds));
    }
}
