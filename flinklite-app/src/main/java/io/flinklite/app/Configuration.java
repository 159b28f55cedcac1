package io.flinklite.app;

import io.flinklite.app.cli.UserFacingException;

import java.io.IOException;
import java.io.Reader;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.Locale;
import java.util.Map;
import java.util.Properties;

/**
 * Settings that do not come from command-line flags: a configuration file and {@code FLINKLITE_*} environment
 * variables. Flags win over environment variables, which win over the file, which wins over built-in defaults.
 *
 * <p>The file is a Java properties file. Each key is a flag's long name without the dashes
 * ({@code bootstrap-servers=broker:9092}, {@code window=tumbling:1m}); keys starting with {@code kafka.} are Kafka
 * client properties passed to every client unchanged ({@code kafka.security.protocol=SASL_SSL}). An environment
 * variable names a flag in upper case with underscores ({@code FLINKLITE_BOOTSTRAP_SERVERS}); one starting with
 * {@code FLINKLITE_KAFKA_} is a Kafka client property, its underscores read as dots
 * ({@code FLINKLITE_KAFKA_SASL_MECHANISM=PLAIN} is {@code sasl.mechanism=PLAIN}). {@code FLINKLITE_CONFIG} names
 * the file when {@code --config} is not given.
 *
 * <p>Immutable once loaded; read by the CLI thread while it parses flags.
 */
public final class Configuration {

    /** The prefix of Kafka client properties in the file. */
    public static final String KAFKA_PREFIX = "kafka.";
    private static final String ENV_PREFIX = "FLINKLITE_";
    private static final String ENV_KAFKA_PREFIX = "FLINKLITE_KAFKA_";

    private final Path file;
    private final Map<String, String> fileSettings;
    private final Map<String, String> environment;
    /** Key -> line number (1-based) of its last occurrence in the file, for messages. */
    private final Map<String, Integer> fileLines;

    private Configuration(Path file, Map<String, String> fileSettings, Map<String, String> environment) {
        this.file = file;
        this.fileSettings = fileSettings;
        this.environment = environment;
        this.fileLines = file == null ? Map.of() : lineNumbers(file, fileSettings);
    }

    /**
     * Where each key of a properties file is set (its last occurrence, which is the one {@link Properties} keeps).
     * A key is recognised at the start of a logical line, up to the first unescaped separator ({@code =}, {@code :}
     * or whitespace); continuation lines are skipped.
     */
    private static Map<String, Integer> lineNumbers(Path path, Map<String, String> settings) {
        Map<String, Integer> lines = new LinkedHashMap<>();
        java.util.List<String> text;
        try {
            text = Files.readAllLines(path, StandardCharsets.UTF_8);
        } catch (IOException | RuntimeException e) {
            return Map.of(); // already read once; line numbers are only for messages
        }
        boolean continued = false;
        for (int i = 0; i < text.size(); i++) {
            String line = text.get(i);
            String trimmed = line.stripLeading();
            boolean startsLogicalLine = !continued;
            continued = endsWithOddBackslashes(line);
            if (!startsLogicalLine || trimmed.isEmpty() || trimmed.charAt(0) == '#' || trimmed.charAt(0) == '!') {
                continue;
            }
            StringBuilder key = new StringBuilder();
            for (int k = 0; k < trimmed.length(); k++) {
                char c = trimmed.charAt(k);
                if (c == '\\' && k + 1 < trimmed.length()) {
                    key.append(trimmed.charAt(++k));
                    continue;
                }
                if (c == '=' || c == ':' || Character.isWhitespace(c)) {
                    break;
                }
                key.append(c);
            }
            String name = key.toString().trim();
            if (settings.containsKey(name)) {
                lines.put(name, i + 1);
            }
        }
        return Collections.unmodifiableMap(lines);
    }

    private static boolean endsWithOddBackslashes(String line) {
        int n = 0;
        for (int i = line.length() - 1; i >= 0 && line.charAt(i) == '\\'; i--) {
            n++;
        }
        return n % 2 == 1;
    }

    /** No file, no environment: every setting comes from flags or defaults. */
    public static Configuration empty() {
        return new Configuration(null, Map.of(), Map.of());
    }

