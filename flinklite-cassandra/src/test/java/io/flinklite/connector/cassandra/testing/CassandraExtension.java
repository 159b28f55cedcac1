package io.flinklite.connector.cassandra.testing;

import org.junit.jupiter.api.extension.ExtensionContext;
import org.junit.jupiter.api.extension.ParameterContext;
import org.junit.jupiter.api.extension.ParameterResolver;

import java.io.IOException;
import java.io.UncheckedIOException;

/**
 * Hands tests one {@link EmbeddedCassandra} node, started on first use and shared by every test class of the module's
 * test run (it lives in JUnit's root store, which closes it when the run ends): a Cassandra start costs 6-15 s and
 * half a gigabyte, so a module starts one. Use with {@code @ExtendWith(CassandraExtension.class)} and a parameter of
 * type {@link EmbeddedCassandra} (in {@code @BeforeAll}, a constructor or a test). A test that stops the node must
 * restart it before it ends.
 */
public final class CassandraExtension implements ParameterResolver {

    @Override
    public boolean supportsParameter(ParameterContext parameter, ExtensionContext context) {
        return parameter.getParameter().getType() == EmbeddedCassandra.class;
    }

    @Override
    public Object resolveParameter(ParameterContext parameter, ExtensionContext context) {
        ExtensionContext.Store store = context.getRoot().getStore(ExtensionContext.Namespace.GLOBAL);
        return store.getOrComputeIfAbsent(Shared.class, k -> Shared.start(), Shared.class).node;
    }

    /** The shared node; JUnit closes it at the end of the run. */
    static final class Shared implements AutoCloseable {
        final EmbeddedCassandra node;

        private Shared(EmbeddedCassandra node) {
            this.node = node;
        }

        static Shared start() {
            try {
                return new Shared(EmbeddedCassandra.start());
            } catch (IOException e) {
                throw new UncheckedIOException(e);
            }
        }

        @Override
        public void close() throws IOException {
            node.close();
        }
    }
}
