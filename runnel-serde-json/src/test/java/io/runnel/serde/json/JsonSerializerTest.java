// SPDX-License-Identifier: Apache-2.0

package io.runnel.serde.json;

import com.fasterxml.jackson.databind.PropertyNamingStrategies;
import io.runnel.api.RecordType;
import io.runnel.api.SerializationException;
import io.runnel.api.Serializer;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

import java.math.BigDecimal;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.time.Instant;
import java.time.LocalDate;
import java.time.LocalDateTime;
import java.time.LocalTime;
import java.time.OffsetDateTime;
import java.time.OffsetTime;
import java.time.ZoneOffset;
import java.time.ZonedDateTime;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Random;
import java.util.ServiceLoader;
import java.util.concurrent.Callable;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

class JsonSerializerTest {

    enum Status { PENDING, SHIPPED }

    record Address(String street, String city) {}

    record Customer(String name, Address address) {}

    record Item(String sku, int quantity, BigDecimal price) {}

    record Order(long orderId, Customer customer, List<Item> items, Map<String, Item> bySku,
                 Map<String, Integer> counts, Instant createdAt, LocalDate deliveryDate, Status status,
                 BigDecimal total, byte[] signature, String note, int priority, double weight,
                 boolean gift, char grade) {}

    record Stamp(Instant createdAt) {}

    record Point(int x, int y) {}

    record NamedPoint(String label, int x, int y) {}

    record Trimmed(long orderId) {}

    record Times(OffsetDateTime at, Duration timeout) {}

    record Loose(Map<String, Object> attributes) {}

    record Validated(int positive) {
        Validated {
            if (positive <= 0) {
                throw new IllegalArgumentException("positive must be > 0");
            }
        }
    }

    record CamelCase(String firstName, int orderCount) {}

    record Measurement(String sensorId, double value, float ratio, long count, int level, boolean ok, char grade) {}

    record Nullable(Double value, Long count, Boolean ok) {}

    record PythonTimes(Instant createdAt, OffsetDateTime seenAt, LocalDateTime localAt, LocalTime clock,
                       OffsetTime offsetClock, ZonedDateTime zoned, Duration took) {}

    record Exploding(int value) {
        @Override
        public int value() {
            throw new IllegalStateException("accessor blew up");
        }
    }

    private static final RecordType<Order> ORDER = RecordType.of(Order.class);

    private final JsonSerializer serializer = new JsonSerializer();

    private static Order sampleOrder(long id) {
        Item a = new Item("sku-a", 2, new BigDecimal("0.10"));
        Item b = new Item("sku-b", 1, new BigDecimal("12345678901234567890.123456789"));
        Map<String, Item> bySku = new LinkedHashMap<>();
        bySku.put(a.sku(), a);
        bySku.put(b.sku(), b);
        return new Order(id,
                new Customer("Ada", new Address("1 Main St", "London")),
                List.of(a, b),
                bySku,
                Map.of("a", 2, "b", 1),
                Instant.parse("2024-01-02T03:04:05.123456789Z"),
                LocalDate.of(2024, 1, 1),
                Status.SHIPPED,
                new BigDecimal("12345678901234567890.123456789"),
                new byte[] {0, 1, 2, (byte) 0xff, 127, -128},
                null,
                7,
                1.25,
                true,
                'A');
    }

    private <T> T roundTrip(Serializer s, Class<T> type, T value) {
        RecordType<T> rt = RecordType.of(type);
        return s.deserialize(rt, s.serialize(rt, value));
    }

    private static byte[] utf8(String s) {
        return s.getBytes(StandardCharsets.UTF_8);
    }

    @Test
    void name_is_json() {
        assertThat(serializer.name()).isEqualTo("json");
    }

