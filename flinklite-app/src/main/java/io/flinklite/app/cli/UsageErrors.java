package io.flinklite.app.cli;

import io.flinklite.app.Configuration;
import picocli.CommandLine;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Model.OptionSpec;

import java.io.PrintWriter;
import java.util.ArrayList;
import java.util.Collection;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeSet;

/**
 * The one place that reports usage errors: one line {@code flinklite: --FLAG 'VALUE' (from SOURCE): REASON}, where
 * SOURCE is {@code the command line}, a {@code FLINKLITE_...} variable or {@code FILE:LINE} of the config file, then
 * {@code see 'flinklite SUBCOMMAND --help'}; exit code 2. It also warns about config keys and {@code FLINKLITE_*}
 * variables that name no flag, with the closest name that does.
 *
 * <p>Everything is derived from picocli's model of the commands, so flags added later are covered without change:
 * conversion errors of any option, a blank value of any text option, and an {@link IllegalArgumentException} from a
 * late check whose message starts with one of the command's flags (the convention of this package's checks).
 */
final class UsageErrors {
    /** The exit code of a usage error, as picocli's own. */
    static final int EXIT_USAGE = 2;

    /** Variables read by the scripts or the JDBC sink, not flags. */
    private static final Set<String> OTHER_VARIABLES = Set.of("FLINKLITE_JAVA_OPTS", "FLINKLITE_PG_BINDIR", "FLINKLITE_HOME");

    private final String[] args;
    private final Configuration configuration;

    UsageErrors(String[] args, Configuration configuration) {
        this.args = args.clone();
        this.configuration = configuration;
    }

    /** The help hint of {@code cmd}. */
    static String hint(CommandLine cmd) {
        return "see '" + cmd.getCommandSpec().qualifiedName() + " --help'";
    }

    /** Reports a value error of {@code flag}; {@code value} null for a problem of the flag's presence. */
    int report(CommandLine cmd, String flag, String value, String reason) {
        PrintWriter err = cmd.getErr();
        StringBuilder line = new StringBuilder("flinklite: ").append(flag);
        if (value != null) {
            line.append(" '").append(value).append("' (from ").append(sourceOf(cmd, flag, value)).append(')');
        }
        line.append(": ").append(oneLine(reason));
        err.println(line);
        err.println(hint(cmd));
        err.flush();
        return EXIT_USAGE;
    }

    /** Reports a problem that is not one flag's (an unknown option, a missing required one). */
    int report(CommandLine cmd, String message) {
        PrintWriter err = cmd.getErr();
        err.println("flinklite: " + oneLine(message));
        err.println(hint(cmd));
        err.flush();
        return EXIT_USAGE;
    }

    /** picocli's handler: every parse error is one line and the hint. */
    int handleParseError(CommandLine.ParameterException ex) {
        CommandLine cmd = ex.getCommandLine();
        if (ex.getArgSpec() instanceof OptionSpec && ex.getValue() != null) {
            OptionSpec option = (OptionSpec) ex.getArgSpec();
            return report(cmd, option.longestName(), ex.getValue(), reasonOf(ex.getMessage(), option.longestName()));
        }
        String message = ex.getMessage();
        if (ex instanceof CommandLine.UnmatchedArgumentException) {
            List<String> suggestions = ((CommandLine.UnmatchedArgumentException) ex).getSuggestions();
            if (!suggestions.isEmpty()) {
                message = oneLine(message) + "; did you mean " + String.join(" or ", suggestions) + "?";
            }
        }
        return report(cmd, message);
    }

