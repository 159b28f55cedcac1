package io.flinklite.app;

import java.net.InetAddress;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.HexFormat;
import java.util.Locale;

/**
 * The default Kafka static member id ({@code group.instance.id}) of a job: {@code flinklite-<host>-<hash>}, where the
 * hash is of the absolute checkpoint directory.
 *
 * <p>Why these two: a static id must survive a restart (else the dead instance's session lingers for
 * {@code session.timeout.ms}, 45 s by default, holding its partitions) and must differ between live processes (a
 * second process with the same id fences the first). The checkpoint directory is what makes a process the same
 * instance after a restart: it resumes that directory's state. Two processes on one host with different directories
 * therefore get different ids; two sharing a directory would overwrite each other's checkpoints anyway, and the
 * fenced one stops with a message saying so. The host name keeps equal paths on different machines (containers
 * mounting {@code /data/checkpoints}) apart.
 */
public final class StaticMembership {
    private StaticMembership() {
    }

    /** The default id for a job checkpointing into {@code checkpointDir}. */
    public static String defaultInstanceId(Path checkpointDir) {
        String dir = checkpointDir.toAbsolutePath().normalize().toString();
        byte[] digest;
        try {
            digest = MessageDigest.getInstance("SHA-256").digest(dir.getBytes(StandardCharsets.UTF_8));
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException("SHA-256 is missing from this JVM", e);
        }
        return "flinklite-" + hostName() + "-" + HexFormat.of().formatHex(digest, 0, 4);
    }

    private static String hostName() {
        String host = System.getenv("HOSTNAME");
        if (host == null || host.isBlank()) {
            try {
                host = InetAddress.getLocalHost().getHostName();
            } catch (java.io.IOException e) {
                host = "localhost";
            }
        }
        return host.trim().toLowerCase(Locale.ROOT).replaceAll("[^a-z0-9._-]", "_");
    }
}
