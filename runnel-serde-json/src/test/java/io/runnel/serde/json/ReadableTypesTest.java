// SPDX-License-Identifier: Apache-2.0

package io.runnel.serde.json;

import com.fasterxml.jackson.annotation.JsonSubTypes;
import com.fasterxml.jackson.annotation.JsonTypeInfo;
import com.fasterxml.jackson.core.JsonParser;
import com.fasterxml.jackson.databind.DeserializationContext;
import com.fasterxml.jackson.databind.JsonDeserializer;
import com.fasterxml.jackson.databind.module.SimpleModule;
import io.runnel.api.RecordType;
import io.runnel.api.SerializationException;
import org.junit.jupiter.api.Test;

import java.math.BigDecimal;
import java.time.Instant;
import java.util.List;
import java.util.Map;
import java.util.Optional;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatCode;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

/**
 * {@link JsonSerializer#checkReadable}: what a stream may be defined with. A type Jackson
 * writes but could never read back is refused at once, naming the component; everything it
 * reads stays allowed.
 */
class ReadableTypesTest {
    private final JsonSerializer json = new JsonSerializer();

    sealed interface Payment permits Card, Cash {
    }

    record Card(String number) implements Payment {
    }

    record Cash(BigDecimal amount) implements Payment {
    }

    record Order(String id, Payment payment) {
    }

    abstract static class Shape {
    }

    record Drawing(String name, List<Shape> shapes) {
    }

    record Wrapper(Map<String, List<Order>> byId) {
    }

    @JsonTypeInfo(use = JsonTypeInfo.Id.NAME)
    @JsonSubTypes({@JsonSubTypes.Type(value = TypedCard.class, name = "card")})
    sealed interface TypedPayment permits TypedCard {
    }

    record TypedCard(String number) implements TypedPayment {
    }

    record TypedOrder(String id, TypedPayment payment, List<TypedPayment> history) {
    }

    record Flat(String id, long amount, Instant at, List<String> tags, Map<String, Object> extra, BigDecimal fee) {
    }

    record WithOptional(String id, Optional<BigDecimal> fee) {
    }

    static final class NoCreator {
        private final String id;

        NoCreator(String id, int unnamed) {
            this.id = id + unnamed;
        }

        public String getId() {
            return id;
        }
    }

    record Holder(NoCreator inside) {
    }

    record SelfReferencing(String name, List<SelfReferencing> children) {
    }

    @Test
    void a_sealed_interface_component_without_type_information_is_refused_naming_it() {
        assertThatThrownBy(() -> json.checkReadable(RecordType.of(Order.class)))
                .isInstanceOf(SerializationException.class)
                .hasMessageContaining("Order.payment")
                .hasMessageContaining(Payment.class.getName())
                .hasMessageContaining("interface")
                .hasMessageContaining("@JsonTypeInfo");
    }

    @Test
    void abstract_types_inside_lists_maps_and_optionals_are_found_too() {
        assertThatThrownBy(() -> json.checkReadable(RecordType.of(Drawing.class)))
                .isInstanceOf(SerializationException.class)
                .hasMessageContaining("Drawing.shapes[]").hasMessageContaining("abstract");
        assertThatThrownBy(() -> json.checkReadable(RecordType.of(Wrapper.class)))
                .isInstanceOf(SerializationException.class)
                .hasMessageContaining("Wrapper.byId[][].payment");
    }

    @Test
    void a_type_left_to_a_module_the_mapper_lacks_is_refused() {
        assertThatThrownBy(() -> json.checkReadable(RecordType.of(WithOptional.class)))
                .isInstanceOf(SerializationException.class)
                .hasMessageContaining("WithOptional.fee").hasMessageContaining("jackson-datatype-jdk8");
        byte[] written = "{\"id\":\"a\",\"fee\":1.5}".getBytes(java.nio.charset.StandardCharsets.UTF_8);
        assertThatThrownBy(() -> json.deserialize(RecordType.of(WithOptional.class), written))
                .as("what the check refuses fails on every event without it")
                .isInstanceOf(SerializationException.class);
    }

    @Test
    void a_class_jackson_cannot_create_is_refused() {
        assertThatThrownBy(() -> json.checkReadable(RecordType.of(Holder.class)))
                .isInstanceOf(SerializationException.class)
                .hasMessageContaining("Holder.inside").hasMessageContaining("cannot create");
    }

    @Test
    void types_with_type_information_plain_records_and_recursive_ones_are_accepted() {
        for (Class<?> type : List.of(TypedOrder.class, Flat.class, SelfReferencing.class, Card.class)) {
            assertThatCode(() -> json.checkReadable(RecordType.of(type))).as(type.getSimpleName()).doesNotThrowAnyException();
        }
    }

    @Test
    void a_deserializer_registered_for_the_abstract_type_makes_it_readable() {
        JsonDeserializer<Payment> cards = new JsonDeserializer<>() {
            @Override
            public Payment deserialize(JsonParser parser, DeserializationContext context) throws java.io.IOException {
                return context.readValue(parser, Card.class);
            }
        };
        JsonSerializer custom = new JsonSerializer(JsonSerializer.defaultObjectMapper()
                .registerModule(new SimpleModule().addDeserializer(Payment.class, cards)));

        assertThatCode(() -> custom.checkReadable(RecordType.of(Order.class))).doesNotThrowAnyException();
        Order read = custom.deserialize(RecordType.of(Order.class), custom.serialize(RecordType.of(Order.class),
                new Order("o-1", new Card("4111"))));
        assertThat(read.payment()).isEqualTo(new Card("4111"));
    }

    @Test
    void what_the_check_refuses_really_fails_on_every_event_without_it() {
        byte[] written = json.serialize(RecordType.of(Order.class), new Order("o-1", new Card("4111")));

        assertThatThrownBy(() -> json.deserialize(RecordType.of(Order.class), written))
                .isInstanceOf(SerializationException.class).hasMessageContaining("Cannot construct instance");
    }
}