    /**
     * A failure of the command's own checks that is a usage error: a {@link UsageException}, or an
     * {@link IllegalArgumentException} naming one of the command's flags first. Returns null for anything else.
     */
    Integer handleExecutionError(Exception ex, CommandLine cmd) {
        if (ex instanceof UsageException) {
            UsageException u = (UsageException) ex;
            OptionSpec option = cmd.getCommandSpec().findOption(u.flag());
            // The value as the user wrote it (0ms, not the 0s a check may print), when it can be found.
            String value = u.value() == null || option == null ? u.value() : rawValue(cmd, option);
            return report(cmd, u.flag(), value, u.reason());
        }
        if (!(ex instanceof IllegalArgumentException) || ex.getMessage() == null) {
            return null;
        }
        String message = ex.getMessage();
        String text = message.startsWith("bad ") ? message.substring(4) : message;
        for (OptionSpec option : cmd.getCommandSpec().options()) {
            String bare = option.longestName().substring(2);
            if (message.startsWith("bad " + bare + " '") || message.startsWith("bad " + bare.replace('-', ' ') + " '")) {
                // "bad delivery 'x': expected ..." from a parser shared with other callers
                int close = message.indexOf("': ");
                String reason = close > 0 ? message.substring(close + 3) : message;
                return report(cmd, option.longestName(), rawValue(cmd, option), reason);
            }
            for (String name : option.names()) {
                if (name.startsWith("--") && text.startsWith(name) && text.startsWith(" ", name.length())
                        && option.arity().max() == 0) {
                    // A sentence about a switch ("--fresh-start and --restore-from exclude each other"): as written.
                    return report(cmd, text);
                }
                if (name.startsWith("--") && text.startsWith(name) && (text.length() == name.length()
                        || " :'=".indexOf(text.charAt(name.length())) >= 0)) {
                    String reason = text.substring(name.length()).replaceFirst("^[:\\s]+", "");
                    if (reason.startsWith("and --")) {
                        // A flag taking a value in a sentence about a combination ("--aggregate and
                        // --aggregate-class exclude each other"): as written, not as the first flag's value.
                        return report(cmd, text);
                    }
                    return report(cmd, option.longestName(),
                            option.arity().max() == 0 ? null : rawValue(cmd, option), reason);
                }
            }
        }
        return null;
    }

    /**
     * Text and path options given a blank value (by flag, variable or file) are usage errors, whatever the option: none
     * takes an empty topic, file, directory, group or host. Run before the command.
     */
    void checkBlankValues(CommandLine.ParseResult parsed) {
        CommandLine.ParseResult leaf = parsed;
        while (leaf.hasSubcommand()) {
            leaf = leaf.subcommand();
        }
        CommandLine cmd = leaf.commandSpec().commandLine();
        for (OptionSpec option : leaf.commandSpec().options()) {
            if (option.arity().max() == 0 || option.usageHelp() || option.versionHelp()) {
                continue;
            }
            Object value = option.getValue();
            // A Path or File given as '' is the empty path, which would silently mean the working directory.
            if ((value instanceof String || value instanceof java.nio.file.Path || value instanceof java.io.File)
                    && value.toString().isBlank()) {
                throw new CommandLine.ParameterException(cmd, "Invalid value for option '" + option.longestName()
                        + "': must not be empty", option, value.toString());
            }
        }
    }

    /** Warns about config keys and variables that name no flag of any command, with the closest name that does. */
    void warnUnknownSettings(CommandLine root, PrintWriter err) {
        Set<String> known = new TreeSet<>();
        collectLongNames(root, known);
        // The sinks' settings, secrets too: a password is a config key or variable, never a flag.
        for (io.flinklite.sink.SinkOption option : io.flinklite.app.SinkRegistry.installed().options()) {
            known.add(option.name());
        }
        for (String key : configuration.fileKeys()) {
            if (!known.contains(key)) {
                err.println("flinklite: warning: unknown key '" + key + "' in " + configuration.sourceOf(key)
                        + " is ignored" + didYouMean(key, known, false));
            }
        }
        Set<String> knownVariables = new TreeSet<>(OTHER_VARIABLES);
        for (String name : known) {
            knownVariables.add(Configuration.envName(name));
        }
        for (String variable : configuration.environmentNames()) {
            if (!knownVariables.contains(variable)) {
                err.println("flinklite: warning: unknown environment variable " + variable + " is ignored"
                        + didYouMean(variable, knownVariables, true));
            }
        }
        err.flush();
    }

    private static void collectLongNames(CommandLine cmd, Set<String> into) {
        for (OptionSpec option : cmd.getCommandSpec().options()) {
            for (String name : option.names()) {
                if (name.startsWith("--") && !option.usageHelp() && !option.versionHelp()) {
                    into.add(name.substring(2));
                }
            }
        }
        for (CommandLine sub : cmd.getSubcommands().values()) {
            collectLongNames(sub, into);
        }
    }

