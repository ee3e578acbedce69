// SPDX-License-Identifier: Apache-2.0

package io.runnel.engine;

import io.runnel.api.Misconfigured;
import io.runnel.api.Primitive;
import org.junit.jupiter.api.Test;

import java.time.Duration;
import java.util.List;
import java.util.Map;

import static io.runnel.engine.TestApps.Order;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

/** Misuse fails when the app is defined, with a message that says what to fix. No server needed. */
class DefinitionTest {

    @Primitive
    record Nested(String id, List<String> tags) {
    }

    static final class NotARecord {
    }

    sealed interface Payment permits Card {
    }

    record Card(String number) implements Payment {
    }

    record Checkout(String id, Payment payment) {
    }

    private static App app() {
        return App.builder("defs").environment(Map.of()).build();
    }

    @Test
    void a_primitive_record_with_a_nested_component_is_rejected() {
        assertThatThrownBy(() -> app().stream("s", Nested.class, Nested::id))
                .isInstanceOf(Misconfigured.class)
                .hasMessageContaining("component 'tags'").hasMessageContaining("primitive");
    }

    @Test
    void a_structured_record_the_serializer_cannot_read_back_is_refused_at_definition() {
        assertThatThrownBy(() -> app().stream("checkouts", Checkout.class, Checkout::id))
                .isInstanceOf(Misconfigured.class)
                .hasMessageContaining("stream checkouts cannot use serializer json")
                .hasMessageContaining("Checkout.payment")
                .hasMessageContaining("@JsonTypeInfo");
    }

    @Test
    void other_classes_are_opaque_structured_types_without_components() {
        App app = app();
        Stream<NotARecord> s = app.stream("s", NotARecord.class, Object::hashCode);
        assertThat(s.recordType().isRecord()).isFalse();
        assertThat(s.recordType().primitive()).isFalse();
        assertThatThrownBy(() -> app.stream("t", NotARecord.class, "id"))
                .isInstanceOf(Misconfigured.class).hasMessageContaining("not a Java record");
    }

    @Primitive
    static final class PrimitiveButNotARecord {
    }

    @Primitive(fieldNames = Primitive.FieldNames.SNAKE_CASE)
    record SameFieldTwice(String orderId, String order_id) {
    }

    @Test
    void a_primitive_record_whose_components_share_a_field_name_is_rejected() {
        assertThatThrownBy(() -> app().stream("s", SameFieldTwice.class, SameFieldTwice::orderId))
                .isInstanceOf(Misconfigured.class)
                .hasMessageContaining("'orderId' and 'order_id'").hasMessageContaining("SNAKE_CASE");
    }

    @Test
    void only_records_can_be_primitive() {
        assertThatThrownBy(() -> app().stream("s", PrimitiveButNotARecord.class, Object::hashCode))
                .isInstanceOf(Misconfigured.class).hasMessageContaining("not a Java record");
    }

    @Test
    void names_unsafe_in_redis_keys_are_rejected() {
        App app = app();
        for (String bad : List.of("has space", "a:b", "star*", "", "br{ace}")) {
            assertThatThrownBy(() -> app.stream(bad, Order.class, Order::key)).isInstanceOf(Misconfigured.class)
                    .hasMessageContaining("stream name");
        }
        assertThatThrownBy(() -> App.builder("my app").environment(Map.of()).build())
                .isInstanceOf(Misconfigured.class).hasMessageContaining("app name");
    }

    @Test
    void a_multi_partition_stream_needs_a_key_and_names_are_unique() {
        App app = app();
        assertThatThrownBy(() -> app.stream("s", Order.class, (java.util.function.Function<Order, ?>) null, o -> { }))
                .isInstanceOf(Misconfigured.class).hasMessageContaining("no partition key");
        app.stream("s", Order.class, Order::key);
        assertThatThrownBy(() -> app.stream("s", Order.class, Order::key))
                .isInstanceOf(Misconfigured.class).hasMessageContaining("already defined");
    }

    @Test
    void duplicate_processor_names_are_rejected() {
        App app = app();
        Stream<Order> s = app.stream("s", Order.class, Order::key);
        app.processor(s, "p", events -> { });
        assertThatThrownBy(() -> app.processor(s, "p", events -> { }))
                .isInstanceOf(Misconfigured.class).hasMessageContaining("already defined");
    }

    @Test
    void a_read_timeout_longer_than_the_grace_period_is_rejected() {
        App app = app();
        Stream<Order> s = app.stream("s", Order.class, Order::key);
        assertThatThrownBy(() -> app.processor(s, "p",
                o -> o.readTimeout(Duration.ofSeconds(10)).gracePeriod(Duration.ofSeconds(5)), events -> { }))
                .isInstanceOf(Misconfigured.class)
                .hasMessageContaining("read_timeout").hasMessageContaining("grace_period");
    }

    @Test
    void options_must_be_positive() {
        App app = app();
        Stream<Order> s = app.stream("s", Order.class, Order::key);
        assertThatThrownBy(() -> app.processor(s, "p", o -> o.prefetchCount(0), events -> { }))
                .isInstanceOf(Misconfigured.class).hasMessageContaining("prefetch_count");
        assertThatThrownBy(() -> app.stream("t", Order.class, Order::key, o -> o.partitionCount(0)))
                .isInstanceOf(Misconfigured.class).hasMessageContaining("partition_count");
    }

    @Test
    void workers_for_unknown_processors_are_rejected() {
        App app = app();
        assertThatThrownBy(() -> app.worker("ghost")).isInstanceOf(Misconfigured.class).hasMessageContaining("ghost");
    }

    @Test
    void a_stream_partitions_by_component_name_like_by_function() {
        App app = app();
        Stream<Order> byName = app.stream("a", Order.class, "key");
        Stream<Order> byFunction = app.stream("b", Order.class, Order::key);
        for (int i = 0; i < 50; i++) {
            Order o = new Order("k" + i, 0);
            assertThat(byName.partitionOf(o)).isEqualTo(byFunction.partitionOf(o));
        }
    }
}
