package io.flinklite.runtime.operator;

/**
 * An operator that must know when its input turns idle (every source partition upstream idle, Flink's idle
 * watermark status) or active again, beyond the watermark staying put: the shuffle writer tells the keyed side, which
 * then leaves the partition out of the job's watermark.
 */
public interface ObservesIdleness {
    /** The operator's input turned idle ({@code true}) or active again; called on changes only. */
    void processIdle(boolean idle) throws Exception;
}
