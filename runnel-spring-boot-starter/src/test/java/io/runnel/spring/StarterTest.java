// SPDX-License-Identifier: Apache-2.0

package io.runnel.spring;

import io.micrometer.core.instrument.MeterRegistry;
import io.runnel.api.transport.ConnectionUrl;
import io.runnel.engine.App;
import io.runnel.engine.Stream;
import io.runnel.redis.lettuce.LettuceTransport;
import io.runnel.testkit.LoopbackProxy;
import io.runnel.testkit.RedisExtension;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;
import org.springframework.boot.SpringBootConfiguration;
import org.springframework.boot.WebApplicationType;
import org.springframework.boot.autoconfigure.EnableAutoConfiguration;
import org.springframework.boot.builder.SpringApplicationBuilder;
import org.springframework.boot.health.contributor.HealthIndicator;
import org.springframework.boot.health.contributor.Status;
import org.springframework.context.ConfigurableApplicationContext;
import org.springframework.context.annotation.Bean;

import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import java.util.concurrent.CopyOnWriteArrayList;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.awaitility.Awaitility.await;

/** The starter in a real Spring Boot application context against a real redis-server. */
class StarterTest {
    @RegisterExtension
    static RedisExtension redis = new RedisExtension();

    record Order(String customer, int seq) {
    }

    /** A processor bean: one record at a time. */
    static class Billing {
        final List<Order> seen = new CopyOnWriteArrayList<>();
        volatile long workMillis;

        @RunnelProcessor(stream = "orders", name = "billing")
        void bill(Order order) throws InterruptedException {
            if (workMillis > 0) {
                Thread.sleep(workMillis);
            }
            seen.add(order);
        }
    }

    /** The smallest service: a stream bean and a processor bean. */
    @SpringBootConfiguration
    @EnableAutoConfiguration
    static class ShopService {
        @Bean
        Stream<Order> orders(App app) {
            return app.stream("orders", Order.class, Order::customer);
        }

        @Bean
        Billing billing() {
            return new Billing();
        }
    }

    private static ConfigurableApplicationContext start(String... properties) {
        return new SpringApplicationBuilder(ShopService.class).web(WebApplicationType.NONE)
                .properties("runnel.default-join-delay=0", "runnel.metrics-reporters=none")
                .properties(properties).run();
    }

    private static String appName() {
        return "spring" + UUID.randomUUID().toString().substring(0, 8);
    }

    @Test
    @SuppressWarnings("unchecked")
    void properties_bind_a_processor_bean_receives_events_and_shutdown_drains() throws Exception {
        String name = appName();
        ConfigurableApplicationContext context = start("runnel.app=" + name, "runnel.redis-url=" + redis.url(),
                "runnel.default-partition-count=3", "runnel.default-grace-period=5");
        App app = context.getBean(App.class);
        assertThat(app.name()).isEqualTo(name);
        assertThat(app.settings().defaultPartitionCount()).isEqualTo(3);
        Stream<Order> orders = context.getBean(Stream.class);
        Billing billing = context.getBean(Billing.class);

        List<Order> sent = new ArrayList<>();
        for (int i = 0; i < 20; i++) {
            sent.add(new Order("customer-" + (i % 4), i));
        }
        orders.sendAll(sent);
        await().atMost(Duration.ofSeconds(30)).until(() -> billing.seen.size() == 20);
        assertThat(billing.seen).containsExactlyInAnyOrderElementsOf(sent);

        HealthIndicator health = context.getBean("runnelHealthIndicator", HealthIndicator.class);
        assertThat(health.health().getStatus()).isEqualTo(Status.UP);
        assertThat((Map<String, Object>) health.health().getDetails().get("processors")).containsKey("billing");
        MeterRegistry meters = context.getBean(MeterRegistry.class);
        await().atMost(Duration.ofSeconds(10)).until(() -> meters.find("runnel.processed")
                .tags("app", name, "processor", "billing").functionCounter() != null
                && meters.find("runnel.processed").tags("app", name, "processor", "billing").functionCounter().count() == 20);

        // Shutdown while an event is in the function: it finishes and is acknowledged, then the worker leaves.
        billing.workMillis = 500;
        orders.sendAll(List.of(new Order("slow", 100), new Order("slow", 101), new Order("slow", 102)));
        await().atMost(Duration.ofSeconds(30)).until(() -> billing.seen.size() >= 21);
        context.close();

        int processed = billing.seen.size();
        try (LettuceTransport view = new LettuceTransport(ConnectionUrl.parse(redis.url()))) {
            long pending = 0;
            for (int p = 0; p < 3; p++) {
                pending += view.pendingCount(orders.partitionKey(p), "billing");
            }
            assertThat(pending).as("what was processed was acknowledged").isEqualTo(23 - processed);
            assertThat(view.get("__memb:" + name + ".orders.billing").orElse("{}")).isEqualTo("{}");
        }
        assertThat(processed).isGreaterThanOrEqualTo(21);
    }

    @Test
    void health_is_down_while_redis_cannot_be_reached() throws Exception {
        try (LoopbackProxy proxy = new LoopbackProxy(redis.server().port());
             ConfigurableApplicationContext context = start("runnel.app=" + appName(),
                     "runnel.redis-url=redis://127.0.0.1:" + proxy.port() + "?timeout=1s", "runnel.worker.enabled=false")) {
            HealthIndicator health = context.getBean("runnelHealthIndicator", HealthIndicator.class);
            assertThat(health.health().getStatus()).isEqualTo(Status.UP);
            assertThat(context.getBeansOfType(WorkerLifecycle.class)).isEmpty();

            proxy.cut();
            await().atMost(Duration.ofSeconds(60)).until(() -> health.health().getStatus().equals(Status.DOWN));
            proxy.resume();
            await().atMost(Duration.ofSeconds(60)).until(() -> health.health().getStatus().equals(Status.UP));
        }
    }

    @Test
    void a_bad_property_fails_startup_naming_it() {
        assertThatThrownBy(() -> start("runnel.app=" + appName(), "runnel.redis-url=" + redis.url(),
                "runnel.default-partition-count=zero"))
                .rootCause().hasMessageContaining("default_partition_count");
        assertThatThrownBy(() -> start("runnel.app=" + appName(), "runnel.redis-url=" + redis.url(),
                "runnel.default-partition-count=zero"))
                .hasStackTraceContaining("property runnel.default-partition-count");
    }
}
