// SPDX-License-Identifier: Apache-2.0

package io.runnel.spring;

import io.runnel.engine.App;
import io.runnel.engine.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;
import org.springframework.boot.SpringBootConfiguration;
import org.springframework.boot.WebApplicationType;
import org.springframework.boot.autoconfigure.EnableAutoConfiguration;
import org.springframework.boot.builder.SpringApplicationBuilder;
import org.springframework.boot.diagnostics.FailureAnalysis;
import org.springframework.boot.test.system.CapturedOutput;
import org.springframework.boot.test.system.OutputCaptureExtension;
import org.springframework.context.ConfigurableApplicationContext;
import org.springframework.context.annotation.Bean;
import org.springframework.core.env.StandardEnvironment;
import org.springframework.core.env.SystemEnvironmentPropertySource;

import java.time.Duration;
import java.util.Map;
import java.util.UUID;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.catchThrowable;

/**
 * The {@code runnel.*} properties as users write them: environment variables, Boot's
 * relaxed names, typos and bad values, and the short report a failed start gives. No
 * worker runs here ({@code runnel.worker.enabled=false}) and the app is on the in-memory
 * transport: only binding and start-up checks are tested.
 */
class PropertiesTest {

    /** A service with one stream, so that the app is built. */
    @SpringBootConfiguration
    @EnableAutoConfiguration
    static class Service {
        record Order(String customer) {
        }

        @Bean
        Stream<Order> orders(App app) {
            return app.stream("orders", Order.class, Order::customer);
        }
    }

    /** A run of the service with these environment variables (and no others) and command-line arguments. */
    private static final class Run {
        final StandardEnvironment environment = new StandardEnvironment();
        final String[] args;

        Run(Map<String, String> variables, String... args) {
            environment.getPropertySources().replace(StandardEnvironment.SYSTEM_ENVIRONMENT_PROPERTY_SOURCE_NAME,
                    new SystemEnvironmentPropertySource(StandardEnvironment.SYSTEM_ENVIRONMENT_PROPERTY_SOURCE_NAME,
                            Map.copyOf(variables)));
            this.args = args;
        }

        ConfigurableApplicationContext start(String... properties) {
            return new SpringApplicationBuilder(Service.class).web(WebApplicationType.NONE).environment(environment)
                    .properties("runnel.redis-url=memory://" + UUID.randomUUID(), "runnel.worker.enabled=false",
                            "runnel.metrics-reporters=none")
                    .properties(properties).run(args);
        }

        /** What Boot would report for the failure. */
        FailureAnalysis analysis(Throwable failure) {
            return new RunnelFailureAnalyzer(environment).analyze(failure);
        }
    }

    @Test
    void environment_variables_bind_by_boots_names_the_settings_own() {
        Map<String, String> variables = Map.of("RUNNEL_REDIS_URL", "memory://from-env", "RUNNEL_DEFAULT_JOIN_DELAY", "0",
                "RUNNEL_DEFAULT_PARTITION_COUNT", "5", "RUNNEL_APP", "envapp");
        try (ConfigurableApplicationContext context = new Run(variables).start()) {
            App app = context.getBean(App.class);
            assertThat(app.name()).isEqualTo("envapp");
            assertThat(app.settings().defaultJoinDelay()).isZero();
            assertThat(app.settings().defaultPartitionCount()).isEqualTo(5);
        }
        // Boot's precedence: an environment variable wins over application properties (here,
        // the lowest: the builder's defaults), which set the memory URL above.
        try (ConfigurableApplicationContext context = new Run(variables).start("runnel.default-partition-count=7")) {
            assertThat(context.getBean(App.class).settings().redisUrl()).isEqualTo("memory://from-env");
            assertThat(context.getBean(App.class).settings().defaultPartitionCount()).isEqualTo(5);
        }
    }

    @Test
    void relaxed_names_bind_in_properties_and_on_the_command_line() {
        Run run = new Run(Map.of(), "--runnel.defaultPoolSize=3", "--runnel.default_prefetch_count=9");
        try (ConfigurableApplicationContext context = run.start("runnel.defaultJoinDelay=0",
                "runnel.DEFAULT-GRACE-PERIOD=6s")) {
            App app = context.getBean(App.class);
            assertThat(app.settings().defaultJoinDelay()).isZero();
            assertThat(app.settings().defaultGracePeriod()).isEqualTo(Duration.ofSeconds(6));
            assertThat(app.settings().defaultPoolSize()).isEqualTo(3);
            assertThat(app.settings().defaultPrefetchCount()).isEqualTo(9);
            assertThat(app.settings().defaultPartitionCount()).as("a setting not given keeps its default").isEqualTo(16);
        }
    }

