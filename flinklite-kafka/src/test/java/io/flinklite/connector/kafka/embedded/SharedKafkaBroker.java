package io.flinklite.connector.kafka.embedded;

import org.junit.jupiter.api.extension.BeforeAllCallback;
import org.junit.jupiter.api.extension.ExtensionContext;

/**
 * One embedded Kafka broker for every integration test class of a module that uses it
 * ({@code @ExtendWith(SharedKafkaBroker.class)}, then {@link #get()}): started by the first such class, stopped when
 * the module's test run ends (a broker costs 3-5 s and ~400 MB; failsafe runs a module's classes in one JVM). It
 * ships in this module's test jar, so flinklite-app and flinklite-examples use the same fixture. The classes share
 * it, so each names its topics, groups and transactional ids after itself. A test that stops or restarts a broker,
 * or needs other broker settings, starts one of its own.
 */
public final class SharedKafkaBroker implements BeforeAllCallback {

    private static volatile EmbeddedKafkaBroker broker;

    @Override
    public void beforeAll(ExtensionContext context) {
        // The root store closes what it holds (AutoCloseable) when the whole run ends.
        broker = context.getRoot().getStore(ExtensionContext.Namespace.GLOBAL)
                .getOrComputeIfAbsent(SharedKafkaBroker.class, k -> EmbeddedKafkaBroker.start(), EmbeddedKafkaBroker.class);
    }

    /** The shared broker; only from a class extended with this, after its {@code beforeAll}. */
    public static EmbeddedKafkaBroker get() {
        EmbeddedKafkaBroker b = broker;
        if (b == null) {
            throw new IllegalStateException("no shared broker: extend the test class with SharedKafkaBroker");
        }
        return b;
    }
}
