// SPDX-License-Identifier: Apache-2.0

package io.runnel.otel;

import io.opentelemetry.api.common.AttributeKey;
import io.opentelemetry.api.trace.Span;
import io.opentelemetry.api.trace.SpanBuilder;
import io.opentelemetry.api.trace.SpanKind;
import io.opentelemetry.api.trace.StatusCode;
import io.opentelemetry.context.Context;
import io.opentelemetry.context.Scope;
import io.opentelemetry.context.propagation.TextMapPropagator;
import io.runnel.api.Middleware;
import io.runnel.engine.Instrumentation;

import java.util.List;
import java.util.Map;

/**
 * Runnel's OpenTelemetry tracing, found by {@link java.util.ServiceLoader} when
 * {@code runnel-otel} is on the classpath:
 * <ul>
 *   <li>every send runs in a PRODUCER span ({@code send <stream>}): the child of the span
 *       active on the sending thread, or the root of a new trace when none is (a send from a
 *       timer, a task, a script), so that what the event causes downstream is always tied to
 *       where it was sent; the span's context goes into every entry through the configured
 *       propagators (the W3C {@code traceparent}, {@code tracestate} and {@code baggage} fields
 *       by default);
 *   <li>every delivery runs in a CONSUMER span ({@code process <stream>}), the child of its
 *       event's producer span (with the event's baggage current), or for a batch linked to
 *       each event's; an error status, {@code error.type} and the exception when the function
 *       fails.
 * </ul>
 * Attributes follow the messaging semantic conventions, with {@code messaging.system}
 * {@code redis} and the server {@code redis_url} names.
 */
public final class OpenTelemetryInstrumentation implements Instrumentation {
    static final AttributeKey<String> SYSTEM = AttributeKey.stringKey("messaging.system");
    static final AttributeKey<String> DESTINATION = AttributeKey.stringKey("messaging.destination.name");
    static final AttributeKey<String> PARTITION = AttributeKey.stringKey("messaging.destination.partition.id");
    static final AttributeKey<String> GROUP = AttributeKey.stringKey("messaging.consumer.group.name");
    static final AttributeKey<String> MESSAGE_ID = AttributeKey.stringKey("messaging.message.id");
    static final AttributeKey<Long> BATCH_COUNT = AttributeKey.longKey("messaging.batch.message_count");
    static final AttributeKey<String> OPERATION_TYPE = AttributeKey.stringKey("messaging.operation.type");
    static final AttributeKey<String> OPERATION_NAME = AttributeKey.stringKey("messaging.operation.name");
    static final AttributeKey<String> SERVER_ADDRESS = AttributeKey.stringKey("server.address");
    static final AttributeKey<Long> SERVER_PORT = AttributeKey.longKey("server.port");
    static final AttributeKey<String> ERROR_TYPE = AttributeKey.stringKey("error.type");
    static final AttributeKey<String> APP = AttributeKey.stringKey("runnel.app");

    /** The constructor {@link java.util.ServiceLoader} calls. */
    public OpenTelemetryInstrumentation() {
    }

    @Override
    public SendCompletion beforeSend(Destination destination, List<Map<String, byte[]>> entries) {
        Context parent = Context.current();
        SpanBuilder builder = RunnelTelemetry.tracer().spanBuilder("send " + destination.stream())
                .setSpanKind(SpanKind.PRODUCER)
                .setParent(parent)
                .setAttribute(OPERATION_TYPE, "send")
                .setAttribute(OPERATION_NAME, "send");
        describe(builder, destination);
        destination.partition().ifPresent(p -> builder.setAttribute(PARTITION, Integer.toString(p)));
        if (entries.size() > 1) {
            builder.setAttribute(BATCH_COUNT, (long) entries.size());
        }
        Span span = builder.startSpan();
        if (!span.getSpanContext().isValid()) {
            return null; // no SDK (the API's no-op): nothing to carry or end
        }
        Context withSpan = parent.with(span);
        TextMapPropagator propagator = RunnelTelemetry.propagator();
        for (Map<String, byte[]> entry : entries) {
            propagator.inject(withSpan, entry, Fields.SETTER);
        }
        return (ids, error) -> {
            if (error != null) {
                failed(span, error);
            } else if (ids.size() == 1) {
                span.setAttribute(MESSAGE_ID, ids.get(0));
            }
            span.end();
        };
    }

    @Override
    public Middleware middleware(Destination destination, String processor) {
        return new TracingMiddleware(destination, processor);
    }

    /** The attributes every span of a stream has. */
    static void describe(SpanBuilder builder, Destination destination) {
        builder.setAttribute(SYSTEM, "redis")
                .setAttribute(DESTINATION, destination.stream())
                .setAttribute(APP, destination.app());
        destination.server().ifPresent(server -> builder.setAttribute(SERVER_ADDRESS, server.host())
                .setAttribute(SERVER_PORT, (long) server.port()));
    }

    /** Marks a span failed: status, {@code error.type} (the exception's class) and the exception. */
    static void failed(Span span, Throwable error) {
        span.setStatus(StatusCode.ERROR, String.valueOf(error.getMessage()));
        span.setAttribute(ERROR_TYPE, error.getClass().getName());
        span.recordException(error);
    }

    /** A span and the scope that made it current, on a consumer's thread. */
    record Active(Span span, Scope scope) {
        void end() {
            scope.close();
            span.end();
        }
    }
}
