// SPDX-License-Identifier: Apache-2.0

package io.runnel.spring;

import io.micrometer.core.instrument.MeterRegistry;
import io.opentelemetry.api.common.AttributeKey;
import io.opentelemetry.api.trace.SpanKind;
import io.opentelemetry.api.trace.propagation.W3CTraceContextPropagator;
import io.opentelemetry.context.propagation.ContextPropagators;
import io.opentelemetry.sdk.OpenTelemetrySdk;
import io.opentelemetry.sdk.testing.exporter.InMemorySpanExporter;
import io.opentelemetry.sdk.trace.SdkTracerProvider;
import io.opentelemetry.sdk.trace.data.SpanData;
import io.opentelemetry.sdk.trace.export.SimpleSpanProcessor;
import io.runnel.api.transport.ConnectionUrl;
import io.runnel.engine.App;
import io.runnel.engine.ProcessingContext;
import io.runnel.engine.ProcessorView;
import io.runnel.engine.RetryPolicy;
import io.runnel.engine.Stream;
import io.runnel.redis.lettuce.LettuceTransport;
import io.runnel.testkit.LoopbackProxy;
import io.runnel.testkit.RedisExtension;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;
import org.junit.jupiter.api.extension.RegisterExtension;
import org.springframework.boot.SpringBootConfiguration;
import org.springframework.boot.WebApplicationType;
import org.springframework.boot.autoconfigure.EnableAutoConfiguration;
import org.springframework.boot.builder.SpringApplicationBuilder;
import org.springframework.boot.health.contributor.HealthIndicator;
import org.springframework.boot.health.contributor.Status;
import org.springframework.boot.test.system.CapturedOutput;
import org.springframework.boot.test.system.OutputCaptureExtension;
import org.springframework.context.ConfigurableApplicationContext;
import org.springframework.context.annotation.Bean;

import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.atomic.AtomicInteger;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.awaitility.Awaitility.await;