    @Test
    void round_trips_nested_records_collections_times_enums_decimals_bytes_and_nulls() {
        Order order = sampleOrder(42);

        Order back = roundTrip(serializer, Order.class, order);

        // byte[] uses identity equals, so compare it separately and everything else field by field.
        assertThat(back).usingRecursiveComparison().ignoringFields("signature").isEqualTo(order);
        assertThat(back.signature()).containsExactly(order.signature());
        assertThat(back.customer()).isEqualTo(order.customer());
        assertThat(back.items()).containsExactlyElementsOf(order.items());
        assertThat(back.bySku()).containsExactlyEntriesOf(order.bySku());
        assertThat(back.counts()).isEqualTo(order.counts());
        assertThat(back.createdAt()).isEqualTo(order.createdAt());
        assertThat(back.createdAt().getNano()).isEqualTo(123456789);
        assertThat(back.deliveryDate()).isEqualTo(order.deliveryDate());
        assertThat(back.status()).isSameAs(Status.SHIPPED);
        assertThat(back.note()).isNull();
        assertThat(back.priority()).isEqualTo(7);
        assertThat(back.weight()).isEqualTo(1.25);
        assertThat(back.gift()).isTrue();
        assertThat(back.grade()).isEqualTo('A');
    }

    @Test
    void big_decimals_keep_every_digit_and_their_scale() {
        Order back = roundTrip(serializer, Order.class, sampleOrder(1));

        // equals, not compareTo: scale must survive too ("0.10" is not "0.1").
        assertThat(back.total()).isEqualTo(new BigDecimal("12345678901234567890.123456789"));
        assertThat(back.items().get(0).price()).isEqualTo(new BigDecimal("0.10"));
        assertThat(back.items().get(1).price().toPlainString()).isEqualTo("12345678901234567890.123456789");
    }

    @Test
    void big_decimals_are_written_as_plain_digits() {
        Item item = new Item("x", 1, new BigDecimal("1E+3"));
        String json = new String(serializer.serialize(RecordType.of(Item.class), item), StandardCharsets.UTF_8);

        assertThat(json).contains("\"price\":1000").doesNotContain("E");
        Item back = serializer.deserialize(RecordType.of(Item.class), utf8(json));
        assertThat(back.price()).isEqualByComparingTo("1000");
    }

    @Test
    void untyped_numbers_are_read_as_exact_decimals() {
        Loose back = serializer.deserialize(RecordType.of(Loose.class),
                utf8("{\"attributes\":{\"amount\":12345678901234567890.123456789,\"n\":3}}"));

        assertThat(back.attributes().get("amount")).isEqualTo(new BigDecimal("12345678901234567890.123456789"));
        assertThat(back.attributes().get("n")).isEqualTo(3);
    }

    @Test
    void wire_form_is_plain_json_with_iso_8601_dates() {
        Order order = sampleOrder(5);
        order = new Order(order.orderId(), order.customer(), order.items(), order.bySku(), order.counts(),
                Instant.parse("2024-01-02T03:04:05Z"), order.deliveryDate(), order.status(), order.total(),
                order.signature(), order.note(), order.priority(), order.weight(), order.gift(), order.grade());

        String json = new String(serializer.serialize(ORDER, order), StandardCharsets.UTF_8);

        assertThat(json)
                .startsWith("{")
                .contains("\"orderId\":5")
                .contains("\"createdAt\":\"2024-01-02T03:04:05Z\"")
                .contains("\"deliveryDate\":\"2024-01-01\"")
                .contains("\"status\":\"SHIPPED\"")
                .contains("\"total\":12345678901234567890.123456789")
                .contains("\"signature\":\"AAEC/3+A\"")
                .contains("\"note\":null")
                .contains("\"customer\":{\"name\":\"Ada\",\"address\":{\"street\":\"1 Main St\",\"city\":\"London\"}}");
    }

    @Test
    void instants_keep_nanoseconds_on_the_wire() {
        Stamp stamp = new Stamp(Instant.parse("2024-01-02T03:04:05.000000001Z"));

        byte[] bytes = serializer.serialize(RecordType.of(Stamp.class), stamp);

        assertThat(new String(bytes, StandardCharsets.UTF_8))
                .isEqualTo("{\"createdAt\":\"2024-01-02T03:04:05.000000001Z\"}");
        assertThat(serializer.deserialize(RecordType.of(Stamp.class), bytes)).isEqualTo(stamp);
    }

