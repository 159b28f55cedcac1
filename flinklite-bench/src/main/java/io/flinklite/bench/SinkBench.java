package io.flinklite.bench;

import io.flinklite.api.Sink;
import io.flinklite.api.WindowResult;
import io.flinklite.connector.cassandra.CassandraSink;
import io.flinklite.connector.cassandra.CassandraSinkConfig;
import io.flinklite.connector.cassandra.testing.EmbeddedCassandra;
import io.flinklite.connector.jdbc.JdbcSink;
import io.flinklite.connector.jdbc.JdbcSinkConfig;
import io.flinklite.connector.jdbc.testing.EmbeddedPostgres;

import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;

/**
 * Issue 14: window results per second into the plug-in sinks, each against a real local server started here — a
 * Cassandra 5.0 node ({@link EmbeddedCassandra}, a child JVM) and a PostgreSQL 15 cluster ({@link EmbeddedPostgres}).
 *
 * <p>A round writes N distinct results (key, window) through the sink and flushes it: the clock stops when the server
 * has acknowledged the last one (for Cassandra every write at consistency LOCAL_QUORUM, for PostgreSQL every batch
 * committed). Cassandra runs with several in-flight bounds ({@code --cassandra-max-in-flight}), PostgreSQL with its
 * default batch of 500 per transaction. Every round writes the same N results, so after one untimed warm-up round per
 * row each write overwrites its row, as a replay after a crash does (for Cassandra an insert and an overwrite cost the
 * same; for PostgreSQL the upsert becomes an update). Everything shares this machine's two cores: the figures are for comparing the sinks here,
 * not for sizing a cluster.
 *
 * <p>Run with {@code bin/bench sinks [--results N] [--rounds N] [--in-flight 32,128,512]} (defaults 100,000, 3 and
 * 32,128,512). Prints each round and a table of medians. Not a test: numbers vary with load.
 */
public final class SinkBench {

    private SinkBench() {
    }

    public static void main(String[] args) throws Exception {
        int results = 100_000;
        int rounds = 3;
        List<Integer> inFlight = List.of(32, 128, 512);
        for (int i = 0; i < args.length; i++) {
            switch (args[i]) {
                case "--results": results = Integer.parseInt(args[++i]); break;
                case "--rounds": rounds = Integer.parseInt(args[++i]); break;
                case "--in-flight":
                    List<Integer> bounds = new ArrayList<>();
                    for (String b : args[++i].split(",")) {
                        bounds.add(Integer.parseInt(b.trim()));
                    }
                    inFlight = bounds;
                    break;
                default:
                    System.err.println("bench sinks: unknown argument " + args[i]
                            + " (expected --results N, --rounds N, --in-flight N[,N...])");
                    System.exit(2);
            }
        }
        WindowResult[] input = results(results);
        Map<String, Double> medians = new java.util.LinkedHashMap<>();
        System.out.printf("bench sinks: %,d results per round, %d rounds; starting Cassandra and PostgreSQL...%n",
                results, rounds);
        try (EmbeddedCassandra cassandra = EmbeddedCassandra.start(); EmbeddedPostgres pg = EmbeddedPostgres.start()) {
            for (int bound : inFlight) {
                Map<String, String> s = new HashMap<>();
                s.put(CassandraSinkConfig.CONTACT_POINTS, cassandra.contactPoint());
                s.put(CassandraSinkConfig.KEYSPACE, "bench");
                s.put(CassandraSinkConfig.CREATE_TABLE, "true");
                s.put(CassandraSinkConfig.USER, EmbeddedCassandra.USER);
                s.put(CassandraSinkConfig.PASSWORD, EmbeddedCassandra.PASSWORD);
                s.put(CassandraSinkConfig.MAX_IN_FLIGHT, Integer.toString(bound));
                CassandraSinkConfig config = CassandraSinkConfig.from(s);
                String row = "Cassandra, " + bound + " in flight";
                medians.put(row, rows(row, rounds, input, () -> CassandraSink.open(config)));
            }
            JdbcSinkConfig jdbc = JdbcSinkConfig.builder(pg.jdbcUrl()).user(pg.user()).password(pg.password())
                    .table("bench_results").build();
            String row = "PostgreSQL, batches of " + jdbc.batchSize();
            medians.put(row, rows(row, rounds, input, () -> JdbcSink.open(jdbc)));
        }
        System.out.println();
        System.out.printf("%-32s %16s%n", "sink", "results/s (median)");
        medians.forEach((row, perSecond) -> System.out.printf("%-32s %,16.0f%n", row, perSecond));
    }

    /** Opens a sink for one round. */
    private interface Opener {
        Sink<WindowResult> open() throws Exception;
    }

    private static double rows(String row, int rounds, WindowResult[] input, Opener opener) throws Exception {
        round(opener, input); // warm-up: JIT, prepared statements, table creation
        double[] perSecond = new double[rounds];
        for (int r = 0; r < rounds; r++) {
            perSecond[r] = round(opener, input);
            System.out.printf("  %-32s round %d: %,10.0f results/s%n", row, r + 1, perSecond[r]);
        }
        java.util.Arrays.sort(perSecond);
        return perSecond[rounds / 2];
    }

    /** Writes every result and flushes; results per second from the first write to the flush's return. */
    private static double round(Opener opener, WindowResult[] input) throws Exception {
        try (Sink<WindowResult> sink = opener.open()) {
            long start = System.nanoTime();
            for (WindowResult r : input) {
                sink.write(r);
            }
            sink.flush();
            return input.length / ((System.nanoTime() - start) / 1e9);
        }
    }

    /** Distinct results: 20 keys, consecutive 10 s windows sliding by 5 s. */
    private static WindowResult[] results(int n) {
        WindowResult[] out = new WindowResult[n];
        for (int i = 0; i < n; i++) {
            long start = 1_700_000_000_000L + (i / 20) * 5_000L;
            out[i] = WindowResult.ofCount("key-" + (i % 20), start, start + 10_000, i);
        }
        return out;
    }
}