    @Test
    void a_misspelt_property_fails_naming_it_as_written_and_the_nearest() {
        Run run = new Run(Map.of(), "--runnel.defualt-partition-count=8");
        Throwable failure = catchThrowable(run::start);
        assertThat(failure).rootCause().isInstanceOf(InvalidRunnelProperty.class).hasMessage(
                "unknown Runnel property runnel.defualt-partition-count (the command line); "
                        + "did you mean runnel.default-partition-count?");

        FailureAnalysis analysis = run.analysis(failure);
        assertThat(analysis.getDescription()).isEqualTo("unknown Runnel property runnel.defualt-partition-count "
                + "(the command line); did you mean runnel.default-partition-count?");
        assertThat(analysis.getAction()).startsWith("Did you mean runnel.default-partition-count? "
                + "Rename runnel.defualt-partition-count to it.");

        Run list = new Run(Map.of());
        assertThat(catchThrowable(() -> list.start("runnel.metrics-reporters[0]=jmx"))).as("not a list: it would bind nothing")
                .rootCause().hasMessage("unknown Runnel property runnel.metrics-reporters[0] (property source "
                        + "'defaultProperties'); did you mean runnel.metrics-reporters?");
        try (ConfigurableApplicationContext context = new Run(Map.of("RUNNEL_WORKER_PROCESSORS_0", "billing",
                "RUNNEL_WORKER_PROCESSORS_1", "audit")).start()) {
            assertThat(context.getBean(RunnelProperties.class).worker().processors()).containsExactly("billing", "audit");
        }
        try (ConfigurableApplicationContext context = new Run(Map.of()).start("runnel.worker.processors[0]=billing")) {
            assertThat(context.getBean(RunnelProperties.class).worker().processors()).containsExactly("billing");
        }

        Run camel = new Run(Map.of());
        assertThat(catchThrowable(() -> camel.start("runnel.defaultPartitionCont=8"))).rootCause()
                .hasMessageStartingWith("unknown Runnel property runnel.defaultPartitionCont (")
                .hasMessageEndingWith("did you mean runnel.default-partition-count?");
    }

    @Test
    @ExtendWith(OutputCaptureExtension.class)
    void a_misspelt_environment_variable_is_logged_and_ignored(CapturedOutput output) {
        // Boot sets up logging again as the application starts: its output is what users see.
        try (ConfigurableApplicationContext context = new Run(Map.of("RUNNEL_DEFUALT_JOIN_DELAY", "0",
                "RUNNEL_HOME", "/opt/runnel")).start()) {
            assertThat(context.getBean(App.class).settings().defaultJoinDelay()).isEqualTo(Duration.ofSeconds(2));
            assertThat(output.getOut()).containsOnlyOnce("WARN").contains("environment variable RUNNEL_DEFUALT_JOIN_DELAY "
                    + "sets no Runnel property and is ignored; did you mean RUNNEL_DEFAULT_JOIN_DELAY?")
                    .doesNotContain("RUNNEL_HOME");
        }
    }

    @Test
    void a_bad_value_fails_naming_the_key_as_written_and_where() {
        Run env = new Run(Map.of("RUNNEL_DEFAULT_PARTITION_COUNT", "zero"));
        Throwable failure = catchThrowable(env::start);
        assertThat(failure).rootCause().isInstanceOf(io.runnel.engine.InvalidSetting.class);
        FailureAnalysis analysis = env.analysis(failure);
        assertThat(analysis.getDescription()).isEqualTo("invalid Runnel property environment variable "
                + "RUNNEL_DEFAULT_PARTITION_COUNT: setting default_partition_count (env RUNNEL_DEFAULT_PARTITION_COUNT) "
                + "has invalid value 'zero': expected a positive whole number below 2^31");
        assertThat(analysis.getAction()).startsWith("Correct the value of RUNNEL_DEFAULT_PARTITION_COUNT.");

        Run line = new Run(Map.of(), "--runnel.defaultGracePeriod=soon");
        assertThat(line.analysis(catchThrowable(line::start)).getDescription()).startsWith(
                "invalid Runnel property runnel.defaultGracePeriod (the command line): setting default_grace_period");

        Run processors = new Run(Map.of());
        assertThat(processors.analysis(catchThrowable(() -> processors.start("runnel.default-read-timeout=9s")))
                .getDescription()).startsWith("invalid Runnel property runnel.default-read-timeout "
                + "(property source 'defaultProperties'): setting default_read_timeout (9000 ms) must be shorter than "
                + "default_grace_period");
    }

    @Test
    void a_bad_redis_url_fails_in_short_without_its_credentials() {
        Run run = new Run(Map.of("RUNNEL_REDIS_URL", "redis://bob:hunter2@host:6379/x y"));
        Throwable failure = catchThrowable(run::start);
        FailureAnalysis analysis = run.analysis(failure);
        assertThat(analysis.getDescription()).startsWith("invalid Runnel property environment variable RUNNEL_REDIS_URL: "
                + "setting redis_url (env RUNNEL_REDIS_URL) has invalid value 'redis://***@host:6379/x y'")
                .doesNotContain("hunter2");
        assertThat(analysis.getAction()).doesNotContain("hunter2");
        assertThat(failure).hasStackTraceContaining("RUNNEL_REDIS_URL");
        assertThat(stackTrace(failure)).doesNotContain("hunter2");
    }

    @Test
    void an_unreachable_redis_fails_in_short_without_the_credentials() throws java.io.IOException {
        int closed;
        try (java.net.ServerSocket socket = new java.net.ServerSocket(0, 1, java.net.InetAddress.getLoopbackAddress())) {
            closed = socket.getLocalPort();
        }
        Run run = new Run(Map.of("RUNNEL_REDIS_URL", "redis://bob:hunter2@127.0.0.1:" + closed + "?timeout=1s"));
        Throwable failure = catchThrowable(() -> run.start("runnel.worker.enabled=true"));
        FailureAnalysis analysis = run.analysis(failure);
        assertThat(analysis.getDescription())
                .startsWith("Runnel could not reach Redis at redis://***@127.0.0.1:" + closed + "?timeout=1s: ")
                .doesNotContain("hunter2");
        assertThat(analysis.getAction()).contains("runnel.redis-url").contains("RUNNEL_REDIS_URL");
        assertThat(stackTrace(failure)).doesNotContain("hunter2");
    }

    private static String stackTrace(Throwable t) {
        java.io.StringWriter out = new java.io.StringWriter();
        t.printStackTrace(new java.io.PrintWriter(out));
        return out.toString();
    }
}