    @Test
    void offsets_and_durations_round_trip_as_iso_8601() {
        Times times = new Times(OffsetDateTime.of(2024, 1, 2, 3, 4, 5, 0, ZoneOffset.ofHours(2)),
                Duration.ofMillis(1500));

        byte[] bytes = serializer.serialize(RecordType.of(Times.class), times);

        assertThat(new String(bytes, StandardCharsets.UTF_8))
                .isEqualTo("{\"at\":\"2024-01-02T03:04:05+02:00\",\"timeout\":\"PT1.5S\"}");
        assertThat(serializer.deserialize(RecordType.of(Times.class), bytes)).isEqualTo(times);
    }

    @Test
    void unknown_properties_are_ignored() {
        byte[] newer = utf8("{\"orderId\":9,\"addedLater\":\"x\",\"nested\":{\"a\":[1,2,{\"b\":null}]}}");

        Trimmed back = serializer.deserialize(RecordType.of(Trimmed.class), newer);

        assertThat(back).isEqualTo(new Trimmed(9));
    }

    @Test
    void an_older_producers_event_reads_into_a_record_that_lost_a_component() {
        byte[] old = serializer.serialize(ORDER, sampleOrder(77));

        Trimmed back = serializer.deserialize(RecordType.of(Trimmed.class), old);

        assertThat(back.orderId()).isEqualTo(77);
    }

    @Test
    void missing_properties_become_null_or_zero() {
        Order back = serializer.deserialize(ORDER, utf8("{\"orderId\":3}"));

        assertThat(back.orderId()).isEqualTo(3);
        assertThat(back.customer()).isNull();
        assertThat(back.items()).isNull();
        assertThat(back.createdAt()).isNull();
        assertThat(back.status()).isNull();
        assertThat(back.total()).isNull();
        assertThat(back.signature()).isNull();
        assertThat(back.note()).isNull();
        assertThat(back.priority()).isZero();
        assertThat(back.weight()).isZero();
        assertThat(back.gift()).isFalse();

        NamedPoint partial = serializer.deserialize(RecordType.of(NamedPoint.class), utf8("{\"x\":4}"));
        assertThat(partial).isEqualTo(new NamedPoint(null, 4, 0));
    }

    @Test
    void corrupt_json_throws_serialization_exception_naming_the_record() {
        assertThatThrownBy(() -> serializer.deserialize(ORDER, utf8("{not json")))
                .isInstanceOf(SerializationException.class)
                .hasMessageContaining("Order")
                .hasCauseInstanceOf(java.io.IOException.class);
    }

    @Test
    void empty_payload_throws_serialization_exception() {
        assertThatThrownBy(() -> serializer.deserialize(ORDER, new byte[0]))
                .isInstanceOf(SerializationException.class)
                .hasMessageContaining("Order")
                .hasMessageContaining("0 bytes");
    }

    @Test
    void random_bytes_throw_serialization_exception() {
        Random random = new Random(1234);
        for (int i = 0; i < 200; i++) {
            byte[] garbage = new byte[1 + random.nextInt(64)];
            random.nextBytes(garbage);
            assertThatThrownBy(() -> serializer.deserialize(ORDER, garbage))
                    .isInstanceOf(SerializationException.class)
                    .hasMessageStartingWith("cannot deserialize Order from JSON");
        }
    }

    @Test
    void wrong_shapes_and_trailing_garbage_throw_serialization_exception() {
        for (String payload : List.of("null", "[]", "42", "\"text\"", "{\"orderId\":1} trailing",
                "{\"orderId\":1}{\"orderId\":2}", "{\"orderId\":\"not a number\"}",
                "{\"createdAt\":\"yesterday\"}", "{\"status\":\"LOST\"}", "{\"orderId\":1")) {
            assertThatThrownBy(() -> serializer.deserialize(ORDER, utf8(payload)))
                    .as(payload)
                    .isInstanceOf(SerializationException.class)
                    .hasMessageContaining("Order");
        }
    }

