package io.flinklite.bench;

import java.lang.management.ManagementFactory;
import java.lang.management.ThreadInfo;
import java.lang.management.ThreadMXBean;
import java.util.HashMap;
import java.util.Locale;
import java.util.Map;
import java.util.TreeMap;

/**
 * Where a round's CPU went, per kind of thread: a snapshot of every live thread's CPU time, and the difference from
 * it to a later one, summed per thread name with its digit runs folded ({@code data-plane-kafka-request-handler-0}
 * and {@code -1} are one kind, as are the bench's per-round {@code kafka-producer-network-thread | flinklite-so12}
 * and {@code -so15}); the in-process broker's request counts per type likewise. What the JVM spends outside Java
 * threads (GC, JIT) and what threads that ended before the second snapshot spent (short-lived clients: a restore's
 * reader, an admin client closed again) is the process's CPU less the live threads' sum, shown as one line.
 */
final class ThreadCpu {
    private static final ThreadMXBean THREADS = ManagementFactory.getThreadMXBean();
    /** The process's CPU that no thread alive at the second snapshot accounts for. */
    static final String REST = "(GC, JIT, VM, threads ended in the round)";

    private final Map<Long, Long> cpuById = new HashMap<>();
    private final Map<Long, String> nameById = new HashMap<>();
    private final long processNanos;
    /** The in-process broker's requests so far, per request type (its {@code RequestsPerSec} meters' counts). */
    private final Map<String, Long> requests = new TreeMap<>();

    private ThreadCpu() {
        processNanos = CpuClock.processCpuNanos();
        javax.management.MBeanServer server = ManagementFactory.getPlatformMBeanServer();
        try {
            for (javax.management.ObjectName name : server.queryNames(
                    new javax.management.ObjectName("kafka.network:type=RequestMetrics,name=RequestsPerSec,*"), null)) {
                Object count = server.getAttribute(name, "Count");
                requests.merge(name.getKeyProperty("request"), ((Number) count).longValue(), Long::sum);
            }
        } catch (javax.management.JMException e) {
            throw new IllegalStateException("reading the broker's request meters: " + e.getMessage(), e);
        }
        long[] ids = THREADS.getAllThreadIds();
        ThreadInfo[] infos = THREADS.getThreadInfo(ids);
        for (int i = 0; i < ids.length; i++) {
            long cpu = THREADS.getThreadCpuTime(ids[i]);
            if (cpu >= 0 && infos[i] != null) {
                cpuById.put(ids[i], cpu);
                nameById.put(ids[i], infos[i].getThreadName());
            }
        }
    }

    static ThreadCpu snapshot() {
        return new ThreadCpu();
    }

    /** CPU nanoseconds from {@code before} to this snapshot per kind of thread, plus what no Java thread accounts for. */
    Map<String, Long> since(ThreadCpu before) {
        Map<String, Long> byKind = new TreeMap<>();
        long threads = 0;
        for (Map.Entry<Long, Long> e : cpuById.entrySet()) {
            long delta = e.getValue() - before.cpuById.getOrDefault(e.getKey(), 0L);
            if (delta > 0) {
                byKind.merge(kind(nameById.get(e.getKey())), delta, Long::sum);
                threads += delta;
            }
        }
        byKind.put(REST, processNanos - before.processNanos - threads);
        return byKind;
    }

    /** The broker's requests from {@code before} to this snapshot, per type, those there were any of. */
    String requestsSince(ThreadCpu before) {
        StringBuilder s = new StringBuilder("    broker requests:");
        requests.forEach((type, count) -> {
            long delta = count - before.requests.getOrDefault(type, 0L);
            if (delta > 0) {
                s.append(' ').append(type).append(' ').append(delta);
            }
        });
        return s.toString();
    }

    /** A thread's name with digit runs folded to '#', and the bench's per-round ids. */
    static String kind(String name) {
        return name.replaceAll("so[0-9]+", "so#").replaceAll("[0-9]+", "#");
    }

    /** One line: every kind above 1% of the total, as CPU-seconds per million input events. */
    static String format(Map<String, Long> byKind, long events) {
        long total = byKind.values().stream().mapToLong(Long::longValue).sum();
        StringBuilder s = new StringBuilder();
        byKind.entrySet().stream().sorted(Map.Entry.<String, Long>comparingByValue().reversed())
                .filter(e -> e.getValue() * 100 >= total)
                .forEach(e -> s.append(String.format(Locale.ROOT, "%n      %6.3f CPU-s/M  %s", e.getValue() / 1e9
                        / (events / 1e6), e.getKey())));
        return String.format(Locale.ROOT, "    CPU per kind of thread (total %.3f CPU-s per M events):", total / 1e9
                / (events / 1e6)) + s;
    }
}
