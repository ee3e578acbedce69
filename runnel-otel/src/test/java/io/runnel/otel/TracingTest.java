// SPDX-License-Identifier: Apache-2.0

package io.runnel.otel;

import io.opentelemetry.api.trace.Span;
import io.opentelemetry.api.trace.SpanKind;
import io.opentelemetry.api.trace.StatusCode;
import io.opentelemetry.context.Scope;
import io.opentelemetry.sdk.testing.junit5.OpenTelemetryExtension;
import io.opentelemetry.sdk.trace.data.LinkData;
import io.opentelemetry.sdk.trace.data.SpanData;
import io.runnel.api.ExceptionPolicy;
import io.runnel.api.transport.ConnectionUrl;
import io.runnel.api.transport.StreamEntry;
import io.runnel.engine.App;
import io.runnel.engine.Stream;
import io.runnel.engine.Worker;
import io.runnel.redis.lettuce.LettuceTransport;
import io.runnel.testkit.RedisExtension;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.UUID;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

/**
 * Sends and deliveries traced through the SDK's in-memory exporter: a PRODUCER span under the
 * sender's span, CONSUMER spans that are its children (one event) or linked to it (a batch),
 * an error status on failure, and entries that carry nothing more than {@code traceparent}.
 */
class TracingTest {
    @RegisterExtension
    static RedisExtension redis = new RedisExtension();

    @RegisterExtension
    static final OpenTelemetryExtension otel = OpenTelemetryExtension.create();

    record Order(String customer, int seq) {
    }

    @BeforeEach
    void useTheTestsTelemetry() {
        RunnelTelemetry.use(otel.getOpenTelemetry());
    }

    @AfterEach
    void useTheGlobalTelemetryAgain() {
        RunnelTelemetry.useGlobal();
    }

    private static List<SpanData> spans(String name) {
        return otel.getSpans().stream().filter(s -> s.getName().equals(name)).toList();
    }

    @Test
    void a_send_in_a_span_is_a_producer_span_whose_deliveries_are_its_consumers() {
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
            Span request = otel.getOpenTelemetry().getTracer("test").spanBuilder("request").startSpan();
            List<String> ids;
            try (Scope ignored = request.makeCurrent()) {
                ids = orders.sendAll(five);
            } finally {
                request.end();
            }
            String untraced = orders.send(new Order("c", 0));

            // The entries: the record's own bytes, plus traceparent when sent in a span.
            List<StreamEntry> entries;
            try (LettuceTransport view = new LettuceTransport(ConnectionUrl.parse(redis.url()))) {
                entries = view.range(orders.partitionKey(0), "-", "+", 0);
            }
            assertThat(entries.get(0).fields().keySet()).containsExactly("data", "traceparent");
            assertThat(entries.get(5).id()).isEqualTo(untraced);
            assertThat(entries.get(5).fields().keySet()).containsExactly("data");
            assertThat(entries.get(0).fields().get("data")).isEqualTo(entries.get(5).fields().get("data"));

            SpanData producer = spans("send orders").get(0);
            assertThat(producer.getKind()).isEqualTo(SpanKind.PRODUCER);
            assertThat(producer.getParentSpanId()).isEqualTo(request.getSpanContext().getSpanId());
            assertThat(producer.getAttributes().asMap()).containsEntry(OpenTelemetryInstrumentation.SYSTEM, "redis")
                    .containsEntry(OpenTelemetryInstrumentation.DESTINATION, "orders")
                    .containsEntry(OpenTelemetryInstrumentation.BATCH_COUNT, 5L);
            assertThat(new String(entries.get(0).fields().get("traceparent"), StandardCharsets.UTF_8))
                    .contains(producer.getTraceId()).contains(producer.getSpanId());
            assertThat(spans("send orders")).as("no span for the send outside a span").hasSize(1);

            Worker worker = app.worker().start();
            await().atMost(Duration.ofSeconds(30)).until(() -> spans("process orders").stream()
                    .filter(s -> "single".equals(s.getAttributes().get(OpenTelemetryInstrumentation.GROUP))).count() == 6
                    && spans("process orders").stream()
                    .filter(s -> "batches".equals(s.getAttributes().get(OpenTelemetryInstrumentation.GROUP))).count() >= 1);
            worker.stop();

            List<SpanData> single = spans("process orders").stream()
                    .filter(s -> "single".equals(s.getAttributes().get(OpenTelemetryInstrumentation.GROUP))).toList();
            for (SpanData s : single) {
                assertThat(s.getKind()).isEqualTo(SpanKind.CONSUMER);
                String id = s.getAttributes().get(OpenTelemetryInstrumentation.MESSAGE_ID);
                if (id.equals(untraced)) {
                    assertThat(s.getParentSpanContext().isValid()).as("no sender to follow").isFalse();
                } else {
                    assertThat(ids).contains(id);
                    assertThat(s.getTraceId()).isEqualTo(producer.getTraceId());
                    assertThat(s.getParentSpanId()).isEqualTo(producer.getSpanId());
                }
                assertThat(s.getAttributes().get(OpenTelemetryInstrumentation.PARTITION)).isEqualTo("0");
            }
            SpanData failed = single.stream()
                    .filter(s -> ids.get(3).equals(s.getAttributes().get(OpenTelemetryInstrumentation.MESSAGE_ID)))
                    .findFirst().orElseThrow();
            assertThat(failed.getStatus().getStatusCode()).isEqualTo(StatusCode.ERROR);
            assertThat(failed.getEvents()).anySatisfy(e -> assertThat(e.getName()).isEqualTo("exception"));
            assertThat(single.stream().filter(s -> s.getStatus().getStatusCode() == StatusCode.ERROR)).hasSize(1);

            SpanData batch = spans("process orders").stream()
                    .filter(s -> "batches".equals(s.getAttributes().get(OpenTelemetryInstrumentation.GROUP)))
                    .findFirst().orElseThrow();
            assertThat(batch.getParentSpanContext().isValid()).isFalse();
            assertThat(batch.getLinks()).extracting(LinkData::getSpanContext)
                    .allSatisfy(c -> assertThat(c.getSpanId()).isEqualTo(producer.getSpanId()));
            assertThat(batch.getLinks()).isNotEmpty();
        }
    }
}