    @Test
    void error_messages_name_the_failing_component_and_do_not_dump_the_payload() {
        String huge = "x".repeat(10_000);
        byte[] badDate = utf8("{\"orderId\":1,\"items\":[{\"sku\":\"a\"}],\"createdAt\":\"" + huge + "\"}");
        byte[] badItem = utf8("{\"orderId\":1,\"items\":[{\"sku\":\"a\",\"quantity\":\"" + huge + "\"}]}");
        byte[] badKey = utf8("{\"counts\":{\"" + huge + "\":\"not a number\"}}");

        assertThatThrownBy(() -> serializer.deserialize(ORDER, badDate))
                .isInstanceOf(SerializationException.class)
                .hasMessageStartingWith("cannot deserialize Order from JSON")
                .hasMessageContaining("Instant")
                .hasMessageContaining("(at createdAt)")
                .satisfies(e -> assertThat(e.getMessage()).hasSizeLessThan(400).doesNotContain("x".repeat(41)));
        assertThatThrownBy(() -> serializer.deserialize(ORDER, badItem))
                .isInstanceOf(SerializationException.class)
                .hasMessageContaining("items[0].quantity")
                .satisfies(e -> assertThat(e.getMessage()).hasSizeLessThan(400).doesNotContain("x".repeat(41)));
        assertThatThrownBy(() -> serializer.deserialize(ORDER, badKey))
                .isInstanceOf(SerializationException.class)
                .hasMessageContaining("(at counts.xxx")
                .satisfies(e -> assertThat(e.getMessage()).hasSizeLessThan(400).doesNotContain("x".repeat(41)));
        assertThatThrownBy(() -> serializer.deserialize(ORDER, utf8(huge)))
                .isInstanceOf(SerializationException.class)
                .satisfies(e -> assertThat(e.getMessage()).hasSizeLessThan(400).doesNotContain("x".repeat(41)));
    }

    @Test
    void short_quoted_values_stay_readable_in_error_messages() {
        assertThatThrownBy(() -> serializer.deserialize(ORDER, utf8("{\"status\":\"LOST\"}")))
                .isInstanceOf(SerializationException.class)
                .hasMessageContaining("\"LOST\"")
                .hasMessageContaining("(at status)");
        assertThatThrownBy(() -> serializer.deserialize(ORDER, utf8("{\"orderId\":1} trailing")))
                .isInstanceOf(SerializationException.class)
                .hasMessageContaining("'trailing'")
                .hasMessageContaining("token 'null', 'true' or 'false'");
    }

    @Test
    void a_failing_compact_constructor_throws_serialization_exception() {
        assertThatThrownBy(() -> serializer.deserialize(RecordType.of(Validated.class), utf8("{\"positive\":-1}")))
                .isInstanceOf(SerializationException.class)
                .hasMessageContaining("Validated")
                .hasMessageContaining("positive must be > 0");
    }

    @Test
    void a_failing_accessor_throws_serialization_exception() {
        assertThatThrownBy(() -> serializer.serialize(RecordType.of(Exploding.class), new Exploding(1)))
                .isInstanceOf(SerializationException.class)
                .hasMessageStartingWith("cannot serialize Exploding to JSON")
                .hasMessageContaining("accessor blew up");
    }

    @Test
    void serializing_null_throws_serialization_exception() {
        assertThatThrownBy(() -> serializer.serialize(ORDER, null))
                .isInstanceOf(SerializationException.class)
                .hasMessageContaining("Order");
    }

    @Test
    void a_user_supplied_object_mapper_is_used_as_given() {
        var mapper = JsonSerializer.defaultObjectMapper()
                .setPropertyNamingStrategy(PropertyNamingStrategies.SNAKE_CASE);
        JsonSerializer snake = new JsonSerializer(mapper);
        RecordType<CamelCase> type = RecordType.of(CamelCase.class);

        byte[] bytes = snake.serialize(type, new CamelCase("Ada", 3));

        assertThat(snake.objectMapper()).isSameAs(mapper);
        assertThat(new String(bytes, StandardCharsets.UTF_8)).isEqualTo("{\"first_name\":\"Ada\",\"order_count\":3}");
        assertThat(snake.deserialize(type, bytes)).isEqualTo(new CamelCase("Ada", 3));
        // The default serializer does not share that configuration.
        assertThat(new String(serializer.serialize(type, new CamelCase("Ada", 3)), StandardCharsets.UTF_8))
                .isEqualTo("{\"firstName\":\"Ada\",\"orderCount\":3}");
    }

