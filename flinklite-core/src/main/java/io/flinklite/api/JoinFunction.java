package io.flinklite.api;

/**
 * What a window join makes of each pair, as Flink's {@code JoinFunction}
 * ({@code a.join(b).where(..).equalTo(..).window(..).apply(function)}): called for every left and right element of
 * the same key in the same window (the cross product) when the window fires, late firings included. The result
 * gets the window's max timestamp ({@code end - 1}).
 *
 * <p>Called on the task thread. The elements are the join's buffered copies: read them, never change them.
 *
 * @param <IN1> the left elements
 * @param <IN2> the right elements
 * @param <OUT> the result; not {@code null}
 */
@FunctionalInterface
public interface JoinFunction<IN1, IN2, OUT> {
    OUT join(IN1 left, IN2 right) throws Exception;
}