    private static String didYouMean(String name, Collection<String> candidates, boolean variable) {
        String best = null;
        int bestDistance = Integer.MAX_VALUE;
        for (String c : candidates) {
            int d = distance(name, c);
            if (d < bestDistance) {
                bestDistance = d;
                best = c;
            }
        }
        // Beyond about a third of the name, the "closest" name is noise.
        if (best == null || bestDistance > Math.max(2, name.length() / 3)) {
            return "";
        }
        return variable ? "; did you mean " + best + "?" : "; did you mean '" + best + "'?";
    }

    /** Levenshtein distance with transpositions counted as one edit (a typo such as "boostrap"). */
    static int distance(String a, String b) {
        int[][] d = new int[a.length() + 1][b.length() + 1];
        for (int i = 0; i <= a.length(); i++) d[i][0] = i;
        for (int j = 0; j <= b.length(); j++) d[0][j] = j;
        for (int i = 1; i <= a.length(); i++) {
            for (int j = 1; j <= b.length(); j++) {
                int cost = a.charAt(i - 1) == b.charAt(j - 1) ? 0 : 1;
                d[i][j] = Math.min(Math.min(d[i - 1][j] + 1, d[i][j - 1] + 1), d[i - 1][j - 1] + cost);
                if (i > 1 && j > 1 && a.charAt(i - 1) == b.charAt(j - 2) && a.charAt(i - 2) == b.charAt(j - 1)) {
                    d[i][j] = Math.min(d[i][j], d[i - 2][j - 2] + 1);
                }
            }
        }
        return d[a.length()][b.length()];
    }

    /**
     * Where {@code value} of {@code flag} came from: the command line when it was given there, else the variable or
     * the file line that sets it, else the built-in default.
     */
    String sourceOf(CommandLine cmd, String flag, String value) {
        List<String> given = commandLineValues(cmd, flag);
        if (given.contains(value) || (!given.isEmpty() && configurationValue(flag) == null)) {
            return "the command line";
        }
        String name = flag.substring(2);
        String configured = configurationValue(flag);
        if (configured != null && (configured.equals(value) || configured.trim().equals(value.trim()) || given.isEmpty())) {
            return configuration.sourceOf(name);
        }
        return given.isEmpty() ? "the default" : "the command line";
    }

    private String configurationValue(String flag) {
        return flag.startsWith("--") ? configuration.setting(flag.substring(2)) : null;
    }

    /** The values the arguments give {@code flag} (any of its names), as written. */
    private List<String> commandLineValues(CommandLine cmd, String flag) {
        OptionSpec option = cmd.getCommandSpec().findOption(flag);
        Set<String> names = option == null ? Set.of(flag) : Set.of(option.names());
        List<String> out = new ArrayList<>();
        for (int i = 0; i < args.length; i++) {
            String a = args[i];
            if (a.equals("--")) {
                break;
            }
            int eq = a.indexOf('=');
            if (eq > 0 && names.contains(a.substring(0, eq))) {
                out.add(a.substring(eq + 1));
            } else if (names.contains(a)) {
                out.add(i + 1 < args.length ? args[i + 1] : "");
            }
        }
        return out;
    }

    /** The value of {@code option} as the user wrote it (last on the command line, else configured), for messages. */
    private String rawValue(CommandLine cmd, OptionSpec option) {
        List<String> given = commandLineValues(cmd, option.longestName());
        if (!given.isEmpty()) {
            return given.get(given.size() - 1);
        }
        String configured = configurationValue(option.longestName());
        if (configured != null) {
            return configured;
        }
        Object v = option.getValue();
        if (v instanceof Map || v instanceof Collection) {
            return String.valueOf(v);
        }
        return option.defaultValue() != null ? option.defaultValue() : String.valueOf(v);
    }

    /** picocli's "Invalid value for option '--x': REASON" without its prefix. */
    private static String reasonOf(String message, String flag) {
        String m = oneLine(message);
        String prefix = "Invalid value for option '" + flag + "': ";
        if (m.startsWith(prefix)) {
            return m.substring(prefix.length());
        }
        int colon = m.indexOf("': ");
        return m.startsWith("Invalid value for option") && colon > 0 ? m.substring(colon + 3) : m;
    }

    private static String oneLine(String s) {
        if (s == null) {
            return "";
        }
        int nl = s.indexOf('\n');
        return (nl < 0 ? s : s.substring(0, nl)).trim();
    }

    /** For tests: the spec of a subcommand. */
    static CommandSpec spec(CommandLine root, String name) {
        return root.getSubcommands().get(name).getCommandSpec();
    }
}
