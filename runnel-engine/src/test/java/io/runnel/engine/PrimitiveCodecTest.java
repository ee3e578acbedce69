// SPDX-License-Identifier: Apache-2.0

package io.runnel.engine;

import com.fasterxml.jackson.databind.PropertyNamingStrategies;
import io.runnel.api.Misconfigured;
import io.runnel.api.Primitive;
import io.runnel.api.RecordType;
import io.runnel.api.SerializationException;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;
import org.junit.jupiter.params.provider.ValueSource;

import java.nio.charset.StandardCharsets;
import java.util.HashMap;
import java.util.List;
import java.util.Map;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

/** Primitive records field by field: names, Python's spellings, and every value that must not be read as another. */
class PrimitiveCodecTest {

    @Primitive
    record Reading(String sensorId, double value, float ratio, long count, int level, boolean ok) {
    }

    @Primitive(fieldNames = Primitive.FieldNames.SNAKE_CASE)
    record SnakeReading(String sensorId, double value, long readingCount, Boolean ok, byte[] rawBytes) {
    }

    @Primitive
    record Boxed(String sensorId, Double value, Long count, Integer level, Boolean ok, Float ratio) {
    }

    @Primitive(fieldNames = Primitive.FieldNames.SNAKE_CASE)
    record Clash(String userId, String user_id) {
    }

    private static final PrimitiveCodec<Reading> READING = new PrimitiveCodec<>(RecordType.of(Reading.class));
    private static final PrimitiveCodec<Boxed> BOXED = new PrimitiveCodec<>(RecordType.of(Boxed.class));

    private static Map<String, byte[]> fields(String... namesAndValues) {
        Map<String, byte[]> fields = new HashMap<>();
        for (int i = 0; i < namesAndValues.length; i += 2) {
            fields.put(namesAndValues[i], namesAndValues[i + 1].getBytes(StandardCharsets.UTF_8));
        }
        return fields;
    }

    private static Map<String, byte[]> reading(String component, String value) {
        Map<String, byte[]> fields = fields("sensorId", "s-1", "value", "1.5", "ratio", "0.5", "count", "3",
                "level", "2", "ok", "true");
        fields.put(component, value.getBytes(StandardCharsets.UTF_8));
        return fields;
    }

    private static String text(byte[] bytes) {
        return new String(bytes, StandardCharsets.UTF_8);
    }

    @Test
    void snake_case_field_names_are_written_and_read() {
        PrimitiveCodec<SnakeReading> codec = new PrimitiveCodec<>(RecordType.of(SnakeReading.class));
        SnakeReading reading = new SnakeReading("s-1", 1.5, 7, true, new byte[] {1, 2});

        Map<String, byte[]> fields = codec.encode(reading);

        assertThat(fields).containsOnlyKeys("sensor_id", "value", "reading_count", "ok", "raw_bytes");
        assertThat(text(fields.get("reading_count"))).isEqualTo("7");
        SnakeReading back = codec.decode(fields);
        assertThat(back).usingRecursiveComparison().isEqualTo(reading);
    }

    @Test
    void without_a_rule_fields_are_named_as_declared() {
        assertThat(READING.encode(new Reading("s", 1, 1, 1, 1, true)))
                .containsOnlyKeys("sensorId", "value", "ratio", "count", "level", "ok");
    }

    @ParameterizedTest
    @ValueSource(strings = {"userId", "userID", "URL", "httpURLCount", "value2X", "already_snake", "_leading",
            "a", "aB", "ABc", "x_Y", "snake_Case_Mixed", "éCole", "valueÅngström"})
    void snake_case_names_are_the_ones_jackson_gives_json_members(String component) {
        assertThat(Primitive.FieldNames.SNAKE_CASE.fieldName(component))
                .isEqualTo(new PropertyNamingStrategies.SnakeCaseStrategy().translate(component));
    }

    @Test
    void two_components_with_one_field_name_are_rejected() {
        assertThatThrownBy(() -> new PrimitiveCodec<>(RecordType.of(Clash.class)))
                .isInstanceOf(Misconfigured.class)
                .hasMessageContaining("'userId' and 'user_id'")
                .hasMessageContaining("'user_id'");
    }

    @Test
    void javas_non_finite_spellings_are_written_and_read_back() {
        Reading reading = new Reading("s", Double.POSITIVE_INFINITY, Float.NaN, 1, 1, false);

        Map<String, byte[]> fields = READING.encode(reading);

        // Python's float() reads these spellings (and any case of them).
        assertThat(text(fields.get("value"))).isEqualTo("Infinity");
        assertThat(text(fields.get("ratio"))).isEqualTo("NaN");
        assertThat(text(READING.encode(new Reading("s", Double.NEGATIVE_INFINITY, 0, 1, 1, false)).get("value")))
                .isEqualTo("-Infinity");
        assertThat(READING.decode(fields)).isEqualTo(reading);
    }

