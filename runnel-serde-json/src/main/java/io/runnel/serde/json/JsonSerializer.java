// SPDX-License-Identifier: Apache-2.0

package io.runnel.serde.json;

import com.fasterxml.jackson.core.JacksonException;
import com.fasterxml.jackson.core.StreamWriteFeature;
import com.fasterxml.jackson.core.json.JsonReadFeature;
import com.fasterxml.jackson.databind.DeserializationFeature;
import com.fasterxml.jackson.databind.JsonMappingException;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.ObjectReader;
import com.fasterxml.jackson.databind.ObjectWriter;
import com.fasterxml.jackson.databind.PropertyNamingStrategies;
import com.fasterxml.jackson.databind.SerializationFeature;
import com.fasterxml.jackson.databind.cfg.CoercionAction;
import com.fasterxml.jackson.databind.cfg.CoercionInputShape;
import com.fasterxml.jackson.databind.json.JsonMapper;
import com.fasterxml.jackson.databind.module.SimpleModule;
import com.fasterxml.jackson.databind.type.LogicalType;
import com.fasterxml.jackson.datatype.jsr310.JavaTimeModule;
import io.runnel.api.RecordType;
import io.runnel.api.SerializationException;
import io.runnel.api.Serializer;

import java.io.IOException;
import java.time.Instant;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Optional;
import java.util.concurrent.ConcurrentHashMap;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * Encodes records as plain JSON with Jackson, so events stay readable with
 * {@code redis-cli} and by consumers written in other languages.
 *
 * <p>The {@linkplain #defaultObjectMapper() default mapper} writes date-times as ISO-8601
 * strings, keeps {@link java.math.BigDecimal} values exact, writes {@code byte[]} as
 * base64 and enums by name. It ignores properties the record does not declare and leaves
 * absent components {@code null} (or {@code 0}/{@code false} for primitives), so producers
 * and consumers can add or drop components without a coordinated deployment.
 *
 * <p>It never reads a value as a different one: an explicit {@code null} for a primitive
 * component, an empty string for a number or boolean, a fraction for an integral component
 * and a number beyond a {@code float}'s or {@code double}'s range each fail with a
 * {@link SerializationException} naming the component, so the processor's exception policy
 * applies. (Jackson's defaults would read them as 0, {@code false}, a truncated number or an
 * infinity.) Declare a component boxed ({@code Double}, {@code Long}) where {@code null} is
 * a real value. {@code NaN}, {@code Infinity} and {@code -Infinity}, which Python's standard
 * {@code json} module writes for non-finite floats, are read as the doubles they name.
 *
 * <p>For streams shared with Python runnel, {@link #forPython()} adds snake_case member
 * names and date-times cut to microseconds; see {@link #pythonObjectMapper()}.
 *
 * <p>Thread-safe. A user-supplied {@link ObjectMapper} is used as given; configure it fully
 * before handing it over, because readers and writers are derived from it once per record
 * class and keep the configuration they were created with.
 */
public final class JsonSerializer implements Serializer {

    /*
     * Jackson's messages quote offending payload text ("from String \"...\"", "token '...'"),
     * which can be huge or sensitive and ends up in logs and dead-letter metadata. Quoted
     * literals are shortened, and the whole reason is capped as a backstop for payload text
     * that is not quoted; both limits leave Jackson's explanation and type names intact.
     */
    private static final int MAX_QUOTED_CHARS = 40;
    private static final int MAX_REASON_CHARS = 240;
    private static final Pattern QUOTED = Pattern.compile("([\"'])([^\"']*)\\1");

    private final ObjectMapper mapper;
    // Per class, so the per-event path is a map lookup rather than Jackson's type resolution.
    private final Map<Class<?>, ObjectReader> readers = new ConcurrentHashMap<>();
    private final Map<Class<?>, ObjectWriter> writers = new ConcurrentHashMap<>();

    /** A serializer using {@link #defaultObjectMapper()}; the constructor {@link java.util.ServiceLoader} calls. */
    public JsonSerializer() {
        this(defaultObjectMapper());
    }

    /**
     * A serializer using the given mapper exactly as configured (naming strategy, modules,
     * features); none of the defaults of {@link #defaultObjectMapper()} are added to it.
     *
     * @param mapper the mapper to encode and decode with; not copied, so do not change it
     *               once the serializer is in use
     */
    public JsonSerializer(ObjectMapper mapper) {
        this.mapper = Objects.requireNonNull(mapper, "mapper");
    }

    /**
     * The mapper behind {@link #JsonSerializer()}: a fresh instance each call, so it can be
     * adjusted (e.g. a naming strategy added) and passed to {@link #JsonSerializer(ObjectMapper)}.
     *
     * @return a new mapper with Runnel's defaults
     */
    public static ObjectMapper defaultObjectMapper() {
        return JsonMapper.builder()
                .addModule(new JavaTimeModule())
                // Registered after JavaTimeModule, so it takes precedence for Instant.
                .addModule(new SimpleModule("runnel-instant").addDeserializer(Instant.class, new UtcInstantDeserializer()))
                // Wraps Jackson's number and boolean deserializers: null, fractions and overflow
                // fail instead of becoming 0, a truncated number or an infinity.
                .addModule(StrictScalarDeserializer.module())
                // "" is no number or boolean; Jackson would read it as 0, null or false.
                .withCoercionConfig(LogicalType.Integer, c -> c.setCoercion(CoercionInputShape.EmptyString, CoercionAction.Fail))
                .withCoercionConfig(LogicalType.Float, c -> c.setCoercion(CoercionInputShape.EmptyString, CoercionAction.Fail))
                .withCoercionConfig(LogicalType.Boolean, c -> c.setCoercion(CoercionInputShape.EmptyString, CoercionAction.Fail))
                // Python's json module writes a non-finite float as NaN, Infinity or -Infinity
                // (not JSON, but what arrives); read them as those doubles rather than fail.
                .enable(JsonReadFeature.ALLOW_NON_NUMERIC_NUMBERS)
                // ISO-8601 text is unambiguous across languages; epoch numbers lose the
                // type (date vs instant) and, as floats, precision.
                .disable(SerializationFeature.WRITE_DATES_AS_TIMESTAMPS)
                .disable(SerializationFeature.WRITE_DURATIONS_AS_TIMESTAMPS)
                // Keep the offset an OffsetDateTime/ZonedDateTime was written with, so it
                // reads back equal instead of being shifted to UTC.
                .disable(DeserializationFeature.ADJUST_DATES_TO_CONTEXT_TIME_ZONE)
                // Schema evolution: a consumer whose record dropped a component must still
                // read events written by producers that have it.
                .disable(DeserializationFeature.FAIL_ON_UNKNOWN_PROPERTIES)
                // "1.0E+3" is legal JSON, but plain digits are what other languages' decimal
                // parsers expect; scale and digits survive either way.
                .enable(StreamWriteFeature.WRITE_BIGDECIMAL_AS_PLAIN)
                // Untyped values (Object, Map<String, Object>) would otherwise become
                // doubles and round.
                .enable(DeserializationFeature.USE_BIG_DECIMAL_FOR_FLOATS)
                // A valid record followed by garbage is a corrupt event, not a record.
                .enable(DeserializationFeature.FAIL_ON_TRAILING_TOKENS)
                .build();
    }

    /**
     * A serializer for streams shared with Python runnel, using {@link #pythonObjectMapper()}.
     * Its name is {@code json}, like the default's: the bytes are the same format.
     *
     * @return a new serializer
     */
    public static JsonSerializer forPython() {
        return new JsonSerializer(pythonObjectMapper());
    }

    /**
     * The mapper for streams shared with Python runnel: {@link #defaultObjectMapper()} with
     * snake_case member names ({@code userId} is {@code user_id}, as Python fields are
     * usually named) and {@code java.time} values written cut to whole microseconds, the
     * precision of Python's {@code datetime}, {@code time} and {@code timedelta}
     * ({@code 03:04:05.123456789Z} is written {@code 03:04:05.123456Z}). Python reads the
     * nine digits the default writes too, but drops the last three; writing six makes Java
     * and Python consumers see the same value. Reading still keeps every digit given.
     *
     * <p>A fresh instance each call. For microseconds without snake_case, set the naming
     * strategy back: {@code pythonObjectMapper().setPropertyNamingStrategy(PropertyNamingStrategies.LOWER_CAMEL_CASE)}.
     *
     * @return a new mapper for streams shared with Python
     */
    public static ObjectMapper pythonObjectMapper() {
        ObjectMapper mapper = defaultObjectMapper().setPropertyNamingStrategy(PropertyNamingStrategies.SNAKE_CASE);
        // After JavaTimeModule (in the default mapper), so its serializers take precedence.
        return mapper.registerModule(MicrosecondTimes.module());
    }

    /**
     * The mapper this serializer uses.
     *
     * @return the mapper itself, not a copy
     */
    public ObjectMapper objectMapper() {
        return mapper;
    }

    @Override
    public String name() {
        return "json";
    }

    @Override
    public <T> byte[] serialize(RecordType<T> type, T value) throws SerializationException {
        Objects.requireNonNull(type, "type");
        if (value == null) {
            throw new SerializationException("cannot serialize " + name(type) + " to JSON: the record is null");
        }
        try {
            return writer(type.type()).writeValueAsBytes(value);
        } catch (IOException | RuntimeException e) {
            throw new SerializationException("cannot serialize " + name(type) + " to JSON: " + reason(e), e);
        }
    }

    @Override
    public <T> T deserialize(RecordType<T> type, byte[] bytes) throws SerializationException {
        Objects.requireNonNull(type, "type");
        if (bytes == null) {
            throw new SerializationException("cannot deserialize " + name(type) + " from JSON: no payload");
        }
        T value;
        try {
            value = reader(type.type()).readValue(bytes);
        } catch (IOException | RuntimeException e) {
            throw new SerializationException("cannot deserialize " + name(type) + " from JSON ("
                    + bytes.length + " bytes): " + reason(e), e);
        }
        // A JSON "null" parses fine but is no record; downstream code must never see null.
        if (value == null) {
            throw new SerializationException("cannot deserialize " + name(type) + " from JSON ("
                    + bytes.length + " bytes): the payload is null");
        }
        return value;
    }

    /**
     * Refuses a type whose values this mapper would write but never read back: a component
     * (also inside a list, map or optional) that is an interface or abstract class without
     * {@code @JsonTypeInfo} or a deserializer of its own, or a class Jackson cannot create.
     */
    @Override
    public <T> void checkReadable(RecordType<T> type) throws SerializationException {
        Objects.requireNonNull(type, "type");
        Optional<String> problem = new ReadBackCheck(mapper).problem(type.type());
        if (problem.isPresent()) {
            throw new SerializationException("JSON of " + name(type) + " cannot be read back: " + problem.get());
        }
    }

    private ObjectReader reader(Class<?> type) {
        return readers.computeIfAbsent(type, mapper::readerFor);
    }

    private ObjectWriter writer(Class<?> type) {
        return writers.computeIfAbsent(type, mapper::writerFor);
    }

    private static String name(RecordType<?> type) {
        return type.type().getSimpleName();
    }

    /**
     * Jackson's own message without its location suffix (which may quote the source),
     * truncated, plus the path to the failing component so the user knows where to look.
     */
    private static String reason(Exception e) {
        String message = e instanceof JacksonException je ? je.getOriginalMessage() : e.getMessage();
        if (message == null) {
            message = e.getClass().getSimpleName();
        }
        // Every quoted span is matched, short ones too, so a closing quote is never
        // mistaken for an opening one.
        message = QUOTED.matcher(message.strip()).replaceAll(quoted -> Matcher.quoteReplacement(
                quoted.group(1) + shorten(quoted.group(2), MAX_QUOTED_CHARS) + quoted.group(1)));
        message = shorten(message, MAX_REASON_CHARS);
        if (e instanceof JsonMappingException jme) {
            String path = path(jme.getPath());
            if (!path.isEmpty()) {
                message += " (at " + path + ")";
            }
        }
        return message;
    }

    private static String path(List<JsonMappingException.Reference> references) {
        StringBuilder path = new StringBuilder();
        for (JsonMappingException.Reference ref : references) {
            if (ref.getFieldName() != null) {
                if (!path.isEmpty()) {
                    path.append('.');
                }
                // Map keys are payload text too.
                path.append(shorten(ref.getFieldName(), MAX_QUOTED_CHARS));
            } else if (ref.getIndex() >= 0) {
                path.append('[').append(ref.getIndex()).append(']');
            }
        }
        return path.toString();
    }

    private static String shorten(String text, int max) {
        return text.length() <= max ? text : text.substring(0, max) + "...";
    }
}
