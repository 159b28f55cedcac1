package io.flinklite.app.cli;

/**
 * A mistake in how the command was called, found after parsing (a value only the whole command can judge, two flags
 * that exclude each other). The CLI reports it as one line naming the flag, its value and where the value came from,
 * then the help hint, and exits 2, as for a parse error ({@link UsageErrors}).
 */
public final class UsageException extends IllegalArgumentException {
    private static final long serialVersionUID = 1L;

    private final String flag;
    private final String value;
    private final String reason;

    /**
     * @param flag   the long option name, e.g. {@code --start-from}
     * @param value  the offending value as the user wrote it, or {@code null} when it is the flag itself (a
     *               combination)
     * @param reason what is wrong, without the flag and value, e.g. {@code expected earliest or latest}
     */
    public UsageException(String flag, String value, String reason) {
        super(flag + (value == null ? "" : " '" + value + "'") + ": " + reason);
        this.flag = flag;
        this.value = value;
        this.reason = reason;
    }

    /** A problem of a flag's presence or combination, e.g. {@code --job and --aggregate-class exclude each other}. */
    public static UsageException of(String flag, String reason) {
        return new UsageException(flag, null, reason);
    }

    public String flag() { return flag; }

    /** {@code null} when the problem is not one value. */
    public String value() { return value; }

    public String reason() { return reason; }
}