    @ParameterizedTest
    @CsvSource({"inf, Infinity", "-inf, -Infinity", "+inf, Infinity", "INF, Infinity", "Inf, Infinity",
            "infinity, Infinity", "-INFINITY, -Infinity", "nan, NaN", "-nan, NaN", "NAN, NaN", "Infinity, Infinity",
            "-Infinity, -Infinity", "NaN, NaN", "1e+16, 1.0E16", "1e-07, 1.0E-7", "-0.0, -0.0"})
    void pythons_float_spellings_are_read_as_the_same_double(String python, String java) {
        Reading back = READING.decode(reading("value", python));
        Reading backFloat = READING.decode(reading("ratio", python));

        // Boxed, so that NaN equals NaN (Double.equals) and -0.0 differs from 0.0.
        assertThat(Double.valueOf(back.value())).isEqualTo(Double.valueOf(java));
        assertThat(Float.valueOf(backFloat.ratio())).isEqualTo(Float.valueOf(java));
        assertThat(BOXED.decode(fields("value", python)).value()).isEqualTo(Double.valueOf(java));
    }

    @ParameterizedTest
    @CsvSource({"value, 1e400, double", "ratio, 1e39, float", "ratio, -3.5e38, float"})
    void a_number_beyond_the_range_of_its_component_is_not_read_as_an_infinity(String component, String text, String type) {
        assertThatThrownBy(() -> READING.decode(reading(component, text)))
                .isInstanceOf(SerializationException.class)
                .hasMessageContaining("field '" + component + "' of Reading is not a valid " + type)
                .hasMessageContaining("beyond the range of " + type);
    }

    @ParameterizedTest
    @ValueSource(strings = {"value", "ratio", "count", "level", "ok"})
    void a_missing_primitive_field_fails_naming_it(String component) {
        Map<String, byte[]> fields = reading(component, "1");
        fields.remove(component);

        assertThatThrownBy(() -> READING.decode(fields))
                .isInstanceOf(SerializationException.class)
                .hasMessageStartingWith("field '" + component + "' of Reading is missing")
                .hasMessageContaining("to accept its absence");
    }

    @ParameterizedTest
    @ValueSource(strings = {"value", "ratio", "count", "level", "ok"})
    void an_empty_or_python_none_field_fails_naming_it(String component) {
        assertThatThrownBy(() -> READING.decode(reading(component, "")))
                .isInstanceOf(SerializationException.class)
                .hasMessageStartingWith("field '" + component + "' of Reading is not a valid");
        assertThatThrownBy(() -> READING.decode(reading(component, "None")))
                .isInstanceOf(SerializationException.class)
                .hasMessageStartingWith("field '" + component + "' of Reading is not a valid")
                .hasMessageContaining("Python runnel writes None as that text");
    }

    @Test
    void missing_fields_of_boxed_components_read_as_null() {
        assertThat(BOXED.decode(fields("sensorId", "s"))).isEqualTo(new Boxed("s", null, null, null, null, null));
        assertThat(BOXED.decode(fields("count", "1"))).isEqualTo(new Boxed(null, null, 1L, null, null, null));
    }

    @Test
    void pythons_booleans_and_ints_are_read() {
        assertThat(READING.decode(reading("ok", "True")).ok()).isTrue();
        assertThat(READING.decode(reading("ok", "False")).ok()).isFalse();
        assertThat(READING.decode(reading("count", "-9223372036854775808")).count()).isEqualTo(Long.MIN_VALUE);
    }

    @Test
    void a_python_int_beyond_a_long_fails() {
        assertThatThrownBy(() -> READING.decode(reading("count", "9223372036854775808")))
                .isInstanceOf(SerializationException.class)
                .hasMessageStartingWith("field 'count' of Reading is not a valid long");
    }

    @Test
    void a_string_field_that_is_not_utf8_fails_and_a_real_replacement_character_is_kept() {
        Map<String, byte[]> bad = reading("value", "1");
        bad.put("sensorId", new byte[] {'s', (byte) 0xff, '1'});

        assertThatThrownBy(() -> READING.decode(bad))
                .isInstanceOf(SerializationException.class)
                .hasMessage("field 'sensorId' of Reading is not UTF-8 text (3 bytes)");
        assertThat(READING.decode(reading("sensorId", "s\uFFFD1")).sensorId()).isEqualTo("s\uFFFD1");
    }

    @Test
    void a_record_of_only_nulls_cannot_be_written() {
        assertThatThrownBy(() -> BOXED.encode(new Boxed(null, null, null, null, null, null)))
                .isInstanceOf(SerializationException.class)
                .hasMessageContaining("no non-null component");
    }

    @Test
    void field_names_follow_component_order() {
        PrimitiveCodec<SnakeReading> codec = new PrimitiveCodec<>(RecordType.of(SnakeReading.class));

        assertThat(codec.fieldNames()).containsExactly("sensor_id", "value", "reading_count", "ok", "raw_bytes");
        assertThat(List.copyOf(READING.fieldNames())).containsExactly("sensorId", "value", "ratio", "count", "level", "ok");
    }
}
