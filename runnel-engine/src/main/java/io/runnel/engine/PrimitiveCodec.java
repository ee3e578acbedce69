package io.runnel.engine;

import io.runnel.api.RecordType;
import io.runnel.api.SerializationException;

import java.nio.charset.StandardCharsets;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;

/**
 * A {@link io.runnel.api.Primitive primitive} record: each component is its own stream
 * field, numbers and booleans as their decimal text (readable by redis-cli and by Python
 * runnel), strings as UTF-8, byte arrays as they are. A null component is left out.
 */
record PrimitiveCodec<T>(RecordType<T> type) implements RecordCodec<T> {

    @Override
    public Map<String, byte[]> encode(T record) {
        List<RecordType.Component> components = type.components();
        Map<String, byte[]> fields = new LinkedHashMap<>(components.size() * 2);
        for (RecordType.Component c : components) {
            Object value = c.get(record);
            if (value != null) {
                fields.put(c.name(), value instanceof byte[] b ? b : value.toString().getBytes(StandardCharsets.UTF_8));
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
            RecordType.Component c = components.get(i);
            values[i] = parse(c, fields.get(c.name()));
        }
        return type.construct(values);
    }

    private Object parse(RecordType.Component c, byte[] raw) {
        Class<?> t = c.type();
        if (raw == null) {
            if (t.isPrimitive()) {
                throw new SerializationException("field '" + c.name() + "' of " + type.type().getSimpleName() + " is missing");
            }
            return null;
        }
        if (t == byte[].class) {
            return raw;
        }
        String text = new String(raw, StandardCharsets.UTF_8);
        try {
            if (t == String.class) {
                return text;
            } else if (t == int.class || t == Integer.class) {
                return Integer.parseInt(text);
            } else if (t == long.class || t == Long.class) {
                return Long.parseLong(text);
            } else if (t == double.class || t == Double.class) {
                return Double.parseDouble(text);
            } else if (t == float.class || t == Float.class) {
                return Float.parseFloat(text);
            } else if (t == boolean.class || t == Boolean.class) {
                return parseBoolean(text);
            }
        } catch (NumberFormatException e) {
            throw new SerializationException("field '" + c.name() + "' of " + type.type().getSimpleName()
                    + " is not a valid " + t.getSimpleName() + ": '" + abbreviate(text) + "'", e);
        }
        throw new SerializationException("unsupported primitive component type " + t.getName());
    }

    /** Accepts Java's {@code true/false} and Python's {@code True/False} or {@code 1/0}. */
    private Boolean parseBoolean(String text) {
        return switch (text.toLowerCase(Locale.ROOT)) {
            case "true", "1" -> Boolean.TRUE;
            case "false", "0" -> Boolean.FALSE;
            default -> throw new NumberFormatException("not a boolean");
        };
    }

    private static String abbreviate(String s) {
        return s.length() > 40 ? s.substring(0, 40) + "…" : s;
    }
}
