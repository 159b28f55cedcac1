package io.flinklite.app.userjar;

import io.flinklite.api.Sink;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Map;
import java.util.function.Supplier;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

class UserJarTest {

    @TempDir
    Path dir;

    @Test
    void createsANamedClassFromTheJarInItsOwnLoader() throws Exception {
        Path jar = TestJars.compile(dir, "hello.jar", Map.of("com.example.Hello",
                "package com.example; public class Hello implements java.util.function.Supplier<String> {"
                        + " public String get() { return \"hello from \" + getClass().getClassLoader().getClass().getSimpleName(); } }"));
        try (UserJar userJar = UserJar.open(jar)) {
            @SuppressWarnings("unchecked")
            Supplier<String> hello = userJar.instantiate("com.example.Hello", Supplier.class, "job");
            assertThat(hello.get()).isEqualTo("hello from ChildFirstClassLoader");
            assertThat(hello.getClass().getClassLoader()).isSameAs(userJar.classLoader());
        }
    }

    @Test
    void aLibraryBundledInTheJarWinsOverFlinkLitesCopy() throws Exception {
        // picocli is inside FlinkLite; a user jar with its own (here: fake) picocli gets its own.
        Path jar = TestJars.compile(dir, "lib.jar", Map.of("picocli.CommandLine",
                "package picocli; public class CommandLine { public static String owner() { return \"user\"; } }"));
        try (UserJar userJar = UserJar.open(jar)) {
            Class<?> c = Class.forName("picocli.CommandLine", true, userJar.classLoader());
            assertThat(c.getClassLoader()).isSameAs(userJar.classLoader());
            assertThat(c.getMethod("owner").invoke(null)).isEqualTo("user");
            // A class the jar does not have still comes from FlinkLite.
            assertThat(Class.forName("picocli.CommandLine$Command", false, userJar.classLoader()).getClassLoader())
                    .isNotSameAs(userJar.classLoader());
        }
    }

    @Test
    void flinkLitesApiAlwaysComesFromFlinkLiteEvenWhenTheJarBundlesACopy() throws Exception {
        Path jar = TestJars.compile(dir, "bundled.jar", Map.of(
                "io.flinklite.api.Sink", "package io.flinklite.api; public interface Sink<T> { void write(T t) throws Exception; }",
                "com.example.ListSink", "package com.example; public class ListSink implements io.flinklite.api.Sink<String> {"
                        + " public void write(String s) { } }"));
        try (UserJar userJar = UserJar.open(jar)) {
            Sink<?> sink = userJar.instantiate("com.example.ListSink", Sink.class, "sink");
            assertThat(sink).isInstanceOf(Sink.class);
            assertThat(Class.forName("io.flinklite.api.Sink", false, userJar.classLoader())).isSameAs(Sink.class);
        }
    }

    @Test
    void mistakesAreNamed() throws Exception {
        Path jar = TestJars.compile(dir, "bad.jar", Map.of(
                "com.example.NotASupplier", "package com.example; public class NotASupplier { }",
                "com.example.NeedsArgs", "package com.example; public class NeedsArgs implements java.util.function.Supplier<String> {"
                        + " public NeedsArgs(int x) { } public String get() { return null; } }",
                "com.example.Abstract", "package com.example; public abstract class Abstract implements java.util.function.Supplier<String> { }",
                "com.example.Throws", "package com.example; public class Throws implements java.util.function.Supplier<String> {"
                        + " public Throws() { throw new IllegalStateException(\"no config\"); } public String get() { return null; } }"));
        try (UserJar userJar = UserJar.open(jar)) {
            assertThatThrownBy(() -> userJar.instantiate("com.example.Missing", Supplier.class, "job"))
                    .isInstanceOf(IllegalArgumentException.class)
                    .hasMessage("job class com.example.Missing is not in bad.jar (check the package and the spelling)");
            assertThatThrownBy(() -> userJar.instantiate("com.example.NotASupplier", Supplier.class, "job"))
                    .hasMessage("job class com.example.NotASupplier in bad.jar does not implement java.util.function.Supplier");
            assertThatThrownBy(() -> userJar.instantiate("com.example.NeedsArgs", Supplier.class, "job"))
                    .hasMessageContaining("needs a public no-argument constructor");
            assertThatThrownBy(() -> userJar.instantiate("com.example.Abstract", Supplier.class, "job"))
                    .hasMessageContaining("is abstract");
            assertThatThrownBy(() -> userJar.instantiate("com.example.Throws", Supplier.class, "job"))
                    .hasMessageContaining("threw java.lang.IllegalStateException: no config");
        }
    }

    @Test
    void aMissingOrBrokenJarIsNamed() throws Exception {
        assertThatThrownBy(() -> UserJar.open(dir.resolve("nope.jar")))
                .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("nope.jar does not exist");
        Path notAJar = Files.writeString(dir.resolve("text.jar"), "hello");
        assertThatThrownBy(() -> UserJar.open(notAJar))
                .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("is not a readable jar");
    }
}
