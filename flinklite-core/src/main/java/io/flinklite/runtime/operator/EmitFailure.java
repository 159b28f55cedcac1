package io.flinklite.runtime.operator;

/**
 * A checked failure of an {@link Output} inside a user {@link io.flinklite.api.Collector#collect} (or a context's
 * side output), which cannot throw checked exceptions: carried through the user's function unchecked and thrown
 * again as {@link #cause} by the operator that called the function, so the task sees the output's own exception.
 */
public final class EmitFailure extends RuntimeException {
    private static final long serialVersionUID = 1L;
    /** The output's exception. */
    public final transient Exception cause;

    public EmitFailure(Exception cause) {
        super(cause.getMessage(), cause, false, false);
        this.cause = cause;
    }
}
