// SPDX-License-Identifier: Apache-2.0

package io.runnel.serde.avro;

import io.runnel.api.RecordType;
import io.runnel.api.SerializationException;
import io.runnel.api.Serializer;
import io.runnel.serde.avro.Records.Basket;
import io.runnel.serde.avro.Records.Blob;
import io.runnel.serde.avro.Records.Boxed;
import io.runnel.serde.avro.Records.Clash;
import io.runnel.serde.avro.Records.Color;
import io.runnel.serde.avro.Records.Item;
import io.runnel.serde.avro.Records.Money;
import io.runnel.serde.avro.Records.Primitives;
import io.runnel.serde.avro.Records.Shop;
import io.runnel.serde.avro.Records.Texts;
import io.runnel.serde.avro.Records.Times;
import io.runnel.serde.avro.Records.Tree;
import org.apache.avro.LogicalTypes;
import org.apache.avro.Schema;
import org.apache.avro.SchemaNormalization;
import org.apache.avro.generic.GenericData;
import org.apache.avro.generic.GenericRecord;
import org.apache.avro.message.BinaryMessageDecoder;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.MethodSource;

import java.math.BigDecimal;
import java.math.BigInteger;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.time.Instant;
import java.time.LocalDate;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.ServiceLoader;
import java.util.Set;
import java.util.UUID;
import java.util.stream.Stream;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

/** Round trips of every supported component type, the derived schemas, the wire format and its errors, without Redis. */
class AvroSerializerTest {
    private final AvroSerializer serializer = new AvroSerializer();

    private <T> T roundTrip(T value) {
        @SuppressWarnings("unchecked")
        RecordType<T> type = RecordType.of((Class<T>) value.getClass());
        return serializer.deserialize(type, serializer.serialize(type, value));
    }

    static Stream<Object> values() {
        Item apple = new Item("apple", 3, new BigDecimal("0.35"));
        Map<String, Item> bySku = new LinkedHashMap<>();
        bySku.put("z", apple);
        bySku.put("a", null);
        bySku.put("m", new Item("melon", 1, null));
        Map<String, Long> counts = new LinkedHashMap<>();
        counts.put("b", 2L);
        counts.put("a", null);
        return Stream.of(
                new Primitives(true, (byte) -7, (short) 300, Integer.MIN_VALUE, Long.MAX_VALUE, 1.5e-3f, -Math.PI),
                new Primitives(false, Byte.MAX_VALUE, Short.MIN_VALUE, 0, Long.MIN_VALUE, Float.NaN, Double.NEGATIVE_INFINITY),
                new Boxed(true, (byte) 1, (short) -2, 3, 4L, 5.5f, 6.25),
                new Boxed(null, null, null, null, null, null, null),
                new Texts("héllo ✓ 𝄞", UUID.fromString("123e4567-e89b-12d3-a456-426614174000"), Color.GREEN),
                new Texts("", null, null),
                new Texts(null, UUID.randomUUID(), Color.BLUE),
                new Times(Instant.parse("2024-02-29T23:59:59.123456789Z"), LocalDate.of(2024, 2, 29)),
                new Times(Instant.parse("1969-12-31T23:59:59.000000001Z"), LocalDate.of(1066, 10, 14)),
                new Times(Instant.EPOCH, LocalDate.EPOCH),
                new Times(Instant.parse("1677-09-21T00:12:43.145224192Z"), LocalDate.of(-4000, 1, 1)),
                new Times(Instant.parse("2262-04-11T23:47:16.854775807Z"), LocalDate.of(9999, 12, 31)),
                new Times(null, null),
                new Money(new BigDecimal("1.50")),
                new Money(new BigDecimal("-0.000000000000000000000000000001")),
                new Money(new BigDecimal("1E+3")),
                new Money(new BigDecimal(new BigInteger("123456789012345678901234567890123456789"), -7)),
                new Money(BigDecimal.ZERO),
                new Money(null),
                new Basket(apple, List.of(apple, new Item("pear", 0, BigDecimal.TEN)), bySku,
                        new LinkedHashSet<>(List.of("z", "a", "q")), Arrays.asList("x", null, "y"), counts,
                        List.of(List.of(1, 2), List.of(), Arrays.asList(3, null)),
                        Map.of("warm", List.of(Color.RED, Color.GREEN))),
                new Basket(null, List.of(), Map.of(), Set.of(), List.of(), Map.of(), List.of(), Map.of()),
                new Basket(null, null, null, null, null, null, null, null),
                new Tree("root", List.of(new Tree("a", List.of(new Tree("a1", null))), new Tree("b", List.of()))),
                new Shop("corner", new Shop.Address("1 High St", "Leeds")));
    }

