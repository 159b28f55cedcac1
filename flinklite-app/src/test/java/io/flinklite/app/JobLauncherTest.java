package io.flinklite.app;

import org.junit.jupiter.api.Test;

import java.nio.file.Path;
import java.util.Map;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

class JobLauncherTest {
    private static final Path JAR = Path.of("my-job.jar");

    @Test
    void combinationsThatMakeNoSenseAreNamed() {
        assertThatThrownBy(() -> new JobLauncher.Request(null, "com.example.MyJob", null, null, Map.of()))
                .hasMessage("--job names a class in your jar: add --jar JAR");
        assertThatThrownBy(() -> new JobLauncher.Request(null, null, "com.example.Agg", null, Map.of()))
                .hasMessage("--aggregate-class names a class in your jar: add --jar JAR");
        assertThatThrownBy(() -> new JobLauncher.Request(JAR, null, null, null, Map.of()))
                .hasMessageContaining("--jar needs --job CLASS");
        assertThatThrownBy(() -> new JobLauncher.Request(JAR, "com.example.MyJob", "com.example.Agg", null, Map.of()))
                .hasMessageContaining("exclude each other");
        assertThatThrownBy(() -> new JobLauncher.Request(JAR, "com.example.MyJob", null, "amount", Map.of()))
                .hasMessageContaining("--value-field is for --aggregate-class");
        assertThatThrownBy(() -> new JobLauncher.Request(JAR, null, "com.example.Agg", null, Map.of("gap", "1s")))
                .hasMessageContaining("--job-param is for user jobs");
    }

    @Test
    void theBuiltInJobNeedsNothing() throws Exception {
        try (JobLauncher launcher = JobLauncher.open(JobLauncher.Request.builtIn(), SinkRegistry.Opened::none)) {
            assertThat(launcher.sinkNames()).isEmpty();
            assertThat(launcher.taskFactory()).isNotNull();
        }
    }
}
