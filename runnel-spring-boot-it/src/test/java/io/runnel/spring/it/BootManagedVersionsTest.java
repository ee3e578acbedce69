// SPDX-License-Identifier: Apache-2.0

package io.runnel.spring.it;

import io.micrometer.core.instrument.FunctionCounter;
import io.micrometer.core.instrument.MeterRegistry;
import io.runnel.engine.App;
import io.runnel.engine.Stream;
import io.runnel.spring.RunnelProcessor;
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
import org.springframework.core.env.StandardEnvironment;
import org.springframework.core.env.SystemEnvironmentPropertySource;

import java.io.IOException;
import java.io.InputStream;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Properties;
import java.util.concurrent.CopyOnWriteArrayList;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

/**
 * The starter in a project whose parent is {@code spring-boot-starter-parent}: Boot chose
 * Lettuce, Jackson and Micrometer, and Runnel sends, processes and reports metrics on them
 * against a real redis-server, configured by environment variables as on Kubernetes.
 */
@Tag("redis")
class BootManagedVersionsTest {
    @RegisterExtension
    static RedisExtension redis = new RedisExtension();

    record Order(String customer, int seq) {
    }

    static class Billing {
        final List<Order> seen = new CopyOnWriteArrayList<>();

        @RunnelProcessor(stream = "orders", name = "billing")
        void bill(Order order) {
            seen.add(order);
        }
    }

    @SpringBootConfiguration
    @EnableAutoConfiguration
    static class Shop {
        @Bean
        Stream<Order> orders(App app) {
            return app.stream("orders", Order.class, Order::customer, o -> o.partitionCount(4));
        }

        @Bean
        Billing billing() {
            return new Billing();
        }
    }

    @Test
    void the_starter_runs_on_boots_own_lettuce_jackson_and_micrometer() throws IOException {
        assertThat(mavenVersion("io.lettuce", "lettuce-core")).isEqualTo(System.getProperty("boot.lettuce.version"));
        assertThat(com.fasterxml.jackson.databind.cfg.PackageVersion.VERSION.toString())
                .isEqualTo(System.getProperty("boot.jackson.version"));
        assertThat(MeterRegistry.class.getPackage().getImplementationVersion())
                .isEqualTo(System.getProperty("boot.micrometer.version"));

        StandardEnvironment environment = new StandardEnvironment();
        environment.getPropertySources().replace(StandardEnvironment.SYSTEM_ENVIRONMENT_PROPERTY_SOURCE_NAME,
                new SystemEnvironmentPropertySource(StandardEnvironment.SYSTEM_ENVIRONMENT_PROPERTY_SOURCE_NAME, Map.of(
                        "RUNNEL_REDIS_URL", redis.url(), "RUNNEL_APP", "bootparent", "RUNNEL_DEFAULT_JOIN_DELAY", "0",
                        "RUNNEL_METRICS_REPORTERS", "none")));
        try (ConfigurableApplicationContext context = new SpringApplicationBuilder(Shop.class)
                .web(WebApplicationType.NONE).environment(environment).run()) {
            @SuppressWarnings("unchecked")
            Stream<Order> orders = context.getBean(Stream.class);
            List<Order> sent = new ArrayList<>();
            for (int i = 0; i < 20; i++) {
                sent.add(new Order("customer-" + (i % 5), i));
            }
            orders.sendAll(sent);
            Billing billing = context.getBean(Billing.class);
            await().atMost(Duration.ofSeconds(30)).until(() -> billing.seen.size() >= 20);
            assertThat(billing.seen).containsExactlyInAnyOrderElementsOf(sent);

            MeterRegistry meters = context.getBean(MeterRegistry.class);
            await().atMost(Duration.ofSeconds(10)).until(() -> {
                FunctionCounter processed = meters.find("runnel.processed").tags("app", "bootparent", "processor", "billing")
                        .functionCounter();
                return processed != null && processed.count() == 20;
            });
        }
    }

    /** The version in a jar's Maven descriptor. */
    private static String mavenVersion(String group, String artifact) throws IOException {
        try (InputStream in = BootManagedVersionsTest.class.getClassLoader()
                .getResourceAsStream("META-INF/maven/" + group + "/" + artifact + "/pom.properties")) {
            Properties p = new Properties();
            p.load(in);
            return p.getProperty("version");
        }
    }
}