    @ParameterizedTest
    @MethodSource("values")
    void every_supported_component_type_round_trips_exactly(Object value) {
        assertThat(roundTrip(value)).isEqualTo(value);
    }

    @Test
    void decimals_keep_their_scale_and_instants_their_nanoseconds() {
        assertThat(roundTrip(new Money(new BigDecimal("1.50"))).amount()).hasToString("1.50");
        assertThat(roundTrip(new Money(new BigDecimal("1E+3"))).amount().scale()).isEqualTo(-3);
        Instant at = Instant.parse("2024-01-02T03:04:05.000000007Z");
        assertThat(roundTrip(new Times(at, null)).at().getNano()).isEqualTo(7);
    }

    @Test
    void byte_arrays_round_trip_by_content() {
        byte[] bytes = {0, 1, -1, 127, -128};
        Blob back = roundTrip(new Blob("b", bytes));
        assertThat(back.bytes()).containsExactly(bytes).isNotSameAs(bytes);
        assertThat(roundTrip(new Blob("empty", new byte[0])).bytes()).isEmpty();
        assertThat(roundTrip(new Blob(null, null)).bytes()).isNull();
    }

    @Test
    void lists_and_sets_keep_their_order_and_maps_their_entries() {
        Map<String, Item> bySku = new LinkedHashMap<>();
        for (String sku : List.of("m", "z", "a", "k", "b")) {
            bySku.put(sku, new Item(sku, 1, null));
        }
        Basket back = roundTrip(new Basket(null, List.of(), bySku, new LinkedHashSet<>(List.of("z", "a", "q")),
                List.of("b", "a"), Map.of(), List.of(), Map.of()));
        assertThat(back.bySku()).isEqualTo(bySku);
        assertThat(back.tags()).containsExactly("z", "a", "q");
        assertThat(back.names()).isInstanceOf(ArrayList.class);
    }

    @Test
    void the_derived_schema_uses_simple_names_nullable_references_and_zero_defaults() {
        Schema schema = AvroSerializer.schemaOf(Basket.class);
        assertThat(schema.getFullName()).isEqualTo("Basket");
        assertThat(schema.getNamespace()).isNull();
        Schema item = schema.getField("first").schema();
        assertThat(item.getType()).isEqualTo(Schema.Type.UNION);
        assertThat(item.getTypes().get(0).getType()).isEqualTo(Schema.Type.NULL);
        assertThat(item.getTypes().get(1).getFullName()).isEqualTo("Item");
        assertThat(schema.getField("first").defaultVal()).isEqualTo(org.apache.avro.JsonProperties.NULL_VALUE);

        Schema primitives = AvroSerializer.schemaOf(Primitives.class);
        assertThat(primitives.getField("i").schema().getType()).isEqualTo(Schema.Type.INT);
        assertThat(primitives.getField("i").defaultVal()).isEqualTo(0);
        assertThat(primitives.getField("flag").defaultVal()).isEqualTo(false);
        assertThat(primitives.getField("d").defaultVal()).isEqualTo(0.0d);

        Schema times = AvroSerializer.schemaOf(Times.class);
        assertThat(times.getField("at").schema().getTypes().get(1).getLogicalType())
                .isEqualTo(LogicalTypes.timestampNanos());
        assertThat(times.getField("day").schema().getTypes().get(1).getLogicalType()).isEqualTo(LogicalTypes.date());
        assertThat(AvroSerializer.schemaOf(Money.class).getField("amount").schema().getTypes().get(1).getLogicalType())
                .isEqualTo(LogicalTypes.bigDecimal());
        Schema texts = AvroSerializer.schemaOf(Texts.class);
        assertThat(texts.getField("color").schema().getTypes().get(1).getEnumSymbols()).containsExactly("RED", "GREEN", "BLUE");
        Schema tree = AvroSerializer.schemaOf(Tree.class);
        Schema child = tree.getField("children").schema().getTypes().get(1).getElementType().getTypes().get(1);
        assertThat(child).isSameAs(tree);
    }

