// SPDX-License-Identifier: Apache-2.0

package io.runnel.engine;

import io.runnel.api.Misconfigured;
import io.runnel.api.Primitive;
import io.runnel.api.RecordType;
import io.runnel.api.SerializationException;

import java.lang.invoke.MethodType;
import java.nio.ByteBuffer;
import java.nio.charset.CharacterCodingException;
import java.nio.charset.StandardCharsets;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;

/**
 * A {@link io.runnel.api.Primitive primitive} record: each component is its own stream
 * field, named by the record's {@link Primitive#fieldNames()} rule, numbers and booleans as
 * their decimal text (readable by redis-cli and by Python runnel), strings as UTF-8, byte
 * arrays as they are. A null component is left out.
 *
 * <p>Reading never turns a field into another value: Python's spellings of non-finite
 * floats are read as the doubles they name, and text that is no such value, a number a
 * {@code float} or {@code double} cannot hold, or a string that is not UTF-8 fails.
 *
 * @param type       the record
 * @param fieldNames each component's field name, in component order
 */
record PrimitiveCodec<T>(RecordType<T> type, List<String> fieldNames) implements RecordCodec<T> {

    /**
     * The codec of a primitive record type.
     *
     * @throws Misconfigured if two components would share a field name
     */
    PrimitiveCodec(RecordType<T> type) {
        this(type, fieldNamesOf(type));
    }

    private static List<String> fieldNamesOf(RecordType<?> type) {
        Primitive primitive = type.type().getAnnotation(Primitive.class);
        Primitive.FieldNames rule = primitive == null ? Primitive.FieldNames.AS_DECLARED : primitive.fieldNames();
        Map<String, String> componentOf = new HashMap<>();
        List<String> names = type.components().stream().map(c -> rule.fieldName(c.name())).toList();
        for (int i = 0; i < names.size(); i++) {
            String component = type.components().get(i).name();
            String other = componentOf.putIfAbsent(names.get(i), component);
            if (other != null) {
                throw new Misconfigured("primitive record " + type.type().getSimpleName() + " has components '"
                        + other + "' and '" + component + "' that both are stream field '" + names.get(i)
                        + "' under " + rule + ": rename one");
            }
        }
        return names;
    }

    @Override
    public Map<String, byte[]> encode(T record) {
        List<RecordType.Component> components = type.components();
        Map<String, byte[]> fields = new LinkedHashMap<>(components.size() * 2);
        for (int i = 0; i < components.size(); i++) {
            Object value = components.get(i).get(record);
            if (value != null) {
                // Double.toString's Infinity/-Infinity/NaN are spellings Python's float() reads.
                fields.put(fieldNames.get(i), value instanceof byte[] b ? b : value.toString().getBytes(StandardCharsets.UTF_8));
            }
        }
        if (fields.isEmpty()) {
            throw new SerializationException("primitive record " + type.type().getSimpleName()
                    + " has no non-null component: a stream entry needs at least one field");
        }
        return fields;
    }

    @Override
    public T decode(Map<String, byte[]> fields) {
        List<RecordType.Component> components = type.components();
        Object[] values = new Object[components.size()];
        for (int i = 0; i < values.length; i++) {
            String field = fieldNames.get(i);
            values[i] = parse(components.get(i), field, fields.get(field));
        }
        return type.construct(values);
    }

    private Object parse(RecordType.Component c, String field, byte[] raw) {
        Class<?> t = c.type();
        if (raw == null) {
            if (t.isPrimitive()) {
                throw new SerializationException("field '" + field + "' of " + type.type().getSimpleName() + " is missing"
                        + " (declare the component " + MethodType.methodType(t).wrap().returnType().getSimpleName()
                        + " to accept its absence)");
            }
            return null;
        }
        if (t == byte[].class) {
            return raw;
        }
        String text = utf8(field, raw);
        try {
            if (t == String.class) {
                return text;
            } else if (t == int.class || t == Integer.class) {
                return Integer.parseInt(text);
            } else if (t == long.class || t == Long.class) {
                return Long.parseLong(text);
            } else if (t == double.class || t == Double.class) {
                return parseFloating(text, false);
            } else if (t == float.class || t == Float.class) {
                return (float) parseFloating(text, true);
            } else if (t == boolean.class || t == Boolean.class) {
                return parseBoolean(text);
            }
        } catch (NumberFormatException e) {
            String why = e instanceof OutOfRange ? " (" + e.getMessage() + ")"
                    : text.equals("None") ? " (Python runnel writes None as that text)" : "";
            throw new SerializationException("field '" + field + "' of " + type.type().getSimpleName()
                    + " is not a valid " + t.getSimpleName() + ": '" + abbreviate(text) + "'" + why, e);
        }
        throw new SerializationException("unsupported primitive component type " + t.getName());
    }

    /** Strict: a replacement character in place of bad bytes would be a silent change. */
    private String utf8(String field, byte[] raw) {
        String text = new String(raw, StandardCharsets.UTF_8);
        // Only then can the bytes be malformed; decoding again strictly costs nothing otherwise.
        if (text.indexOf('\uFFFD') >= 0) {
            try {
                StandardCharsets.UTF_8.newDecoder().decode(ByteBuffer.wrap(raw));
            } catch (CharacterCodingException e) {
                throw new SerializationException("field '" + field + "' of " + type.type().getSimpleName()
                        + " is not UTF-8 text (" + raw.length + " bytes)", e);
            }
        }
        return text;
    }

    /**
     * Java's spellings ({@code Infinity}, {@code NaN}), Python's ({@code inf}, {@code nan}, in
     * any case, as its float() reads them), and no overflow to an infinity.
     */
    private static double parseFloating(String text, boolean single) {
        double value;
        try {
            // Float.parseFloat rounds the text once; narrowing a parsed double could round twice.
            value = single ? Float.parseFloat(text) : Double.parseDouble(text);
        } catch (NumberFormatException e) {
            Double python = pythonNonFinite(text);
            if (python == null) {
                throw e;
            }
            return python;
        }
        if (Double.isInfinite(value) && !text.contains("Infinity")) {
            throw new OutOfRange("beyond the range of " + (single ? "float" : "double"));
        }
        return value;
    }

    /** What Python's float() reads as an infinity or NaN and Java's parser does not, or null. */
    private static Double pythonNonFinite(String text) {
        String s = text.strip().toLowerCase(Locale.ROOT);
        boolean negative = s.startsWith("-");
        if (negative || s.startsWith("+")) {
            s = s.substring(1);
        }
        return switch (s) {
            case "inf", "infinity" -> negative ? Double.NEGATIVE_INFINITY : Double.POSITIVE_INFINITY;
            case "nan" -> Double.NaN;
            default -> null;
        };
    }

    /** Accepts Java's {@code true/false} and Python's {@code True/False} or {@code 1/0}. */
    private static Boolean parseBoolean(String text) {
        return switch (text.toLowerCase(Locale.ROOT)) {
            case "true", "1" -> Boolean.TRUE;
            case "false", "0" -> Boolean.FALSE;
            default -> throw new NumberFormatException("not a boolean");
        };
    }

    /** A number too large for its type, which Java's parsers read as an infinity. */
    private static final class OutOfRange extends NumberFormatException {
        OutOfRange(String message) {
            super(message);
        }
    }

    private static String abbreviate(String s) {
        return s.length() > 40 ? s.substring(0, 40) + "…" : s;
    }
}
