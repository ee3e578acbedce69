// SPDX-License-Identifier: Apache-2.0

package io.runnel.otel;

import io.opentelemetry.api.baggage.Baggage;
import io.opentelemetry.api.baggage.propagation.W3CBaggagePropagator;
import io.opentelemetry.api.trace.Span;
import io.opentelemetry.api.trace.SpanKind;
import io.opentelemetry.api.trace.StatusCode;
import io.opentelemetry.api.trace.propagation.W3CTraceContextPropagator;
import io.opentelemetry.context.Scope;
import io.opentelemetry.context.propagation.ContextPropagators;
import io.opentelemetry.context.propagation.TextMapPropagator;
import io.opentelemetry.sdk.OpenTelemetrySdk;
import io.opentelemetry.sdk.testing.exporter.InMemorySpanExporter;
import io.opentelemetry.sdk.trace.SdkTracerProvider;
import io.opentelemetry.sdk.trace.data.LinkData;
import io.opentelemetry.sdk.trace.data.SpanData;
import io.opentelemetry.sdk.trace.export.SimpleSpanProcessor;
import io.runnel.api.ExceptionPolicy;
import io.runnel.api.transport.ConnectionUrl;
import io.runnel.api.transport.StreamEntry;
import io.runnel.engine.App;
import io.runnel.engine.ProcessorFunction;
import io.runnel.engine.Stream;
import io.runnel.engine.Worker;
import io.runnel.redis.lettuce.LettuceTransport;
import io.runnel.testkit.RedisExtension;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import java.util.stream.IntStream;

import static io.runnel.otel.OpenTelemetryInstrumentation.ERROR_TYPE;
import static io.runnel.otel.OpenTelemetryInstrumentation.GROUP;
import static io.runnel.otel.OpenTelemetryInstrumentation.MESSAGE_ID;
import static io.runnel.otel.OpenTelemetryInstrumentation.PARTITION;
import static io.runnel.otel.OpenTelemetryInstrumentation.SERVER_ADDRESS;
import static io.runnel.otel.OpenTelemetryInstrumentation.SERVER_PORT;
import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

/**
 * Sends and deliveries traced through an SDK with an in-memory exporter and the W3C trace
 * context and baggage propagators, over a real Redis: PRODUCER spans (under the sender's
 * span, or the root of a trace), CONSUMER spans that are their children (one event) or linked
 * to them (a batch), baggage that crosses the stream, and the attributes the messaging
 * conventions ask for.
 */
@Tag("redis")
class TracingTest {
    @RegisterExtension
    static RedisExtension redis = new RedisExtension();

    static final InMemorySpanExporter SPANS = InMemorySpanExporter.create();
    static final OpenTelemetrySdk SDK = OpenTelemetrySdk.builder()
            .setTracerProvider(SdkTracerProvider.builder().addSpanProcessor(SimpleSpanProcessor.create(SPANS)).build())
            .setPropagators(ContextPropagators.create(TextMapPropagator.composite(
                    W3CTraceContextPropagator.getInstance(), W3CBaggagePropagator.getInstance())))
            .build();

    record Order(String customer, int seq) {
    }

    @BeforeEach
    void useTheTestsTelemetry() {
        SPANS.reset();
        RunnelTelemetry.use(SDK);
    }

    @AfterEach
    void useTheGlobalTelemetryAgain() {
        RunnelTelemetry.useGlobal();
    }

    private static List<SpanData> spans(String name) {
        return SPANS.getFinishedSpanItems().stream().filter(s -> s.getName().equals(name)).toList();
    }

    private static List<SpanData> processed(String processor) {
        return spans("process orders").stream().filter(s -> processor.equals(s.getAttributes().get(GROUP))).toList();
    }

    private static String field(StreamEntry entry, String name) {
        byte[] value = entry.fields().get(name);
        return value == null ? null : new String(value, StandardCharsets.UTF_8);
    }