    @Test
    void payloads_are_avro_single_object_encoded_and_readable_by_avro_itself() {
        Item item = new Item("apple", 3, new BigDecimal("0.35"));
        byte[] bytes = serializer.serialize(RecordType.of(Item.class), item);

        Schema schema = AvroSerializer.schemaOf(Item.class);
        assertThat(bytes[0]).isEqualTo((byte) 0xC3);
        assertThat(bytes[1]).isEqualTo((byte) 0x01);
        long fingerprint = ByteBuffer.wrap(bytes, 2, 8).order(ByteOrder.LITTLE_ENDIAN).getLong();
        assertThat(fingerprint).isEqualTo(SchemaNormalization.parsingFingerprint64(schema))
                .isEqualTo(AvroSerializer.fingerprint(schema));

        // Avro's own single-object decoder reads it (strings as Utf8, the decimal as bytes).
        GenericRecord decoded;
        try {
            decoded = new BinaryMessageDecoder<GenericRecord>(GenericData.get(), schema).decode(bytes);
        } catch (java.io.IOException e) {
            throw new AssertionError(e);
        }
        assertThat(decoded.get("sku")).hasToString("apple");
        assertThat(decoded.get("quantity")).isEqualTo(3);
    }

    @Test
    void the_serializer_is_found_by_name_through_the_service_loader() {
        assertThat(ServiceLoader.load(Serializer.class).stream().map(ServiceLoader.Provider::get))
                .anySatisfy(s -> {
                    assertThat(s).isInstanceOf(AvroSerializer.class);
                    assertThat(s.name()).isEqualTo("avro");
                });
    }

    // ------------------------------------------------------------------ errors

    @Test
    void values_avro_cannot_hold_fail_to_serialize_with_the_component_path() {
        assertThatThrownBy(() -> roundTrip(new Times(Instant.parse("2300-01-01T00:00:00Z"), null)))
                .isInstanceOf(SerializationException.class)
                .hasMessageContaining("Times")
                .hasMessageContaining("component at")
                .hasMessageContaining("timestamp-nanos");
        assertThatThrownBy(() -> roundTrip(new Times(null, LocalDate.MAX)))
                .isInstanceOf(SerializationException.class).hasMessageContaining("component day");
        Map<String, Item> nullKey = new java.util.HashMap<>();
        nullKey.put(null, null);
        assertThatThrownBy(() -> roundTrip(new Basket(null, null, nullKey, null, null, null, null, null)))
                .isInstanceOf(SerializationException.class).hasMessageContaining("component bySku");
        List<Item> withNull = Arrays.asList(new Item("x", 1, null), null);
        assertThat(roundTrip(new Basket(null, withNull, null, null, null, null, null, null)).items())
                .containsExactly(new Item("x", 1, null), null);
    }

    @Test
    void unsupported_types_are_refused_when_a_stream_is_defined() {
        assertThatThrownBy(() -> serializer.checkReadable(RecordType.of(Records.WithObject.class)))
                .isInstanceOf(SerializationException.class)
                .hasMessageContaining("WithObject.anything");
        assertThatThrownBy(() -> serializer.checkReadable(RecordType.of(StringBuilder.class)))
                .isInstanceOf(SerializationException.class)
                .hasMessageContaining("Java records, Avro SpecificRecord classes and GenericRecord");
        serializer.checkReadable(RecordType.of(Item.class));
    }

    @Test
    void unsupported_types_fail_naming_the_record_and_component() {
        assertThatThrownBy(() -> serializer.serialize(RecordType.of(Records.WithObject.class), new Records.WithObject(1)))
                .isInstanceOf(SerializationException.class)
                .hasMessageContaining("WithObject.anything")
                .hasMessageContaining("java.lang.Object");
        assertThatThrownBy(() -> serializer.serialize(RecordType.of(Records.WithIntKeys.class),
                new Records.WithIntKeys(Map.of(1, "one"))))
                .isInstanceOf(SerializationException.class)
                .hasMessageContaining("WithIntKeys.byNumber")
                .hasMessageContaining("String keys");
        assertThatThrownBy(() -> AvroSerializer.schemaOf(Clash.class))
                .isInstanceOf(SerializationException.class)
                .hasMessageContaining("would both be named Address");
        assertThatThrownBy(() -> serializer.serialize(RecordType.of(StringBuilder.class), new StringBuilder()))
                .isInstanceOf(SerializationException.class)
                .hasMessageContaining("Java records, Avro SpecificRecord classes and GenericRecord");
        assertThatThrownBy(() -> serializer.serialize(RecordType.of(Item.class), null))
                .isInstanceOf(SerializationException.class).hasMessageContaining("Item");
    }