    @Test
    void a_plain_object_mapper_gets_none_of_the_defaults() {
        JsonSerializer plain = new JsonSerializer(new com.fasterxml.jackson.databind.ObjectMapper());

        // A bare mapper fails on unknown properties; proof that no defaults were layered on.
        assertThatThrownBy(() -> plain.deserialize(RecordType.of(Trimmed.class), utf8("{\"orderId\":1,\"x\":2}")))
                .isInstanceOf(SerializationException.class)
                .hasMessageContaining("Trimmed");
    }

    @Test
    void default_object_mapper_is_a_fresh_instance_each_time() {
        assertThat(JsonSerializer.defaultObjectMapper()).isNotSameAs(JsonSerializer.defaultObjectMapper());
    }

    @ParameterizedTest
    @CsvSource({"value, double", "ratio, float", "count, long", "level, int", "ok, boolean", "grade, char"})
    void null_for_a_primitive_component_fails_naming_the_component(String component, String type) {
        byte[] json = utf8("{\"sensorId\":\"secret-sensor\",\"" + component + "\":null}");

        assertThatThrownBy(() -> serializer.deserialize(RecordType.of(Measurement.class), json))
                .isInstanceOf(SerializationException.class)
                .hasMessageStartingWith("cannot deserialize Measurement from JSON")
                .hasMessageContaining("null cannot be a " + type)
                .hasMessageEndingWith("(at " + component + ")")
                .satisfies(e -> assertThat(e.getMessage()).doesNotContain("secret-sensor"));
    }

    @Test
    void orjsons_null_for_a_non_finite_float_says_where_it_may_come_from() {
        assertThatThrownBy(() -> serializer.deserialize(RecordType.of(Measurement.class), utf8("{\"value\":null}")))
                .isInstanceOf(SerializationException.class)
                .hasMessageContaining("orjson writes NaN and infinities as null")
                .hasMessageContaining("declare the component Double to accept null");
    }

    @Test
    void boxed_components_read_null_as_null() {
        Nullable back = serializer.deserialize(RecordType.of(Nullable.class),
                utf8("{\"value\":null,\"count\":null,\"ok\":null}"));

        assertThat(back).isEqualTo(new Nullable(null, null, null));
        assertThat(roundTrip(serializer, Nullable.class, new Nullable(1.5, 2L, true))).isEqualTo(new Nullable(1.5, 2L, true));
    }

    @Test
    void absent_primitive_components_still_read_as_zero() {
        Measurement back = serializer.deserialize(RecordType.of(Measurement.class), utf8("{\"sensorId\":\"s\"}"));

        assertThat(back).isEqualTo(new Measurement("s", 0, 0, 0, 0, false, '\0'));
    }

    @Test
    void an_empty_string_is_no_number_or_boolean() {
        for (String component : List.of("value", "ratio", "count", "level", "ok")) {
            assertThatThrownBy(() -> serializer.deserialize(RecordType.of(Measurement.class),
                    utf8("{\"" + component + "\":\"\"}")))
                    .as(component)
                    .isInstanceOf(SerializationException.class)
                    .hasMessageEndingWith("(at " + component + ")");
        }
        for (String component : List.of("value", "count", "ok")) {
            assertThatThrownBy(() -> serializer.deserialize(RecordType.of(Nullable.class),
                    utf8("{\"" + component + "\":\"\"}")))
                    .as(component)
                    .isInstanceOf(SerializationException.class)
                    .hasMessageEndingWith("(at " + component + ")");
        }
    }

