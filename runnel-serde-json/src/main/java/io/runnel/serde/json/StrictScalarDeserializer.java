// SPDX-License-Identifier: Apache-2.0

package io.runnel.serde.json;

import com.fasterxml.jackson.core.JsonParser;
import com.fasterxml.jackson.core.JsonToken;
import com.fasterxml.jackson.databind.DeserializationContext;
import com.fasterxml.jackson.databind.JsonDeserializer;
import com.fasterxml.jackson.databind.JsonMappingException;
import com.fasterxml.jackson.databind.deser.std.NumberDeserializers;
import com.fasterxml.jackson.databind.deser.std.StdDeserializer;
import com.fasterxml.jackson.databind.module.SimpleModule;
import com.fasterxml.jackson.databind.type.LogicalType;
import com.fasterxml.jackson.databind.util.AccessPattern;
import com.fasterxml.jackson.databind.util.ClassUtil;

import java.io.IOException;
import java.math.BigDecimal;
import java.math.BigInteger;
import java.util.List;
import java.util.Set;

/**
 * Jackson's own deserializer for a number, boolean or char, made to refuse what it would
 * otherwise turn silently into another value: {@code null} for a primitive (Jackson gives
 * 0 or {@code false}; Python's orjson writes NaN and infinities as {@code null}), a
 * fraction for an integral type (Jackson drops it), NaN for an integral type (Jackson
 * gives 0) and a number beyond a float's or double's range (Jackson gives an infinity).
 *
 * <p>An <em>absent</em> primitive still reads as 0 or {@code false}: that is the schema
 * evolution the serializer promises (a consumer that added a component reads older
 * events). Jackson's {@code FAIL_ON_NULL_FOR_PRIMITIVES} would refuse both, which is why
 * this exists. The messages never quote the payload.
 */
final class StrictScalarDeserializer extends StdDeserializer<Object> {
    private static final List<Class<?>> TYPES = List.of(
            boolean.class, Boolean.class, char.class, Character.class, byte.class, Byte.class,
            short.class, Short.class, int.class, Integer.class, long.class, Long.class,
            float.class, Float.class, double.class, Double.class, BigInteger.class);
    private static final Set<Class<?>> INTEGRAL = Set.of(byte.class, Byte.class, short.class, Short.class,
            int.class, Integer.class, long.class, Long.class, BigInteger.class);
    private static final Set<Class<?>> FLOATING = Set.of(float.class, Float.class, double.class, Double.class);

    private final JsonDeserializer<?> standard;
    private final Object absent;
    // Decided once: deserialize runs for every number of every event.
    private final boolean integral;
    private final boolean floating;

    private StrictScalarDeserializer(Class<?> type, JsonDeserializer<?> standard) {
        super(type);
        this.standard = standard;
        this.absent = type.isPrimitive() ? ClassUtil.defaultValue(type) : null;
        this.integral = INTEGRAL.contains(type);
        this.floating = FLOATING.contains(type);
    }

    /** The deserializers for every type this covers, to register after Jackson's defaults. */
    static SimpleModule module() {
        SimpleModule module = new SimpleModule("runnel-strict-scalars");
        for (Class<?> type : TYPES) {
            add(module, type);
        }
        return module;
    }

    @SuppressWarnings("unchecked")
    private static <T> void add(SimpleModule module, Class<T> type) {
        JsonDeserializer<?> standard = NumberDeserializers.find(type, type.getName());
        module.addDeserializer(type, (JsonDeserializer<T>) new StrictScalarDeserializer(type, standard));
    }

    @Override
    public Object deserialize(JsonParser p, DeserializationContext ctxt) throws IOException {
        if (integral && p.hasToken(JsonToken.VALUE_NUMBER_FLOAT)) {
            if (p.isNaN()) {
                return ctxt.reportInputMismatch(this, "NaN or an infinity cannot be a %s", typeName());
            }
            if (hasFraction(p)) {
                return ctxt.reportInputMismatch(this, "a number with a fractional part cannot be a %s", typeName());
            }
        }
        Object value = standard.deserialize(p, ctxt);
        // Infinity, "INF" and the like are meant; digits that overflowed are not.
        if (floating && isInfinite(value) && hasDigit(p.getText())) {
            return ctxt.reportInputMismatch(this, "a number beyond the range of %s", typeName());
        }
        return value;
    }

    private static boolean hasFraction(JsonParser p) throws IOException {
        BigDecimal d = p.getDecimalValue();
        return d.signum() != 0 && d.stripTrailingZeros().scale() > 0;
    }

    private static boolean isInfinite(Object value) {
        return value instanceof Double d && d.isInfinite() || value instanceof Float f && f.isInfinite();
    }

    private static boolean hasDigit(String text) {
        return text != null && text.chars().anyMatch(Character::isDigit);
    }

    @Override
    public Object getNullValue(DeserializationContext ctxt) throws JsonMappingException {
        if (!handledType().isPrimitive()) {
            return null;
        }
        String hint = floating ? " (Python's orjson writes NaN and infinities as null)" : "";
        return ctxt.reportInputMismatch(this, "null cannot be a %s%s; declare the component %s to accept null",
                typeName(), hint, ClassUtil.wrapperType(handledType()).getSimpleName());
    }

    @Override
    public AccessPattern getNullAccessPattern() {
        // Not CONSTANT: Jackson would ask for the null value once, up front, and cache it.
        return handledType().isPrimitive() ? AccessPattern.DYNAMIC : AccessPattern.ALWAYS_NULL;
    }

    @Override
    public Object getAbsentValue(DeserializationContext ctxt) {
        return absent;
    }

    @Override
    public Object getEmptyValue(DeserializationContext ctxt) throws JsonMappingException {
        return standard.getEmptyValue(ctxt);
    }

    @Override
    public AccessPattern getEmptyAccessPattern() {
        return standard.getEmptyAccessPattern();
    }

    @Override
    public LogicalType logicalType() {
        return standard.logicalType();
    }

    private String typeName() {
        return handledType().getSimpleName();
    }
}
