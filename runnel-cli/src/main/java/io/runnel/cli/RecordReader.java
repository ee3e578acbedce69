// SPDX-License-Identifier: Apache-2.0

package io.runnel.cli;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.core.JsonParser;
import com.fasterxml.jackson.databind.DeserializationFeature;
import com.fasterxml.jackson.databind.JsonMappingException;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.JsonNode;
import io.runnel.api.RecordType;
import io.runnel.engine.Stream;
import io.runnel.serde.json.JsonSerializer;

import java.util.Iterator;
import java.util.List;
import java.util.stream.Collectors;

/**
 * Reads JSON typed at the terminal into a stream's record type. Stricter than the JSON
 * serializer (which tolerates schema drift between producers and consumers): here a typo
 * must not turn into a silently-null component, so every component must be present (null
 * is allowed for object components) and unknown fields are rejected.
 *
 * @param <T> the record type
 */
final class RecordReader<T> {
    private final Stream<T> stream;
    private final ObjectMapper mapper;

    RecordReader(Stream<T> stream) {
        this.stream = stream;
        ObjectMapper mapper = JsonSerializer.defaultObjectMapper()
                .enable(DeserializationFeature.FAIL_ON_UNKNOWN_PROPERTIES)
                .enable(DeserializationFeature.FAIL_ON_MISSING_CREATOR_PROPERTIES)
                .enable(DeserializationFeature.FAIL_ON_NULL_FOR_PRIMITIVES)
                .enable(DeserializationFeature.FAIL_ON_TRAILING_TOKENS);
        mapper.enable(JsonParser.Feature.STRICT_DUPLICATE_DETECTION);
        this.mapper = mapper;
    }

    /**
     * A record from JSON text, checked to have a partition key.
     *
     * @throws IllegalArgumentException saying why the text is not such a record
     */
    T read(String json) {
        JsonNode tree;
        try {
            tree = mapper.readTree(json);
        } catch (JsonProcessingException e) {
            throw new IllegalArgumentException("invalid JSON: " + firstLine(e.getOriginalMessage()), e);
        }
        if (tree == null || tree.isMissingNode()) {
            throw new IllegalArgumentException("no JSON given");
        }
        RecordType<T> type = stream.recordType();
        if (type.isRecord()) {
            checkComponents(tree);
        }
        T record;
        try {
            record = mapper.treeToValue(tree, type.type());
        } catch (JsonProcessingException e) {
            throw new IllegalArgumentException(mismatch(e), e);
        }
        if (record == null) {
            throw new IllegalArgumentException("null is not a " + typeName());
        }
        try {
            stream.partitionOf(record);
        } catch (RuntimeException e) {
            throw new IllegalArgumentException("cannot route it to a partition: " + e.getMessage(), e);
        }
        return record;
    }

    /** Names the first unknown or missing component: clearer than Jackson's creator messages. */
    private void checkComponents(JsonNode tree) {
        if (!tree.isObject()) {
            throw new IllegalArgumentException("expected a JSON object with the components of record " + typeName()
                    + " (" + components() + "), got " + tree.getNodeType().name().toLowerCase(java.util.Locale.ROOT));
        }
        List<String> names = stream.recordType().components().stream().map(RecordType.Component::name).toList();
        for (Iterator<String> fields = tree.fieldNames(); fields.hasNext(); ) {
            String field = fields.next();
            if (!names.contains(field)) {
                throw new IllegalArgumentException("record " + typeName() + " has no component '" + field
                        + "' (its components: " + components() + ")");
            }
        }
        for (String name : names) {
            if (!tree.has(name)) {
                throw new IllegalArgumentException("component '" + name + "' of record " + typeName()
                        + " is missing (give every component; null for none)");
            }
        }
    }

    private String mismatch(JsonProcessingException e) {
        String message = firstLine(e.getOriginalMessage());
        if (e instanceof JsonMappingException mapping) {
            String path = mapping.getPath().stream()
                    .map(r -> r.getFieldName() != null ? r.getFieldName() : "[" + r.getIndex() + "]")
                    .collect(Collectors.joining("."));
            return "does not match record " + typeName() + (path.isEmpty() ? "" : " at '" + path + "'") + ": " + message;
        }
        return "does not match record " + typeName() + ": " + message;
    }

    private String typeName() {
        return stream.recordType().type().getSimpleName();
    }

    private String components() {
        return stream.recordType().components().stream().map(RecordType.Component::name).collect(Collectors.joining(", "));
    }

    private static String firstLine(String text) {
        if (text == null) {
            return "";
        }
        int newline = text.indexOf('\n');
        return newline < 0 ? text : text.substring(0, newline);
    }
}