/** The starter in a real Spring Boot application context against a real redis-server. */
@Tag("redis")
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
                .hasStackTraceContaining("invalid Runnel property runnel.default-partition-count");
    }

    record Invoice(String customer, int cents) {
    }

    /** Turns orders into invoices ({@code sendTo}), with every option the annotation takes. */
    static class Invoicer {
        final AtomicInteger tries = new AtomicInteger();

        @RunnelProcessor(stream = "orders", name = "invoicer", sendTo = "invoices", retryAttempts = 3,
                retryBackoff = "10ms", prefetchCount = 5, poolSize = 2, maxProcessingTime = "${invoicer.timeout:45s}",
                maxInFlight = 4,
                exceptionPolicy = RunnelProcessor.Policy.IGNORE)
        Invoice invoice(Order order) {
            if (order.seq() == 3 && tries.incrementAndGet() < 3) {
                throw new IllegalStateException("the second retry succeeds");
            }
            return order.seq() % 5 == 0 ? null : new Invoice(order.customer(), order.seq() * 10); // null: nothing sent
        }
    }

    /** Takes the invoices. */
    static class Ledger {
        final List<Invoice> seen = new CopyOnWriteArrayList<>();

        @RunnelProcessor(stream = "invoices", name = "ledger")
        void record(Invoice invoice) {
            seen.add(invoice);
        }
    }

    /** The streams of orders and invoices, and the ledger of invoices: what the services below share. */
    abstract static class OrdersToLedger {
        @Bean
        Stream<Order> orders(App app) {
            return app.stream("orders", Order.class, Order::customer, o -> o.partitionCount(2));
        }

        @Bean
        Stream<Invoice> invoices(App app) {
            return app.stream("invoices", Invoice.class, Invoice::customer, o -> o.partitionCount(2));
        }

        @Bean
        Ledger ledger() {
            return new Ledger();
        }
    }

    @SpringBootConfiguration
    @EnableAutoConfiguration
    static class InvoiceService extends OrdersToLedger {
        @Bean
        Invoicer invoicer() {
            return new Invoicer();
        }
    }

    @Test
    void annotation_attributes_are_the_processors_options() {
        try (ConfigurableApplicationContext context = new SpringApplicationBuilder(InvoiceService.class)
                .web(WebApplicationType.NONE).properties("runnel.app=" + appName(), "runnel.redis-url=" + redis.url(),
                        "runnel.worker.enabled=false", "invoicer.timeout=20s").run()) {
            App app = context.getBean(App.class);
            ProcessorView.Options invoicer = ProcessorView.of(app, "invoicer");
            assertThat(invoicer.retry()).isEqualTo(new RetryPolicy(3, Duration.ofMillis(10), Duration.ofSeconds(10), 2, 0.2));
            assertThat(invoicer.prefetchCount()).isEqualTo(5);
            assertThat(invoicer.poolSize()).isEqualTo(2);
            assertThat(invoicer.maxProcessingTime()).as("from the placeholder").isEqualTo(Duration.ofSeconds(20));
            assertThat(invoicer.exceptionPolicy()).isEqualTo(io.runnel.api.ExceptionPolicy.IGNORE);
            assertThat(invoicer.maxInFlight()).isEqualTo(4);
            ProcessorView.Options ledger = ProcessorView.of(app, "ledger");
            assertThat(ledger.prefetchCount()).isEqualTo(app.settings().defaultPrefetchCount());
            assertThat(ledger.maxProcessingTime()).isEqualTo(app.settings().defaultMaxProcessingTime());
            assertThat(ledger.maxInFlight()).isEqualTo(1);
        }
    }

    /** Counts each customer's orders in keyed state, and sends the running count as an invoice. */
    static class Counter {
        @RunnelProcessor(stream = "orders", name = "counter", sendTo = "invoices",
                processingGuarantee = "${counter.guarantee:exactly_once}", maxInFlight = 4)
        Invoice count(Order order, ProcessingContext context) {
            long n = context.state("orders-per-customer", Long.class).merge(order.customer(), 1L, Long::sum);
            return new Invoice(order.customer(), (int) n);
        }
    }

    @SpringBootConfiguration
    @EnableAutoConfiguration
    static class CountingService extends OrdersToLedger {
        @Bean
        Counter counter() {
            return new Counter();
        }
    }

    /** Orders 1 to 12, of customers 0, 1 and 2 in turn. */
    private static List<Order> twelveOrdersOfThreeCustomers() {
        List<Order> sent = new ArrayList<>();
        for (int i = 1; i <= 12; i++) {
            sent.add(new Order("customer-" + (i % 3), i));
        }
        return sent;
    }

    @Test
    void a_method_taking_a_context_keeps_state_and_sends_what_it_returns_exactly_once() {
        try (ConfigurableApplicationContext context = new SpringApplicationBuilder(CountingService.class)
                .web(WebApplicationType.NONE).properties("runnel.app=" + appName(), "runnel.redis-url=" + redis.url(),
                        "runnel.default-join-delay=0", "runnel.metrics-reporters=none").run()) {
            App app = context.getBean(App.class);
            assertThat(ProcessorView.of(app, "counter").guarantee())
                    .isEqualTo(io.runnel.api.ProcessingGuarantee.EXACTLY_ONCE);
            assertThat(ProcessorView.of(app, "counter").maxInFlight()).isEqualTo(4);
            @SuppressWarnings("unchecked")
            Stream<Order> orders = (Stream<Order>) app.streamNamed("orders");
            List<Order> sent = twelveOrdersOfThreeCustomers();
            orders.sendAll(sent);
            Ledger ledger = context.getBean(Ledger.class);
            await().atMost(Duration.ofSeconds(30)).until(() -> ledger.seen.size() >= 12);
            List<Invoice> expected = new ArrayList<>();
            for (int c = 0; c < 3; c++) {
                for (int n = 1; n <= 4; n++) {
                    expected.add(new Invoice("customer-" + c, n));
                }
            }
            assertThat(ledger.seen).containsExactlyInAnyOrderElementsOf(expected);
        }
    }

    @Test
    void send_to_forwards_what_the_method_returns_before_the_event_is_acknowledged() {
        try (ConfigurableApplicationContext context = new SpringApplicationBuilder(InvoiceService.class)
                .web(WebApplicationType.NONE).properties("runnel.app=" + appName(), "runnel.redis-url=" + redis.url(),
                        "runnel.default-join-delay=0", "runnel.metrics-reporters=none").run()) {
            @SuppressWarnings("unchecked")
            Stream<Order> orders = (Stream<Order>) context.getBean(App.class).streamNamed("orders");
            List<Order> sent = twelveOrdersOfThreeCustomers();
            orders.sendAll(sent);
            List<Invoice> expected = sent.stream().filter(o -> o.seq() % 5 != 0)
                    .map(o -> new Invoice(o.customer(), o.seq() * 10)).toList();
            Ledger ledger = context.getBean(Ledger.class);
            await().atMost(Duration.ofSeconds(30)).until(() -> ledger.seen.size() >= expected.size());
            assertThat(ledger.seen).containsExactlyInAnyOrderElementsOf(expected);
            assertThat(context.getBean(Invoicer.class).tries).as("order 3 failed twice, then was sent once").hasValue(3);
        }
    }

    /** A sendTo the method cannot feed. */
    @SpringBootConfiguration
    @EnableAutoConfiguration
    static class MisdirectedService {
        @Bean
        Stream<Order> orders(App app) {
            return app.stream("orders", Order.class, Order::customer);
        }

        @Bean
        Stream<Invoice> invoices(App app) {
            return app.stream("invoices", Invoice.class, Invoice::customer);
        }

        @Bean
        Misdirected misdirected() {
            return new Misdirected();
        }

        static class Misdirected {
            @RunnelProcessor(stream = "orders", sendTo = "invoices")
            String describe(Order order) {
                return order.toString();
            }
        }
    }

    @Test
    void a_send_to_the_method_cannot_feed_fails_startup_naming_both() {
        assertThatThrownBy(() -> new SpringApplicationBuilder(MisdirectedService.class).web(WebApplicationType.NONE)
                .properties("runnel.app=" + appName(), "runnel.redis-url=" + redis.url(), "runnel.worker.enabled=false")
                .run())
                .isInstanceOf(io.runnel.api.Misconfigured.class).hasMessage("@RunnelProcessor Misdirected.describe(Order): sendTo = \"invoices\": the method "
                        + "returns java.lang.String but stream invoices carries " + Invoice.class.getName());
    }

    /** A method that returns a value nobody asked for. */
    @SpringBootConfiguration
    @EnableAutoConfiguration
    static class DroppingService {
        @Bean
        Stream<Order> orders(App app) {
            return app.stream("orders", Order.class, Order::customer);
        }

        @Bean
        Dropper dropper() {
            return new Dropper();
        }

        static class Dropper {
            @RunnelProcessor(stream = "orders")
            String describe(Order order) {
                return order.toString();
            }
        }
    }

    @Test
    @ExtendWith(OutputCaptureExtension.class)
    void a_returned_value_without_send_to_is_warned_about_at_start(CapturedOutput output) {
        try (ConfigurableApplicationContext context = new SpringApplicationBuilder(DroppingService.class)
                .web(WebApplicationType.NONE).properties("runnel.app=" + appName(), "runnel.redis-url=" + redis.url(),
                        "runnel.worker.enabled=false").run()) {
            assertThat(context.getBean(App.class).processors()).containsExactly("describe");
            assertThat(output.getOut()).contains("WARN").contains("@RunnelProcessor Dropper.describe(Order) returns "
                    + "String but has no sendTo: what it returns is dropped");
        }
    }

    /** A service with its own OpenTelemetry bean, as Spring Boot's or the application's would be. */
    @SpringBootConfiguration
    @EnableAutoConfiguration
    static class TracedService {
        static final InMemorySpanExporter SPANS = InMemorySpanExporter.create();

        @Bean(destroyMethod = "close")
        OpenTelemetrySdk openTelemetry() {
            return OpenTelemetrySdk.builder().setTracerProvider(SdkTracerProvider.builder()
                    .addSpanProcessor(SimpleSpanProcessor.create(SPANS)).build())
                    .setPropagators(ContextPropagators.create(W3CTraceContextPropagator.getInstance())).build();
        }

        @Bean
        Stream<Order> orders(App app) {
            return app.stream("orders", Order.class, Order::customer, o -> o.partitionCount(1));
        }

        @Bean
        Billing billing() {
            return new Billing();
        }
    }

    @Test
    void deliveries_are_traced_through_the_applications_open_telemetry() {
        TracedService.SPANS.reset();
        try (ConfigurableApplicationContext context = new SpringApplicationBuilder(TracedService.class)
                .web(WebApplicationType.NONE).properties("runnel.app=" + appName(), "runnel.redis-url=" + redis.url(),
                        "runnel.default-join-delay=0", "runnel.metrics-reporters=none").run()) {
            @SuppressWarnings("unchecked")
            Stream<Order> orders = context.getBean(Stream.class);
            orders.send(new Order("traced", 1));
            await().atMost(Duration.ofSeconds(30)).until(() -> context.getBean(Billing.class).seen.size() == 1);
            await().atMost(Duration.ofSeconds(10)).until(() -> TracedService.SPANS.getFinishedSpanItems().stream()
                    .anyMatch(span -> span.getName().equals("process orders")));
            SpanData span = TracedService.SPANS.getFinishedSpanItems().stream()
                    .filter(s -> s.getName().equals("process orders")).findFirst().orElseThrow();
            assertThat(span.getKind()).isEqualTo(SpanKind.CONSUMER);
            assertThat(span.getAttributes().get(AttributeKey.stringKey("messaging.consumer.group.name")))
                    .isEqualTo("billing");
            // The send made its own PRODUCER span, and the bean's propagators carried it across the stream.
            SpanData send = TracedService.SPANS.getFinishedSpanItems().stream()
                    .filter(s -> s.getName().equals("send orders")).findFirst().orElseThrow();
            assertThat(send.getKind()).isEqualTo(SpanKind.PRODUCER);
            assertThat(span.getParentSpanId()).isEqualTo(send.getSpanId());
        }
    }
}
