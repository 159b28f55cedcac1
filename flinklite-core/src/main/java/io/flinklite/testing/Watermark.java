package io.flinklite.testing;

/** A watermark in a harness's output: the operator forwarded event time {@code timestamp} downstream. */
public record Watermark(long timestamp) {
}
