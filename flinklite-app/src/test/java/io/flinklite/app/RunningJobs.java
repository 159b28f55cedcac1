package io.flinklite.app;

import org.junit.jupiter.api.extension.AfterEachCallback;
import org.junit.jupiter.api.extension.ExtensionContext;

import java.util.ArrayList;
import java.util.Iterator;
import java.util.List;

/**
 * The {@link KafkaJob}s a test started ({@code @RegisterExtension final RunningJobs jobs = new RunningJobs();}), each
 * stopped after the test, whatever its outcome, so no job of one test reads on into the next on the shared broker.
 */
final class RunningJobs implements AfterEachCallback, Iterable<KafkaJob> {

    private final List<KafkaJob> jobs = new ArrayList<>();

    void add(KafkaJob job) {
        jobs.add(job);
    }

    @Override
    public Iterator<KafkaJob> iterator() {
        return jobs.iterator();
    }

    @Override
    public void afterEach(ExtensionContext context) throws Exception {
        for (KafkaJob job : jobs) {
            job.stop();
            job.awaitStopped(30_000);
        }
        jobs.clear();
    }
}