    @Test
    void every_send_is_a_producer_span_whose_deliveries_are_its_consumers() {
        String name = "otel" + UUID.randomUUID().toString().substring(0, 8);
        try (App app = App.builder(name).redisUrl(redis.url()).setting("default_partition_count", 1)
                .setting("default_join_delay", 0).build()) {
            Stream<Order> orders = app.stream("orders", Order.class, Order::customer);
            app.processor(orders, "single", o -> o.exceptionPolicy(ExceptionPolicy.IGNORE), events -> {
                for (Order order : events.records()) {
                    if (order.seq() == 3) {
                        throw new IllegalStateException("cannot take 3");
                    }
                }
            });
            app.processor(orders, "batches", events -> {
                for (List<Order> ignored : events.take(10, Duration.ofMillis(500)).records()) {
                    // one span per batch
                }
            });

            List<Order> five = new ArrayList<>();
            for (int i = 0; i < 5; i++) {
                five.add(new Order("c", i));
            }
            Span request = SDK.getTracer("test").spanBuilder("request").startSpan();
            List<String> ids;
            try (Scope ignored = request.makeCurrent()) {
                ids = orders.sendAll(five);
            } finally {
                request.end();
            }
            String untraced = orders.send(new Order("c", 0)); // no span active: a trace starts here

            // The entries: the record's own bytes, plus the trace context of their send.
            List<StreamEntry> entries;
            try (LettuceTransport view = new LettuceTransport(ConnectionUrl.parse(redis.url()))) {
                entries = view.range(orders.partitionKey(0), "-", "+", 0);
            }
            assertThat(entries.get(0).fields().keySet()).containsExactly("data", "traceparent");
            assertThat(entries.get(5).id()).isEqualTo(untraced);
            assertThat(entries.get(5).fields().keySet()).containsExactly("data", "traceparent");
            assertThat(entries.get(0).fields().get("data")).isEqualTo(entries.get(5).fields().get("data"));

            List<SpanData> sends = spans("send orders");
            assertThat(sends).hasSize(2).allSatisfy(s -> {
                assertThat(s.getKind()).isEqualTo(SpanKind.PRODUCER);
                assertThat(s.getAttributes().get(PARTITION)).as("all entries go to partition 0").isEqualTo("0");
                assertThat(s.getAttributes().get(SERVER_ADDRESS)).isEqualTo("127.0.0.1");
                assertThat(s.getAttributes().get(SERVER_PORT)).isEqualTo((long) redis.server().port());
                assertThat(s.getInstrumentationScopeInfo().getName()).isEqualTo("io.runnel");
                assertThat(s.getInstrumentationScopeInfo().getVersion()).as("the project's, from the module's jar")
                        .isEqualTo(RunnelTelemetry.VERSION).matches("\\d+\\.\\d+\\.\\d+(-SNAPSHOT)?");
            });
            SpanData producer = sends.stream().filter(s -> s.getParentSpanContext().isValid()).findFirst().orElseThrow();
            assertThat(producer.getParentSpanId()).isEqualTo(request.getSpanContext().getSpanId());
            assertThat(producer.getAttributes().asMap()).containsEntry(OpenTelemetryInstrumentation.SYSTEM, "redis")
                    .containsEntry(OpenTelemetryInstrumentation.DESTINATION, "orders")
                    .containsEntry(OpenTelemetryInstrumentation.BATCH_COUNT, 5L);
            assertThat(field(entries.get(0), "traceparent")).contains(producer.getTraceId()).contains(producer.getSpanId());
            SpanData rootProducer = sends.stream().filter(s -> !s.getParentSpanContext().isValid()).findFirst().orElseThrow();
            assertThat(rootProducer.getAttributes().get(MESSAGE_ID)).isEqualTo(untraced);
            assertThat(rootProducer.getTraceId()).isNotEqualTo(producer.getTraceId());
            assertThat(field(entries.get(5), "traceparent")).contains(rootProducer.getSpanId());

            Worker worker = app.worker().start();
            await().atMost(Duration.ofSeconds(30)).until(() -> processed("single").size() == 6
                    && !processed("batches").isEmpty());
            worker.stop();

            List<SpanData> single = processed("single");
            for (SpanData s : single) {
                assertThat(s.getKind()).isEqualTo(SpanKind.CONSUMER);
                assertThat(s.getAttributes().get(PARTITION)).isEqualTo("0");
                assertThat(s.getAttributes().get(SERVER_ADDRESS)).isEqualTo("127.0.0.1");
                assertThat(s.getAttributes().get(SERVER_PORT)).isEqualTo((long) redis.server().port());
                String id = s.getAttributes().get(MESSAGE_ID);
                SpanData sender = id.equals(untraced) ? rootProducer : producer;
                assertThat(id.equals(untraced) || ids.contains(id)).isTrue();
                assertThat(s.getTraceId()).isEqualTo(sender.getTraceId());
                assertThat(s.getParentSpanId()).isEqualTo(sender.getSpanId());
            }
            SpanData failed = single.stream().filter(s -> ids.get(3).equals(s.getAttributes().get(MESSAGE_ID)))
                    .findFirst().orElseThrow();
            assertThat(failed.getStatus().getStatusCode()).isEqualTo(StatusCode.ERROR);
            assertThat(failed.getAttributes().get(ERROR_TYPE)).isEqualTo(IllegalStateException.class.getName());
            assertThat(failed.getEvents()).anySatisfy(e -> assertThat(e.getName()).isEqualTo("exception"));
            assertThat(single.stream().filter(s -> s.getStatus().getStatusCode() == StatusCode.ERROR)).hasSize(1);
            assertThat(single.stream().filter(s -> s.getAttributes().get(ERROR_TYPE) != null)).hasSize(1);

            SpanData batch = processed("batches").get(0);
            assertThat(batch.getParentSpanContext().isValid()).isFalse();
            assertThat(batch.getLinks()).isNotEmpty().extracting(LinkData::getSpanContext)
                    .allSatisfy(c -> assertThat(c.getSpanId()).isIn(producer.getSpanId(), rootProducer.getSpanId()));
        }
    }

