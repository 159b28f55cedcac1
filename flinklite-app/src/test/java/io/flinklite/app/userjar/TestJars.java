package io.flinklite.app.userjar;

import javax.tools.JavaCompiler;
import javax.tools.ToolProvider;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.OutputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.jar.JarEntry;
import java.util.jar.JarOutputStream;
import java.util.stream.Stream;

/** Compiles Java sources with the JDK's compiler and packs the classes into a jar: a user's job jar, for tests. */
public final class TestJars {
    private TestJars() {
    }

    /**
     * @param sources class name (e.g. {@code com.example.Hello}) to its source text
     * @return the jar, in {@code dir}
     */
    public static Path compile(Path dir, String jarName, Map<String, String> sources) throws IOException {
        Path src = Files.createDirectories(dir.resolve("src-" + jarName));
        Path classes = Files.createDirectories(dir.resolve("classes-" + jarName));
        List<String> args = new ArrayList<>(List.of("-d", classes.toString(), "-classpath",
                System.getProperty("java.class.path"), "-proc:none"));
        for (Map.Entry<String, String> e : sources.entrySet()) {
            Path file = src.resolve(e.getKey().replace('.', '/') + ".java");
            Files.createDirectories(file.getParent());
            Files.writeString(file, e.getValue(), StandardCharsets.UTF_8);
            args.add(file.toString());
        }
        JavaCompiler javac = ToolProvider.getSystemJavaCompiler();
        ByteArrayOutputStream errors = new ByteArrayOutputStream();
        int rc = javac.run(null, null, errors, args.toArray(new String[0]));
        if (rc != 0) {
            throw new IllegalStateException("test sources do not compile:\n" + errors.toString(StandardCharsets.UTF_8));
        }
        Path jar = dir.resolve(jarName);
        try (OutputStream out = Files.newOutputStream(jar); JarOutputStream jarOut = new JarOutputStream(out);
             Stream<Path> files = Files.walk(classes)) {
            for (Path f : (Iterable<Path>) files.filter(Files::isRegularFile)::iterator) {
                jarOut.putNextEntry(new JarEntry(classes.relativize(f).toString().replace('\\', '/')));
                jarOut.write(Files.readAllBytes(f));
                jarOut.closeEntry();
            }
        }
        return jar;
    }
}