    @Test
    void a_fraction_or_nan_for_an_integral_component_fails_and_a_whole_float_is_read() {
        assertThatThrownBy(() -> serializer.deserialize(RecordType.of(Measurement.class), utf8("{\"count\":1.7}")))
                .isInstanceOf(SerializationException.class)
                .hasMessageContaining("a number with a fractional part cannot be a long")
                .hasMessageEndingWith("(at count)");
        assertThatThrownBy(() -> serializer.deserialize(RecordType.of(Nullable.class), utf8("{\"count\":-0.5}")))
                .isInstanceOf(SerializationException.class)
                .hasMessageEndingWith("(at count)");

        // Python's json module writes a non-finite float as a bare token; Jackson would make NaN 0.
        for (String payload : List.of("{\"level\":NaN}", "{\"count\":Infinity}", "{\"level\":\"NaN\"}")) {
            assertThatThrownBy(() -> serializer.deserialize(RecordType.of(Measurement.class), utf8(payload)))
                    .as(payload)
                    .isInstanceOf(SerializationException.class);
        }

        assertThat(serializer.deserialize(RecordType.of(Measurement.class), utf8("{\"count\":3.0,\"level\":1e3}")))
                .extracting(Measurement::count, Measurement::level).containsExactly(3L, 1000);
    }

    @Test
    void a_number_beyond_the_range_of_its_component_fails() {
        // A Python int beyond 64 bits, and floats Java cannot hold.
        for (String payload : List.of("{\"count\":18446744073709551616}", "{\"level\":2147483648}",
                "{\"value\":1e400}", "{\"value\":\"1e400\"}", "{\"ratio\":1e300}")) {
            assertThatThrownBy(() -> serializer.deserialize(RecordType.of(Measurement.class), utf8(payload)))
                    .as(payload)
                    .isInstanceOf(SerializationException.class)
                    .hasMessageContaining("range");
        }
    }

    @Test
    void non_finite_doubles_round_trip_as_strings_and_python_json_tokens_are_read() {
        Measurement inf = new Measurement("s", Double.POSITIVE_INFINITY, Float.NaN, 1, 1, true, 'a');
        byte[] bytes = serializer.serialize(RecordType.of(Measurement.class), inf);

        // JSON has no such numbers; Jackson's strings are what Python's float() reads back.
        assertThat(new String(bytes, StandardCharsets.UTF_8)).contains("\"value\":\"Infinity\"", "\"ratio\":\"NaN\"");
        assertThat(serializer.deserialize(RecordType.of(Measurement.class), bytes)).isEqualTo(inf);
        // Python's json module writes the bare tokens.
        Measurement back = serializer.deserialize(RecordType.of(Measurement.class),
                utf8("{\"value\":-Infinity,\"ratio\":NaN}"));
        assertThat(back.value()).isEqualTo(Double.NEGATIVE_INFINITY);
        assertThat(back.ratio()).isNaN();
        assertThat(serializer.deserialize(RecordType.of(Nullable.class), utf8("{\"value\":Infinity}")).value())
                .isEqualTo(Double.POSITIVE_INFINITY);
    }

    @Test
    void for_python_writes_snake_case_and_microseconds_and_reads_any_precision() {
        JsonSerializer python = JsonSerializer.forPython();
        PythonTimes times = new PythonTimes(
                Instant.parse("2024-01-02T03:04:05.123456789Z"),
                OffsetDateTime.parse("2024-01-02T03:04:05.123456789+02:00"),
                LocalDateTime.parse("2024-01-02T03:04:05.000000999"),
                LocalTime.parse("03:04:05.987654321"),
                OffsetTime.parse("03:04:05.987654321+01:00"),
                ZonedDateTime.parse("2024-01-02T03:04:05.123456789Z"),
                Duration.ofSeconds(1, 123_456_789));

        byte[] bytes = python.serialize(RecordType.of(PythonTimes.class), times);

        assertThat(new String(bytes, StandardCharsets.UTF_8)).isEqualTo("{"
                + "\"created_at\":\"2024-01-02T03:04:05.123456Z\","
                + "\"seen_at\":\"2024-01-02T03:04:05.123456+02:00\","
                + "\"local_at\":\"2024-01-02T03:04:05\","
                + "\"clock\":\"03:04:05.987654\","
                + "\"offset_clock\":\"03:04:05.987654+01:00\","
                + "\"zoned\":\"2024-01-02T03:04:05.123456Z\","
                + "\"took\":\"PT1.123456S\"}");
        // Reading keeps every digit it is given.
        assertThat(python.deserialize(RecordType.of(Stamp.class), utf8("{\"created_at\":\"2024-01-02T03:04:05.123456789Z\"}")))
                .isEqualTo(new Stamp(Instant.parse("2024-01-02T03:04:05.123456789Z")));
        // The default keeps nanoseconds.
        assertThat(new String(serializer.serialize(RecordType.of(Stamp.class), new Stamp(times.createdAt())), StandardCharsets.UTF_8))
                .isEqualTo("{\"createdAt\":\"2024-01-02T03:04:05.123456789Z\"}");
    }

