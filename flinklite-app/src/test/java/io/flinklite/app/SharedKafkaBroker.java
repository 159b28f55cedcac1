package io.flinklite.app;

import io.flinklite.connector.kafka.embedded.EmbeddedKafkaBroker;
import org.junit.jupiter.api.extension.BeforeAllCallback;
import org.junit.jupiter.api.extension.ExtensionContext;

/**
 * One embedded Kafka broker for every integration test class of this module that uses it
 * ({@code @ExtendWith(SharedKafkaBroker.class)}, then {@link #get()}): started by the first such class, stopped
 * when the test run ends. The classes share it, so each names its topics and groups after itself. A test that
 * stops or restarts a broker needs one of its own.
 */
final class SharedKafkaBroker implements BeforeAllCallback {

    private static volatile EmbeddedKafkaBroker broker;

    @Override
    public void beforeAll(ExtensionContext context) {
        // The root store closes what it holds (AutoCloseable) when the whole run ends.
        broker = context.getRoot().getStore(ExtensionContext.Namespace.GLOBAL)
                .getOrComputeIfAbsent(SharedKafkaBroker.class, k -> EmbeddedKafkaBroker.start(), EmbeddedKafkaBroker.class);
    }

    /** The shared broker; only from a class extended with this, after its {@code beforeAll}. */
    static EmbeddedKafkaBroker get() {
        EmbeddedKafkaBroker b = broker;
        if (b == null) {
            throw new IllegalStateException("no shared broker: extend the test class with SharedKafkaBroker");
        }
        return b;
    }
}
