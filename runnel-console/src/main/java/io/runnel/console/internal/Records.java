// SPDX-License-Identifier: Apache-2.0

package io.runnel.console.internal;

import com.fasterxml.jackson.core.JsonFactory;
import com.fasterxml.jackson.core.JsonGenerator;
import com.fasterxml.jackson.core.JsonParser;

import java.io.IOException;
import java.io.StringWriter;
import java.nio.charset.CharacterCodingException;
import java.nio.charset.CodingErrorAction;
import java.nio.charset.StandardCharsets;
import java.util.Map;

/**
 * An event's fields as a page shows them: a field that holds JSON (as the JSON serializer
 * writes records) pretty-printed, text as it is, other bytes as their count.
 */
final class Records {
    private static final JsonFactory JSON = new JsonFactory();

    private Records() {
    }

    static String pretty(Map<String, byte[]> fields) {
        if (fields.size() == 1) {
            return value(fields.values().iterator().next());
        }
        StringBuilder out = new StringBuilder();
        fields.forEach((name, value) -> out.append(name).append(": ").append(value(value)).append('\n'));
        return out.toString().stripTrailing();
    }

    private static String value(byte[] bytes) {
        String text;
        try {
            text = StandardCharsets.UTF_8.newDecoder().onMalformedInput(CodingErrorAction.REPORT)
                    .onUnmappableCharacter(CodingErrorAction.REPORT).decode(java.nio.ByteBuffer.wrap(bytes)).toString();
        } catch (CharacterCodingException binary) {
            return "(" + bytes.length + " bytes, not text)";
        }
        String trimmed = text.strip();
        if (trimmed.startsWith("{") || trimmed.startsWith("[")) {
            try (JsonParser parser = JSON.createParser(trimmed); StringWriter out = new StringWriter();
                 JsonGenerator generator = JSON.createGenerator(out).useDefaultPrettyPrinter()) {
                parser.nextToken();
                generator.copyCurrentStructure(parser);
                generator.flush();
                if (parser.nextToken() == null) {
                    return out.toString();
                }
            } catch (IOException notJson) {
                return text;
            }
        }
        return text;
    }
}
