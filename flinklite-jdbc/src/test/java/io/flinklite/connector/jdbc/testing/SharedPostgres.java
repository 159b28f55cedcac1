package io.flinklite.connector.jdbc.testing;

import org.junit.jupiter.api.extension.BeforeAllCallback;
import org.junit.jupiter.api.extension.ExtensionContext;

import java.io.IOException;
import java.io.UncheckedIOException;

/**
 * One {@link EmbeddedPostgres} server for every integration test class of a module that uses it
 * ({@code @ExtendWith(SharedPostgres.class)}, then {@link #get()}): started by the first such class, stopped (and its
 * directory deleted) when the module's test run ends. It ships in this module's test jar, so flinklite-app and
 * flinklite-examples use the same fixture. The classes share it, so each names its tables after itself. A test may
 * stop, crash and restart the server (same port, same data) but must leave it running when it ends.
 */
public final class SharedPostgres implements BeforeAllCallback {

    private static volatile EmbeddedPostgres server;

    @Override
    public void beforeAll(ExtensionContext context) {
        // The root store closes what it holds (AutoCloseable) when the whole run ends.
        server = context.getRoot().getStore(ExtensionContext.Namespace.GLOBAL)
                .getOrComputeIfAbsent(SharedPostgres.class, k -> start(), EmbeddedPostgres.class);
    }

    private static EmbeddedPostgres start() {
        try {
            return EmbeddedPostgres.start();
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    /** The shared server; only from a class extended with this, after its {@code beforeAll}. */
    public static EmbeddedPostgres get() {
        EmbeddedPostgres s = server;
        if (s == null) {
            throw new IllegalStateException("no shared PostgreSQL server: extend the test class with SharedPostgres");
        }
        if (!s.isRunning()) {
            throw new IllegalStateException("the shared PostgreSQL server was left stopped by an earlier test class");
        }
        return s;
    }
}
