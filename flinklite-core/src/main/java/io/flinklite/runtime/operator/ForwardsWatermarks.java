package io.flinklite.runtime.operator;

/**
 * Marks a one-input operator whose {@link Operator#processWatermark} does nothing but pass the watermark on
 * unchanged with {@link Output#emitWatermark} (or, with no outputs, nothing at all): filters, maps, counters. It keeps
 * no timers. When such an operator has one incoming edge, the runtime passes watermarks from that edge straight to
 * the operators after it, without calling it: the same watermarks arrive, with fewer calls per record (the built-in
 * job's watermark advances on most records).
 */
public interface ForwardsWatermarks {
}