    /**
     * With max_in_flight, deliveries of different keys overlap, each on its own thread: each
     * is its own consumer span, a child of its own send, and current in the handler.
     */
    @Test
    void with_max_in_flight_each_delivery_is_its_own_span_while_they_overlap() throws Exception {
        String name = "otelkeyed" + UUID.randomUUID().toString().substring(0, 8);
        int keys = 4;
        CountDownLatch allIn = new CountDownLatch(keys);
        Map<String, String> currentSpanById = new ConcurrentHashMap<>();
        try (App app = App.builder(name).redisUrl(redis.url()).setting("default_partition_count", 1)
                .setting("default_join_delay", 0).build()) {
            Stream<Order> orders = app.stream("orders", Order.class, Order::customer);
            app.processor(orders, "keyed", o -> o.maxInFlight(8), ProcessorFunction.<Order>eachRecord(order -> {
                allIn.countDown();
                assertThat(allIn.await(30, TimeUnit.SECONDS)).as("every key in flight at once").isTrue();
                currentSpanById.put(order.customer(), Span.current().getSpanContext().getSpanId());
            }));
            Map<String, String> sendSpanByCustomer = new ConcurrentHashMap<>();
            Map<String, String> idByCustomer = new ConcurrentHashMap<>();
            for (int k = 0; k < keys; k++) {
                Span request = SDK.getTracer("test").spanBuilder("request " + k).startSpan();
                try (Scope ignored = request.makeCurrent()) {
                    idByCustomer.put("c" + k, orders.send(new Order("c" + k, 0)));
                } finally {
                    request.end();
                }
            }
            for (SpanData send : spans("send orders")) {
                idByCustomer.forEach((customer, id) -> {
                    if (id.equals(send.getAttributes().get(MESSAGE_ID))) {
                        sendSpanByCustomer.put(customer, send.getSpanId());
                    }
                });
            }
            assertThat(sendSpanByCustomer).hasSize(keys);

            Worker worker = app.worker().start();
            await().atMost(Duration.ofSeconds(30)).until(() -> processed("keyed").size() == keys);
            worker.stop();

            List<SpanData> spans = processed("keyed");
            long lastStart = spans.stream().mapToLong(SpanData::getStartEpochNanos).max().orElseThrow();
            long firstEnd = spans.stream().mapToLong(SpanData::getEndEpochNanos).min().orElseThrow();
            assertThat(lastStart).as("the deliveries overlap").isLessThan(firstEnd);
            idByCustomer.forEach((customer, id) -> {
                SpanData span = spans.stream().filter(s -> id.equals(s.getAttributes().get(MESSAGE_ID))).findFirst()
                        .orElseThrow();
                assertThat(span.getParentSpanId()).as("%s's send", customer).isEqualTo(sendSpanByCustomer.get(customer));
                assertThat(currentSpanById.get(customer)).as("current in %s's handler", customer)
                        .isEqualTo(span.getSpanId());
            });
        }
    }

    @Test
    void baggage_crosses_the_stream_through_the_configured_propagators() {
        String name = "otelbag" + UUID.randomUUID().toString().substring(0, 8);
        Map<Integer, String> tenantSeen = new ConcurrentHashMap<>();
        try (App app = App.builder(name).redisUrl(redis.url()).setting("default_partition_count", 4)
                .setting("default_join_delay", 0).build()) {
            Stream<Order> orders = app.stream("orders", Order.class, Order::customer);
            app.processor(orders, "billing", events -> {
                for (Order order : events.records()) {
                    tenantSeen.put(order.seq(), String.valueOf(Baggage.current().getEntryValue("tenant")));
                }
            });
            List<Order> spread = IntStream.range(0, 8).mapToObj(i -> new Order("customer-" + i, i)).toList();
            assertThat(spread.stream().map(orders::partitionOf).distinct().count()).as("a send to several partitions")
                    .isGreaterThan(1);
            try (Scope ignored = Baggage.current().toBuilder().put("tenant", "acme").build().makeCurrent()) {
                orders.sendAll(spread);
            }
            orders.send(new Order("customer-0", 8)); // without baggage

            Worker worker = app.worker().start();
            await().atMost(Duration.ofSeconds(30)).until(() -> tenantSeen.size() == 9);
            worker.stop();

            for (int i = 0; i < 8; i++) {
                assertThat(tenantSeen).as("order " + i).containsEntry(i, "acme");
            }
            assertThat(tenantSeen).containsEntry(8, "null");
            SpanData several = spans("send orders").stream()
                    .filter(s -> Long.valueOf(8).equals(s.getAttributes().get(OpenTelemetryInstrumentation.BATCH_COUNT)))
                    .findFirst().orElseThrow();
            assertThat(several.getAttributes().get(PARTITION)).as("no one partition for a send to several").isNull();
        }
    }
}