    /**
     * Loads the file named by {@code --config FILE} / {@code --config=FILE} in {@code args} (or by
     * {@code FLINKLITE_CONFIG}) and the {@code FLINKLITE_*} variables of {@code environment}.
     *
     * @throws UserFacingException when the named file cannot be read
     */
    public static Configuration load(String[] args, Map<String, String> environment) {
        String fileName = configArgument(args);
        if (fileName == null) {
            fileName = environment.get(ENV_PREFIX + "CONFIG");
        }
        Map<String, String> env = new LinkedHashMap<>();
        for (Map.Entry<String, String> e : environment.entrySet()) {
            if (e.getKey().startsWith(ENV_PREFIX)) {
                env.put(e.getKey(), e.getValue());
            }
        }
        if (fileName == null || fileName.isBlank()) {
            return new Configuration(null, Map.of(), Collections.unmodifiableMap(env));
        }
        Path path = Path.of(fileName);
        return new Configuration(path, readProperties(path), Collections.unmodifiableMap(env));
    }

    /** The value of {@code --config} in {@code args}, or null. Only looks before a {@code --} end-of-options marker. */
    static String configArgument(String[] args) {
        for (int i = 0; i < args.length; i++) {
            String a = args[i];
            if (a.equals("--")) {
                return null;
            }
            if (a.equals("--config") && i + 1 < args.length) {
                return args[i + 1];
            }
            if (a.startsWith("--config=")) {
                return a.substring("--config=".length());
            }
        }
        return null;
    }

    private static Map<String, String> readProperties(Path path) {
        Properties properties = new Properties();
        try (Reader reader = Files.newBufferedReader(path, StandardCharsets.UTF_8)) {
            properties.load(reader);
        } catch (NoSuchFileException e) {
            throw new UserFacingException("config file " + path + " does not exist");
        } catch (IOException | IllegalArgumentException e) {
            throw new UserFacingException("cannot read config file " + path + ": " + e.getMessage(), e);
        }
        Map<String, String> settings = new LinkedHashMap<>();
        for (String name : properties.stringPropertyNames()) {
            settings.put(name.trim(), properties.getProperty(name).trim());
        }
        return Collections.unmodifiableMap(settings);
    }

    /**
     * The value for the flag {@code --name} from the environment or the file, or null when neither sets it.
     *
     * @param name the flag's long name without dashes, e.g. {@code bootstrap-servers}
     */
    public String setting(String name) {
        String env = environment.get(envName(name));
        if (env != null) {
            return env;
        }
        return fileSettings.get(name);
    }

    /**
     * Where {@link #setting} found {@code name}, for messages: {@code "FLINKLITE_X"} (the variable), {@code "FILE:LINE"}
     * (or {@code "FILE"} when the line is unknown), or null.
     */
    public String sourceOf(String name) {
        String envName = envName(name);
        if (environment.containsKey(envName)) {
            return envName;
        }
        if (!fileSettings.containsKey(name)) {
            return null;
        }
        Integer line = fileLines.get(name);
        return line == null ? file.toString() : file + ":" + line;
    }

    /** The environment variable that sets the flag {@code --name}. */
    public static String envName(String name) {
        return ENV_PREFIX + name.toUpperCase(Locale.ROOT).replace('-', '_');
    }

    /** The keys of the file that are not Kafka client properties ({@code kafka.*}), in file order. */
    public java.util.Set<String> fileKeys() {
        java.util.Set<String> keys = new java.util.LinkedHashSet<>();
        for (String k : fileSettings.keySet()) {
            if (!k.startsWith(KAFKA_PREFIX)) {
                keys.add(k);
            }
        }
        return keys;
    }

    /** The {@code FLINKLITE_*} variables that are not Kafka client properties nor {@code FLINKLITE_CONFIG}. */
    public java.util.Set<String> environmentNames() {
        java.util.Set<String> names = new java.util.TreeSet<>();
        for (String k : environment.keySet()) {
            if (!k.startsWith(ENV_KAFKA_PREFIX) && !k.equals(ENV_PREFIX + "CONFIG")) {
                names.add(k);
            }
        }
        return names;
    }

    /** Kafka client properties from the file ({@code kafka.*}) and then the environment ({@code FLINKLITE_KAFKA_*}). */
    public Map<String, String> kafkaProperties() {
        Map<String, String> props = new LinkedHashMap<>();
        for (Map.Entry<String, String> e : fileSettings.entrySet()) {
            if (e.getKey().startsWith(KAFKA_PREFIX)) {
                props.put(e.getKey().substring(KAFKA_PREFIX.length()), e.getValue());
            }
        }
        for (Map.Entry<String, String> e : environment.entrySet()) {
            if (e.getKey().startsWith(ENV_KAFKA_PREFIX)) {
                props.put(e.getKey().substring(ENV_KAFKA_PREFIX.length()).toLowerCase(Locale.ROOT).replace('_', '.'),
                        e.getValue());
            }
        }
        return props;
    }

    /** The loaded file, or null. */
    public Path file() {
        return file;
    }
}
