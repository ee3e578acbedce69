// SPDX-License-Identifier: Apache-2.0

package io.runnel.engine;

import com.fasterxml.jackson.core.JsonFactory;
import com.fasterxml.jackson.core.JsonGenerator;
import com.fasterxml.jackson.core.JsonParseException;
import com.fasterxml.jackson.core.JsonParser;
import com.fasterxml.jackson.core.JsonToken;

import java.io.IOException;
import java.io.StringWriter;
import java.io.UncheckedIOException;
import java.util.ArrayList;
import java.util.Collection;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * The engine's own small JSON documents (the membership record, the partition marks) on
 * jackson-core's streaming parser and generator: plain maps, lists, strings, numbers and
 * booleans, no data binding. Users' records are the serializers' business, not this.
 */
final class Json {
    private static final JsonFactory FACTORY = new JsonFactory();

    private Json() {
    }

    /**
     * Reads a JSON text: objects as (ordered) maps, arrays as lists, strings, numbers
     * ({@code Long} or {@code Double}), booleans and null.
     *
     * @throws IOException when the text is not one JSON value
     */
    static Object read(String text) throws IOException {
        try (JsonParser parser = FACTORY.createParser(text)) {
            if (parser.nextToken() == null) {
                throw new JsonParseException(parser, "no JSON value");
            }
            Object value = value(parser);
            if (parser.nextToken() != null) {
                throw new JsonParseException(parser, "more than one JSON value");
            }
            return value;
        }
    }

    /** Reads a JSON object; anything else is an {@link IOException}. */
    @SuppressWarnings("unchecked")
    static Map<String, Object> readObject(String text) throws IOException {
        if (read(text) instanceof Map<?, ?> object) {
            return (Map<String, Object>) object;
        }
        throw new IOException("not a JSON object");
    }

    private static Object value(JsonParser p) throws IOException {
        JsonToken token = p.currentToken();
        return switch (token) {
            case START_OBJECT -> {
                Map<String, Object> object = new LinkedHashMap<>();
                while (p.nextToken() == JsonToken.FIELD_NAME) {
                    String name = p.currentName();
                    p.nextToken();
                    object.put(name, value(p));
                }
                yield object;
            }
            case START_ARRAY -> {
                List<Object> array = new ArrayList<>();
                while (p.nextToken() != JsonToken.END_ARRAY) {
                    array.add(value(p));
                }
                yield array;
            }
            case VALUE_STRING -> p.getText();
            case VALUE_NUMBER_INT -> p.getLongValue();
            case VALUE_NUMBER_FLOAT -> p.getDoubleValue();
            case VALUE_TRUE -> Boolean.TRUE;
            case VALUE_FALSE -> Boolean.FALSE;
            case VALUE_NULL -> null;
            default -> throw new JsonParseException(p, "unexpected " + token);
        };
    }

    /** Writes maps, collections, strings, numbers, booleans and null as compact JSON. */
    static String write(Object value) {
        StringWriter out = new StringWriter();
        try (JsonGenerator g = FACTORY.createGenerator(out)) {
            write(g, value);
        } catch (IOException e) {
            throw new UncheckedIOException("writing JSON to a string", e);
        }
        return out.toString();
    }

    private static void write(JsonGenerator g, Object value) throws IOException {
        switch (value) {
            case null -> g.writeNull();
            case Map<?, ?> object -> {
                g.writeStartObject();
                for (Map.Entry<?, ?> e : object.entrySet()) {
                    g.writeFieldName(String.valueOf(e.getKey()));
                    write(g, e.getValue());
                }
                g.writeEndObject();
            }
            case Collection<?> array -> {
                g.writeStartArray();
                for (Object element : array) {
                    write(g, element);
                }
                g.writeEndArray();
            }
            case String s -> g.writeString(s);
            case Integer i -> g.writeNumber(i);
            case Long l -> g.writeNumber(l);
            case Double d -> g.writeNumber(d);
            case Boolean b -> g.writeBoolean(b);
            default -> throw new IllegalArgumentException("not a JSON value: " + value.getClass().getName());
        }
    }

    /** A value as text, as a lenient reader takes it: a scalar's text, "" for null, an object or an array. */
    static String text(Object value) {
        return value == null || value instanceof Map || value instanceof Collection ? "" : String.valueOf(value);
    }

    /** A member of an object; null when the value is not an object or has no such member. */
    static Object member(Object object, String name) {
        return object instanceof Map<?, ?> map ? map.get(name) : null;
    }

    /** A value as a list: its elements when it is an array, else empty. */
    static List<?> list(Object value) {
        return value instanceof List<?> l ? l : List.of();
    }
}
