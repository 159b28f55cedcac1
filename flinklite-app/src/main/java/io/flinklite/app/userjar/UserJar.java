package io.flinklite.app.userjar;

import java.io.IOException;
import java.lang.reflect.Constructor;
import java.lang.reflect.InvocationTargetException;
import java.lang.reflect.Modifier;
import java.net.MalformedURLException;
import java.net.URL;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.jar.JarFile;

/**
 * A user's jar, loaded in a class loader of its own ({@code run --jar my-job.jar}), and the classes it names
 * ({@code --job com.example.MyJob}, {@code --aggregate-class com.example.MyAgg}).
 *
 * <p>The loader is child-first (see {@link ChildFirstClassLoader}): a library the user bundles in the jar wins over
 * the copy inside FlinkLite, so the two never clash, while FlinkLite's own API ({@code io.flinklite.*}) and the JDK
 * always come from FlinkLite, so that the user's classes and the runtime agree on what {@code AggregateFunction} is.
 * That is also why the job's jar should declare FlinkLite as a {@code provided} dependency.
 *
 * <p>Every failure is an {@link IllegalArgumentException} whose message names the jar, the class and what is wrong,
 * for the CLI to print. Created and used by the thread that starts the job; {@link #close()} when the job is over.
 */
public final class UserJar implements AutoCloseable {
    private final Path jar;
    private final ChildFirstClassLoader loader;

    private UserJar(Path jar, ChildFirstClassLoader loader) {
        this.jar = jar;
        this.loader = loader;
    }

    /**
     * Opens {@code jar} in a new class loader whose parent is FlinkLite's own.
     *
     * @throws IllegalArgumentException when the file is missing, unreadable or not a jar
     */
    public static UserJar open(Path jar) {
        Path file = jar.toAbsolutePath().normalize();
        if (!Files.isRegularFile(file)) {
            throw new IllegalArgumentException("job jar " + jar + " does not exist (or is not a file)");
        }
        try (JarFile ignored = new JarFile(file.toFile())) {
            // Opening it once checks that it is a readable zip, so a typo fails here and not at the first class.
        } catch (IOException e) {
            throw new IllegalArgumentException("job jar " + jar + " is not a readable jar: " + e.getMessage(), e);
        }
        URL url;
        try {
            url = file.toUri().toURL();
        } catch (MalformedURLException e) {
            throw new IllegalArgumentException("job jar " + jar + " has no usable URL: " + e.getMessage(), e);
        }
        return new UserJar(file, new ChildFirstClassLoader(new URL[] {url}, UserJar.class.getClassLoader()));
    }

    /** The jar's path, absolute. */
    public Path path() {
        return jar;
    }

    /** The class loader of the jar's classes; the context class loader while user code runs. */
    public ClassLoader classLoader() {
        return loader;
    }

    /**
     * Loads {@code className} from the jar, checks that it is a concrete {@code expected} and creates one with its
     * public no-argument constructor.
     *
     * @param what how the CLI names the role of the class in messages, e.g. "job" or "aggregate function"
     * @throws IllegalArgumentException naming the class and the jar when any of that fails
     */
    public <T> T instantiate(String className, Class<T> expected, String what) {
        Class<?> c;
        try {
            c = Class.forName(className, false, loader);
        } catch (ClassNotFoundException e) {
            throw new IllegalArgumentException(what + " class " + className + " is not in " + jar.getFileName()
                    + " (check the package and the spelling)", e);
        } catch (LinkageError e) {
            throw new IllegalArgumentException(what + " class " + className + " in " + jar.getFileName()
                    + " cannot be loaded: " + e, e);
        }
        if (!expected.isAssignableFrom(c)) {
            throw new IllegalArgumentException(what + " class " + className + " in " + jar.getFileName()
                    + " does not implement " + expected.getName() + describeMismatch(c, expected));
        }
        if (c.isInterface() || Modifier.isAbstract(c.getModifiers())) {
            throw new IllegalArgumentException(what + " class " + className + " is abstract; name a concrete class");
        }
        Constructor<?> constructor;
        try {
            constructor = c.getConstructor();
        } catch (NoSuchMethodException e) {
            throw new IllegalArgumentException(what + " class " + className
                    + " needs a public no-argument constructor (and, if nested, must be a public static class)", e);
        }
        ClassLoader previous = Thread.currentThread().getContextClassLoader();
        Thread.currentThread().setContextClassLoader(loader);
        try {
            return expected.cast(constructor.newInstance());
        } catch (InvocationTargetException e) {
            Throwable cause = e.getCause();
            throw new IllegalArgumentException("the constructor of " + what + " class " + className + " threw " + cause,
                    cause);
        } catch (ReflectiveOperationException e) {
            throw new IllegalArgumentException("cannot create " + what + " class " + className + ": " + e, e);
        } finally {
            Thread.currentThread().setContextClassLoader(previous);
        }
    }

    /**
     * When the jar bundles its own copy of FlinkLite's API, the class may implement an interface of the same name
     * from another loader; say so, since "does not implement X" is baffling when the source plainly does.
     */
    private static String describeMismatch(Class<?> c, Class<?> expected) {
        for (Class<?> k = c; k != null; k = k.getSuperclass()) {
            for (Class<?> i : k.getInterfaces()) {
                if (i.getName().equals(expected.getName())) {
                    return " from FlinkLite (it implements a copy of that interface bundled in the jar: declare the"
                            + " flinklite-core dependency as <scope>provided</scope>)";
                }
            }
        }
        return "";
    }

    /** Closes the class loader (and the jar file it holds open). */
    @Override
    public void close() throws IOException {
        loader.close();
    }
}
