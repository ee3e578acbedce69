// SPDX-License-Identifier: Apache-2.0

package io.runnel.otel;

import io.opentelemetry.api.trace.Span;
import io.opentelemetry.api.trace.SpanBuilder;
import io.opentelemetry.api.trace.SpanContext;
import io.opentelemetry.api.trace.SpanKind;
import io.opentelemetry.api.trace.StatusCode;
import io.opentelemetry.api.trace.propagation.W3CTraceContextPropagator;
import io.opentelemetry.context.Context;
import io.runnel.api.Delivery;
import io.runnel.api.Event;
import io.runnel.api.Middleware;

import static io.runnel.otel.OpenTelemetryInstrumentation.APP;
import static io.runnel.otel.OpenTelemetryInstrumentation.BATCH_COUNT;
import static io.runnel.otel.OpenTelemetryInstrumentation.DESTINATION;
import static io.runnel.otel.OpenTelemetryInstrumentation.GROUP;
import static io.runnel.otel.OpenTelemetryInstrumentation.MESSAGE_ID;
import static io.runnel.otel.OpenTelemetryInstrumentation.OPERATION_NAME;
import static io.runnel.otel.OpenTelemetryInstrumentation.OPERATION_TYPE;
import static io.runnel.otel.OpenTelemetryInstrumentation.PARTITION;
import static io.runnel.otel.OpenTelemetryInstrumentation.SYSTEM;

/**
 * Runs each delivery of one processor in a CONSUMER span, current on the partition's thread
 * while the function holds the delivery (so spans the function starts are its children). A
 * single event's span is the child of the span that sent it; a batch's is a root linked to
 * each event's sender.
 */
final class TracingMiddleware implements Middleware {
    /** The delivery's span on this consumer thread: callbacks of one delivery run on one thread. */
    private final ThreadLocal<OpenTelemetryInstrumentation.Active> active = new ThreadLocal<>();
    private final String app;
    private final String stream;
    private final String processor;

    TracingMiddleware(String app, String stream, String processor) {
        this.app = app;
        this.stream = stream;
        this.processor = processor;
    }

    @Override
    public void beforeProcessing(Delivery delivery) {
        endLeftover();
        SpanBuilder builder = OpenTelemetryInstrumentation.tracer().spanBuilder("process " + stream)
                .setSpanKind(SpanKind.CONSUMER)
                .setAttribute(SYSTEM, "redis")
                .setAttribute(DESTINATION, stream)
                .setAttribute(PARTITION, Integer.toString(delivery.partition()))
                .setAttribute(GROUP, processor)
                .setAttribute(OPERATION_TYPE, "process")
                .setAttribute(OPERATION_NAME, "process")
                .setAttribute(APP, app);
        if (delivery.events().size() == 1) {
            Event event = delivery.events().get(0);
            builder.setParent(senderOf(event)).setAttribute(MESSAGE_ID, event.id());
        } else {
            builder.setNoParent().setAttribute(BATCH_COUNT, (long) delivery.events().size());
            for (Event event : delivery.events()) {
                SpanContext sender = Span.fromContext(senderOf(event)).getSpanContext();
                if (sender.isValid()) {
                    builder.addLink(sender);
                }
            }
        }
        Span span = builder.startSpan();
        active.set(new OpenTelemetryInstrumentation.Active(span, span.makeCurrent()));
    }

    @Override
    public void afterSuccess(Delivery delivery) {
        endLeftover();
    }

    @Override
    public void afterFailure(Delivery delivery, Throwable error) {
        OpenTelemetryInstrumentation.Active a = active.get();
        if (a != null) {
            active.remove();
            a.span().setStatus(StatusCode.ERROR, String.valueOf(error.getMessage()));
            a.span().recordException(error);
            a.end();
        }
    }

    /**
     * Ends this thread's span, if any: after a success, and before a new delivery (one cut
     * short, its partition revoked mid-way, leaves its span behind).
     */
    private void endLeftover() {
        OpenTelemetryInstrumentation.Active a = active.get();
        if (a != null) {
            active.remove();
            a.end();
        }
    }

    /** The context the event's sender put in its fields; the root context when there is none. */
    private static Context senderOf(Event event) {
        return W3CTraceContextPropagator.getInstance().extract(Context.root(), event.fields(), Fields.GETTER);
    }
}
