// SPDX-License-Identifier: Apache-2.0

package io.runnel.spring;

import io.runnel.api.Misconfigured;
import io.runnel.engine.App;
import io.runnel.engine.Stream;
import io.runnel.testkit.RedisExtension;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;
import org.springframework.boot.SpringBootConfiguration;
import org.springframework.boot.WebApplicationType;
import org.springframework.boot.autoconfigure.EnableAutoConfiguration;
import org.springframework.boot.builder.SpringApplicationBuilder;
import org.springframework.context.ConfigurableApplicationContext;
import org.springframework.context.annotation.Bean;

import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.util.UUID;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

/** The web console in a Spring Boot servlet application: mounted at runnel.console-path, and only then. */
@Tag("redis")
class ConsoleMountTest {
    @RegisterExtension
    static RedisExtension redis = new RedisExtension();

    /** An order; the customer decides the partition. */
    record Order(String customer, int seq) {
    }

    /** A processor, so that the console has something to show. */
    static class Billing {
        @RunnelProcessor(stream = "orders", name = "billing")
        void bill(Order order) {
        }
    }

    @SpringBootConfiguration
    @EnableAutoConfiguration
    static class OrderService {
        @Bean
        Stream<Order> orders(App app) {
            return app.stream("orders", Order.class, Order::customer);
        }

        @Bean
        Billing billing() {
            return new Billing();
        }
    }

    /** The service as its own JVM: what {@link #a_service_started_as_a_process_mounts_the_console_from_its_environment} runs. */
    public static void main(String[] args) {
        new SpringApplicationBuilder(OrderService.class).web(WebApplicationType.SERVLET).run(args);
    }

    private static ConfigurableApplicationContext start(String... properties) {
        String[] all = new String[properties.length + 4];
        all[0] = "server.port=0";
        all[1] = "server.address=127.0.0.1";
        all[2] = "runnel.app=mount" + UUID.randomUUID().toString().substring(0, 8);
        all[3] = "runnel.redis-url=" + redis.url();
        System.arraycopy(properties, 0, all, 4, properties.length);
        return new SpringApplicationBuilder(OrderService.class).web(WebApplicationType.SERVLET).properties(all).run();
    }

    private static HttpResponse<String> get(ConfigurableApplicationContext context, String path) throws Exception {
        URI uri = URI.create("http://127.0.0.1:" + context.getEnvironment().getProperty("local.server.port") + path);
        return HttpClient.newHttpClient().send(HttpRequest.newBuilder(uri).GET().build(),
                HttpResponse.BodyHandlers.ofString());
    }

    @Test
    void the_console_is_mounted_at_the_console_path_with_links_under_it() throws Exception {
        try (ConfigurableApplicationContext context = start("runnel.console-path=/ops/runnel")) {
            HttpResponse<String> overview = get(context, "/ops/runnel/");
            assertThat(overview.statusCode()).isEqualTo(200);
            assertThat(overview.body()).contains("billing").contains("href=\"/ops/runnel/processors/billing\"")
                    .contains("/ops/runnel/static/console.css");
            assertThat(get(context, "/ops/runnel/processors/billing").body()).contains("id=\"partitions\"");
            assertThat(get(context, "/ops/runnel/static/console.css").statusCode()).isEqualTo(200);
        }
    }

    @Test
    void a_service_started_as_a_process_mounts_the_console_from_its_environment() throws Exception {
        int port;
        try (java.net.ServerSocket socket = new java.net.ServerSocket(0)) {
            port = socket.getLocalPort();
        }
        java.nio.file.Path log = java.nio.file.Files.createTempFile("console-service", ".log");
        ProcessBuilder builder = new ProcessBuilder(ProcessHandle.current().info().command().orElse("java"), "-Xmx256m",
                "-cp", System.getProperty("java.class.path"), ConsoleMountTest.class.getName())
                .redirectErrorStream(true).redirectOutput(log.toFile());
        builder.environment().keySet().removeIf(name -> name.startsWith("RUNNEL_") || name.startsWith("SERVER_"));
        builder.environment().putAll(java.util.Map.of("RUNNEL_APP", "svc" + UUID.randomUUID().toString().substring(0, 8),
                "RUNNEL_REDIS_URL", redis.url(), "RUNNEL_CONSOLE_PATH", "/runnel", "RUNNEL_CONSOLE_ACTIONS", "on",
                "RUNNEL_CONSOLE_TOKEN", "a-token-from-the-environment", "SERVER_PORT", Integer.toString(port),
                "SERVER_ADDRESS", "127.0.0.1"));
        Process service = builder.start();
        try {
            URI overview = URI.create("http://127.0.0.1:" + port + "/runnel/");
            org.awaitility.Awaitility.await().atMost(java.time.Duration.ofSeconds(90)).ignoreExceptions()
                    .until(() -> HttpClient.newHttpClient().send(HttpRequest.newBuilder(overview).GET().build(),
                            HttpResponse.BodyHandlers.ofString()).statusCode() == 200);
            HttpResponse<String> page = HttpClient.newHttpClient().send(HttpRequest.newBuilder(overview).GET().build(),
                    HttpResponse.BodyHandlers.ofString());
            assertThat(page.body()).contains("billing").contains("Sign in to act")
                    .doesNotContain("a-token-from-the-environment");
        } finally {
            service.destroy();
            if (!service.waitFor(30, java.util.concurrent.TimeUnit.SECONDS)) {
                service.destroyForcibly();
            }
        }
        assertThat(java.nio.file.Files.readString(log)).doesNotContain("a-token-from-the-environment");
    }

    @Test
    void without_a_console_path_nothing_is_mounted() throws Exception {
        try (ConfigurableApplicationContext context = start()) {
            assertThat(get(context, "/runnel/").statusCode()).isEqualTo(404);
            assertThat(context.getBeanNamesForType(org.springframework.boot.web.servlet.ServletRegistrationBean.class))
                    .doesNotContain("runnelConsole");
        }
    }

    @Test
    void actions_without_a_token_fail_the_start_naming_the_setting() {
        assertThatThrownBy(() -> start("runnel.console-path=/runnel", "runnel.console-actions=on").close())
                .hasRootCauseInstanceOf(Misconfigured.class)
                .rootCause().hasMessageContaining("console_token");
    }
}