    @Test
    void the_python_mapper_is_fresh_each_time_and_can_drop_snake_case() {
        assertThat(JsonSerializer.pythonObjectMapper()).isNotSameAs(JsonSerializer.pythonObjectMapper());
        JsonSerializer camel = new JsonSerializer(JsonSerializer.pythonObjectMapper()
                .setPropertyNamingStrategy(PropertyNamingStrategies.LOWER_CAMEL_CASE));

        byte[] bytes = camel.serialize(RecordType.of(Stamp.class), new Stamp(Instant.parse("2024-01-02T03:04:05.123456789Z")));

        assertThat(new String(bytes, StandardCharsets.UTF_8)).isEqualTo("{\"createdAt\":\"2024-01-02T03:04:05.123456Z\"}");
        assertThat(JsonSerializer.forPython().name()).isEqualTo("json");
    }

    @Test
    void service_loader_finds_it_by_name() {
        List<Serializer> found = new ArrayList<>();
        ServiceLoader.load(Serializer.class).forEach(found::add);

        assertThat(found).filteredOn(s -> s.name().equals("json")).singleElement()
                .isInstanceOf(JsonSerializer.class);
        Serializer json = found.stream().filter(s -> s.name().equals("json")).findFirst().orElseThrow();
        assertThat(roundTrip(json, Point.class, new Point(1, 2))).isEqualTo(new Point(1, 2));
    }

    @Test
    void concurrent_use_from_many_threads_gives_correct_results() throws Exception {
        JsonSerializer shared = new JsonSerializer();
        int threads = 16;
        int perThread = 250;
        CountDownLatch start = new CountDownLatch(1);
        ExecutorService pool = Executors.newFixedThreadPool(threads);
        try {
            List<Future<Integer>> results = new ArrayList<>();
            for (int t = 0; t < threads; t++) {
                int thread = t;
                Callable<Integer> work = () -> {
                    start.await();
                    int ok = 0;
                    for (int i = 0; i < perThread; i++) {
                        long id = thread * 1_000_000L + i;
                        // Alternate record classes so cache population races with use.
                        if (i % 2 == 0) {
                            Order order = sampleOrder(id);
                            byte[] bytes = shared.serialize(ORDER, order);
                            Order back = shared.deserialize(ORDER, bytes);
                            // Cheap full check: the id proves no cross-thread mix-up, and
                            // re-encoding to identical bytes proves every other component.
                            assertThat(back.orderId()).isEqualTo(id);
                            assertThat(back.total()).isEqualTo(order.total());
                            assertThat(shared.serialize(ORDER, back)).isEqualTo(bytes);
                        } else {
                            Point point = new Point(thread, i);
                            assertThat(roundTrip(shared, Point.class, point)).isEqualTo(point);
                        }
                        ok++;
                    }
                    return ok;
                };
                results.add(pool.submit(work));
            }
            start.countDown();
            for (Future<Integer> result : results) {
                assertThat(result.get()).isEqualTo(perThread);
            }
        } finally {
            pool.shutdownNow();
        }
    }
}
