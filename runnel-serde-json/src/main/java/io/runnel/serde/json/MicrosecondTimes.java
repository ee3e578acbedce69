// SPDX-License-Identifier: Apache-2.0

package io.runnel.serde.json;

import com.fasterxml.jackson.databind.JavaType;
import com.fasterxml.jackson.databind.JsonSerializer;
import com.fasterxml.jackson.databind.module.SimpleModule;
import com.fasterxml.jackson.databind.ser.std.StdDelegatingSerializer;
import com.fasterxml.jackson.databind.type.TypeFactory;
import com.fasterxml.jackson.databind.util.Converter;
import com.fasterxml.jackson.datatype.jsr310.ser.DurationSerializer;
import com.fasterxml.jackson.datatype.jsr310.ser.InstantSerializer;
import com.fasterxml.jackson.datatype.jsr310.ser.LocalDateTimeSerializer;
import com.fasterxml.jackson.datatype.jsr310.ser.LocalTimeSerializer;
import com.fasterxml.jackson.datatype.jsr310.ser.OffsetDateTimeSerializer;
import com.fasterxml.jackson.datatype.jsr310.ser.OffsetTimeSerializer;
import com.fasterxml.jackson.datatype.jsr310.ser.ZonedDateTimeSerializer;

import java.time.Duration;
import java.time.Instant;
import java.time.LocalDateTime;
import java.time.LocalTime;
import java.time.OffsetDateTime;
import java.time.OffsetTime;
import java.time.ZonedDateTime;
import java.time.temporal.ChronoUnit;
import java.util.function.UnaryOperator;

/**
 * Writes {@code java.time} values cut to whole microseconds, then as Jackson's
 * {@code JavaTimeModule} would (so {@code @JsonFormat} and the mapper's features still
 * apply). Python's {@code datetime}, {@code time} and {@code timedelta} hold microseconds:
 * Python drops the digits beyond them on read, so a producer that drops them itself lets
 * its Java and Python consumers see the same value.
 */
final class MicrosecondTimes {
    private MicrosecondTimes() {
    }

    /** The module; register it after {@code JavaTimeModule}, so its serializers take precedence. */
    static SimpleModule module() {
        SimpleModule module = new SimpleModule("runnel-microsecond-times");
        add(module, Instant.class, InstantSerializer.INSTANCE, t -> t.truncatedTo(ChronoUnit.MICROS));
        add(module, OffsetDateTime.class, OffsetDateTimeSerializer.INSTANCE, t -> t.truncatedTo(ChronoUnit.MICROS));
        add(module, ZonedDateTime.class, ZonedDateTimeSerializer.INSTANCE, t -> t.truncatedTo(ChronoUnit.MICROS));
        add(module, LocalDateTime.class, LocalDateTimeSerializer.INSTANCE, t -> t.truncatedTo(ChronoUnit.MICROS));
        add(module, LocalTime.class, LocalTimeSerializer.INSTANCE, t -> t.truncatedTo(ChronoUnit.MICROS));
        add(module, OffsetTime.class, OffsetTimeSerializer.INSTANCE, t -> t.truncatedTo(ChronoUnit.MICROS));
        add(module, Duration.class, DurationSerializer.INSTANCE, t -> t.truncatedTo(ChronoUnit.MICROS));
        return module;
    }

    @SuppressWarnings("unchecked")
    private static <T> void add(SimpleModule module, Class<T> type, JsonSerializer<T> standard, UnaryOperator<T> cut) {
        JavaType javaType = TypeFactory.defaultInstance().constructType(type);
        Converter<Object, T> converter = new Converter<>() {
            @Override
            public T convert(Object value) {
                return cut.apply((T) value);
            }

            @Override
            public JavaType getInputType(TypeFactory typeFactory) {
                return javaType;
            }

            @Override
            public JavaType getOutputType(TypeFactory typeFactory) {
                return javaType;
            }
        };
        module.addSerializer(type, (JsonSerializer<T>) (JsonSerializer<?>) new StdDelegatingSerializer(converter, javaType, standard));
    }
}
