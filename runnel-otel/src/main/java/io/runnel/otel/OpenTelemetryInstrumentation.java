// SPDX-License-Identifier: Apache-2.0

package io.runnel.otel;

import io.opentelemetry.api.common.AttributeKey;
import io.opentelemetry.api.trace.Span;
import io.opentelemetry.api.trace.SpanKind;
import io.opentelemetry.api.trace.StatusCode;
import io.opentelemetry.api.trace.Tracer;
import io.opentelemetry.api.trace.propagation.W3CTraceContextPropagator;
import io.opentelemetry.context.Context;
import io.opentelemetry.context.Scope;
import io.runnel.api.Middleware;
import io.runnel.engine.Instrumentation;

import java.util.List;
import java.util.Map;

/**
 * Runnel's OpenTelemetry tracing, found by {@link java.util.ServiceLoader} when
 * {@code runnel-otel} is on the classpath:
 * <ul>
 *   <li>a send made while a span is active runs in a PRODUCER span ({@code send <stream>}),
 *       whose context goes into every entry as the W3C {@code traceparent} (and
 *       {@code tracestate}) fields; a send outside any span adds nothing;
 *   <li>every delivery runs in a CONSUMER span ({@code process <stream>}), the child of its
 *       event's producer span, or for a batch linked to each event's; an error status and
 *       the exception when the function fails.
 * </ul>
 * Attributes follow the messaging semantic conventions, with {@code messaging.system}
 * {@code redis}.
 */
public final class OpenTelemetryInstrumentation implements Instrumentation {
    static final String SCOPE = "io.runnel";
    static final AttributeKey<String> SYSTEM = AttributeKey.stringKey("messaging.system");
    static final AttributeKey<String> DESTINATION = AttributeKey.stringKey("messaging.destination.name");
    static final AttributeKey<String> PARTITION = AttributeKey.stringKey("messaging.destination.partition.id");
    static final AttributeKey<String> GROUP = AttributeKey.stringKey("messaging.consumer.group.name");
    static final AttributeKey<String> MESSAGE_ID = AttributeKey.stringKey("messaging.message.id");
    static final AttributeKey<Long> BATCH_COUNT = AttributeKey.longKey("messaging.batch.message_count");
    static final AttributeKey<String> OPERATION_TYPE = AttributeKey.stringKey("messaging.operation.type");
    static final AttributeKey<String> OPERATION_NAME = AttributeKey.stringKey("messaging.operation.name");
    static final AttributeKey<String> APP = AttributeKey.stringKey("runnel.app");

    /** The constructor {@link java.util.ServiceLoader} calls. */
    public OpenTelemetryInstrumentation() {
    }

    static Tracer tracer() {
        return RunnelTelemetry.openTelemetry().getTracer(SCOPE);
    }

    @Override
    public SendCompletion beforeSend(String app, String stream, List<Map<String, byte[]>> entries) {
        Context parent = Context.current();
        if (!Span.fromContext(parent).getSpanContext().isValid()) {
            return null; // no trace to carry on
        }
        Span span = tracer().spanBuilder("send " + stream)
                .setSpanKind(SpanKind.PRODUCER)
                .setParent(parent)
                .setAttribute(SYSTEM, "redis")
                .setAttribute(DESTINATION, stream)
                .setAttribute(OPERATION_TYPE, "send")
                .setAttribute(OPERATION_NAME, "send")
                .setAttribute(APP, app)
                .startSpan();
        if (entries.size() > 1) {
            span.setAttribute(BATCH_COUNT, (long) entries.size());
        }
        Context withSpan = parent.with(span);
        for (Map<String, byte[]> entry : entries) {
            W3CTraceContextPropagator.getInstance().inject(withSpan, entry, Fields.SETTER);
        }
        return (ids, error) -> {
            if (error != null) {
                span.setStatus(StatusCode.ERROR, String.valueOf(error.getMessage()));
                span.recordException(error);
            } else if (ids.size() == 1) {
                span.setAttribute(MESSAGE_ID, ids.get(0));
            }
            span.end();
        };
    }

    @Override
    public Middleware middleware(String app, String stream, String processor) {
        return new TracingMiddleware(app, stream, processor);
    }

    /** A span and the scope that made it current, on a consumer's thread. */
    record Active(Span span, Scope scope) {
        void end() {
            scope.close();
            span.end();
        }
    }
}
