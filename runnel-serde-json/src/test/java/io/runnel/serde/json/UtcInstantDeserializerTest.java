// SPDX-License-Identifier: Apache-2.0

package io.runnel.serde.json;

import io.runnel.api.RecordType;
import io.runnel.api.SerializationException;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

import java.nio.charset.StandardCharsets;
import java.time.Instant;
import java.util.SplittableRandom;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

class UtcInstantDeserializerTest {
    record Stamp(Instant at) {
    }

    private final JsonSerializer json = new JsonSerializer();
    private final RecordType<Stamp> type = RecordType.of(Stamp.class);

    private Instant read(String text) {
        return json.deserialize(type, ("{\"at\":\"" + text + "\"}").getBytes(StandardCharsets.UTF_8)).at();
    }

    @Test
    void agrees_with_instant_parse_on_a_million_random_utc_instants_at_every_precision() {
        SplittableRandom random = new SplittableRandom(42);
        for (int i = 0; i < 1_000_000; i++) {
            long seconds = random.nextLong(Instant.parse("0000-01-01T00:00:00Z").getEpochSecond(),
                    Instant.parse("9999-12-31T23:59:59Z").getEpochSecond());
            int nanos = switch (i % 4) {
                case 0 -> 0;
                case 1 -> random.nextInt(1000) * 1_000_000;
                case 2 -> random.nextInt(1_000_000) * 1000;
                default -> random.nextInt(1_000_000_000);
            };
            Instant expected = Instant.ofEpochSecond(seconds, nanos);
            String text = expected.toString();
            assertThat(UtcInstantDeserializer.parse(text)).as(text).isEqualTo(expected);
        }
    }

    @ParameterizedTest
    @ValueSource(strings = {"2024-01-02T03:04:05.1Z", "2024-01-02T03:04:05.12Z", "2024-02-29T23:59:59.123456789Z",
            "1970-01-01T00:00:00Z", "1969-12-31T23:59:59.999999999Z"})
    void reads_every_fraction_length_the_same_as_instant_parse(String text) {
        assertThat(UtcInstantDeserializer.parse(text)).isEqualTo(Instant.parse(text));
        assertThat(read(text)).isEqualTo(Instant.parse(text));
    }

    @ParameterizedTest
    @ValueSource(strings = {"2024-01-02T03:04:05+01:00", "+12024-01-02T03:04:05Z", "2024-01-02T03:04:05.Z",
            "2024-01-02T03:04:05.1234567890Z", "2024-02-30T00:00:00Z", "2024-01-02T24:00:00Z", "2024-01-02 03:04:05Z",
            "2024-01-02T03:04:05z", "2024-1-02T03:04:05.5Z"})
    void leaves_anything_else_to_jackson(String text) {
        assertThat(UtcInstantDeserializer.parse(text)).isNull();
    }

    @Test
    void offsets_and_numbers_still_read_through_jackson() {
        assertThat(read("2024-01-02T03:04:05+01:00")).isEqualTo(Instant.parse("2024-01-02T02:04:05Z"));
        assertThat(json.deserialize(type, "{\"at\":1700000000.5}".getBytes(StandardCharsets.UTF_8)).at())
                .isEqualTo(Instant.ofEpochSecond(1_700_000_000L, 500_000_000));
    }

    @Test
    void an_impossible_date_is_still_a_clear_serialization_error() {
        assertThatThrownBy(() -> read("2024-02-30T00:00:00Z"))
                .isInstanceOf(SerializationException.class)
                .hasMessageContaining("Instant");
    }
}
