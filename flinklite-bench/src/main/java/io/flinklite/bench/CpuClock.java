package io.flinklite.bench;

import java.lang.management.ManagementFactory;

/**
 * CPU time of the whole process (every thread: engine, Flink's task and network threads, JIT, GC), which is what
 * "events per CPU-second" divides by. Backed by {@code com.sun.management.OperatingSystemMXBean}, present on every
 * HotSpot JVM.
 */
final class CpuClock {
    private static final com.sun.management.OperatingSystemMXBean OS =
            (com.sun.management.OperatingSystemMXBean) ManagementFactory.getOperatingSystemMXBean();

    private CpuClock() {
    }

    /** Process CPU time in nanoseconds since the JVM started. */
    static long processCpuNanos() {
        long cpu = OS.getProcessCpuTime();
        if (cpu < 0) {
            throw new IllegalStateException("this JVM does not report process CPU time");
        }
        return cpu;
    }
}
