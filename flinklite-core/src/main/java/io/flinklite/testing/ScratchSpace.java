package io.flinklite.testing;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.InetAddress;
import java.net.ServerSocket;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Comparator;
import java.util.stream.Stream;

/**
 * What the throwaway servers of tests and benchmarks (the embedded Kafka broker, PostgreSQL, Cassandra) need from the
 * machine: free loopback ports and a temporary directory removed afterwards.
 */
public final class ScratchSpace {
    private ScratchSpace() {
    }

    /**
     * {@code n} distinct ports that were free on the loopback address a moment ago (all held open together while
     * chosen, so they differ). A server started on them right away gets them unless another process races it.
     */
    public static int[] freeLoopbackPorts(int n) throws IOException {
        ServerSocket[] sockets = new ServerSocket[n];
        int[] ports = new int[n];
        try {
            for (int i = 0; i < n; i++) {
                sockets[i] = new ServerSocket(0, 1, InetAddress.getLoopbackAddress());
                ports[i] = sockets[i].getLocalPort();
            }
        } finally {
            for (ServerSocket s : sockets) {
                if (s != null) {
                    s.close();
                }
            }
        }
        return ports;
    }

    /** Deletes {@code dir} and everything below it, best effort: a leftover temporary directory is untidy, not wrong. */
    public static void deleteQuietly(Path dir) {
        if (dir == null || !Files.exists(dir)) {
            return;
        }
        try (Stream<Path> paths = Files.walk(dir)) {
            paths.sorted(Comparator.reverseOrder()).forEach(p -> {
                try {
                    Files.deleteIfExists(p);
                } catch (IOException e) {
                    throw new UncheckedIOException(e);
                }
            });
        } catch (IOException | UncheckedIOException ignored) {
            // Best effort, see above; the OS cleans its temporary directory.
        }
    }
}
