package io.flinklite.runtime.operator;

/**
 * Builds one operator of a job graph around the {@link Output} the runtime wired for it. Called once per task, on the
 * task's thread, while the task is built; a graph is a description, so each task gets fresh operators (and a restore
 * goes into fresh ones).
 */
@FunctionalInterface
public interface OperatorFactory {

    /** A new operator emitting through {@code output}: a {@link OneInputOperator} or a {@link TwoInputOperator}. */
    Operator create(Output<Object> output);
}