    @Test
    void an_unknown_fingerprint_fails_naming_the_type_and_the_fingerprint() {
        byte[] bytes = serializer.serialize(RecordType.of(Item.class), new Item("secret-sku", 1, null));
        long unknown = 0x0123456789abcdefL;
        ByteBuffer.wrap(bytes, 2, 8).order(ByteOrder.LITTLE_ENDIAN).putLong(unknown);

        assertThatThrownBy(() -> serializer.deserialize(RecordType.of(Item.class), bytes))
                .isInstanceOf(SerializationException.class)
                .hasMessageContaining("Item")
                .hasMessageContaining("0123456789abcdef")
                .hasMessageContaining("unknown writer schema")
                .hasMessageNotContaining("secret-sku");
    }

    static Stream<byte[]> corruptPayloads() {
        AvroSerializer writer = new AvroSerializer();
        byte[] good = writer.serialize(RecordType.of(Item.class), new Item("secret-sku", 7, new BigDecimal("9.99")));
        byte[] truncated = Arrays.copyOf(good, good.length - 3);
        byte[] trailing = Arrays.copyOf(good, good.length + 2);
        byte[] garbageBody = Arrays.copyOf(good, good.length);
        Arrays.fill(garbageBody, 10, garbageBody.length, (byte) 0xFF);
        byte[] hugeLength = Arrays.copyOf(good, 16);
        // union branch 1 (string), then a string length of about 2^31: must not allocate it.
        hugeLength[10] = 2;
        hugeLength[11] = (byte) 0xFE;
        hugeLength[12] = (byte) 0xFF;
        hugeLength[13] = (byte) 0xFF;
        hugeLength[14] = (byte) 0xFF;
        hugeLength[15] = 0x0F;
        return Stream.of(truncated, trailing, garbageBody, hugeLength, Arrays.copyOf(good, 10), new byte[0],
                new byte[] {(byte) 0xC3}, "{\"sku\":\"secret-sku\"}".getBytes(java.nio.charset.StandardCharsets.UTF_8));
    }

    @ParameterizedTest
    @MethodSource("corruptPayloads")
    void a_corrupt_payload_fails_with_a_serialization_exception_that_does_not_quote_it(byte[] bytes) {
        AvroSerializer reader = new AvroSerializer();
        assertThatThrownBy(() -> reader.deserialize(RecordType.of(Item.class), bytes))
                .isInstanceOf(SerializationException.class)
                .hasMessageStartingWith("cannot deserialize Item from Avro (" + bytes.length + " bytes")
                .hasMessageNotContaining("secret-sku");
    }

    @Test
    void a_body_that_does_not_match_its_schema_names_the_fingerprint() {
        byte[] good = serializer.serialize(RecordType.of(Item.class), new Item("s", 7, null));
        byte[] bad = Arrays.copyOf(good, good.length);
        bad[10] = 9; // union branch -5: no such branch
        String hex = SchemaStore.hex(AvroSerializer.fingerprint(AvroSerializer.schemaOf(Item.class)));
        assertThatThrownBy(() -> serializer.deserialize(RecordType.of(Item.class), bad))
                .isInstanceOf(SerializationException.class)
                .hasMessageContaining("fingerprint " + hex)
                .hasMessageContaining("corrupt payload");
    }

    @Test
    void a_record_constructor_refusing_the_values_read_is_a_serialization_exception() {
        Schema schema = AvroSerializer.schemaOf(Records.Validated.class);
        GenericRecord invalid = new GenericData.Record(schema);
        invalid.put("code", "toolong");
        byte[] bytes = serializer.serialize(RecordType.of(GenericRecord.class), invalid);

        assertThat(serializer.deserialize(RecordType.of(Records.Validated.class),
                serializer.serialize(RecordType.of(Records.Validated.class), new Records.Validated("abc"))))
                .isEqualTo(new Records.Validated("abc"));
        assertThatThrownBy(() -> serializer.deserialize(RecordType.of(Records.Validated.class), bytes))
                .isInstanceOf(SerializationException.class)
                .hasMessageContaining("cannot deserialize Validated")
                .hasMessageContaining("code must have 3 letters");
    }
}
