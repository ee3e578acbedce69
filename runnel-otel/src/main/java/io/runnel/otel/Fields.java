// SPDX-License-Identifier: Apache-2.0

package io.runnel.otel;

import io.opentelemetry.context.propagation.TextMapGetter;
import io.opentelemetry.context.propagation.TextMapSetter;

import java.nio.charset.StandardCharsets;
import java.util.Map;

/**
 * A stream entry's fields as a carrier of the trace context, as the configured propagators
 * write it ({@code traceparent}, {@code tracestate}, {@code baggage} for W3C; {@code b3} for B3...).
 */
final class Fields {
    static final TextMapSetter<Map<String, byte[]>> SETTER = (fields, key, value) -> {
        if (fields != null) {
            fields.put(key, value.getBytes(StandardCharsets.UTF_8));
        }
    };

    static final TextMapGetter<Map<String, byte[]>> GETTER = new TextMapGetter<>() {
        @Override
        public Iterable<String> keys(Map<String, byte[]> fields) {
            return fields.keySet();
        }

        @Override
        public String get(Map<String, byte[]> fields, String key) {
            byte[] value = fields == null ? null : fields.get(key);
            return value == null ? null : new String(value, StandardCharsets.UTF_8);
        }
    };

    private Fields() {
    }
}
