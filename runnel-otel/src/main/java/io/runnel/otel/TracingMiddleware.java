// SPDX-License-Identifier: Apache-2.0

package io.runnel.otel;

import io.opentelemetry.api.trace.Span;
import io.opentelemetry.api.trace.SpanBuilder;
import io.opentelemetry.api.trace.SpanContext;
import io.opentelemetry.api.trace.SpanKind;
import io.opentelemetry.context.Context;
import io.runnel.api.Delivery;
import io.runnel.api.Event;
import io.runnel.api.Middleware;
import io.runnel.engine.Instrumentation;

import static io.runnel.otel.OpenTelemetryInstrumentation.BATCH_COUNT;
import static io.runnel.otel.OpenTelemetryInstrumentation.GROUP;
import static io.runnel.otel.OpenTelemetryInstrumentation.MESSAGE_ID;
import static io.runnel.otel.OpenTelemetryInstrumentation.OPERATION_NAME;
import static io.runnel.otel.OpenTelemetryInstrumentation.OPERATION_TYPE;
import static io.runnel.otel.OpenTelemetryInstrumentation.PARTITION;

/**
 * Runs each delivery of one processor in a CONSUMER span, current on the partition's thread
 * while the function holds the delivery (so spans the function starts are its children). A
 * single event's span is the child of the span that sent it, and the event's baggage is current
 * with it; a batch's is a root linked to each event's sender.
 */
final class TracingMiddleware implements Middleware {
    /** The delivery's span on this consumer thread: callbacks of one delivery run on one thread. */
    private final ThreadLocal<OpenTelemetryInstrumentation.Active> active = new ThreadLocal<>();
    private final Instrumentation.Destination destination;
    private final String processor;

    TracingMiddleware(Instrumentation.Destination destination, String processor) {
        this.destination = destination;
        this.processor = processor;
    }

    @Override
    public void beforeProcessing(Delivery delivery) {
        endLeftover();
        SpanBuilder builder = RunnelTelemetry.tracer().spanBuilder("process " + destination.stream())
                .setSpanKind(SpanKind.CONSUMER)
                .setAttribute(PARTITION, Integer.toString(delivery.partition()))
                .setAttribute(GROUP, processor)
                .setAttribute(OPERATION_TYPE, "process")
                .setAttribute(OPERATION_NAME, "process");
        OpenTelemetryInstrumentation.describe(builder, destination);
        Context current;
        if (delivery.events().size() == 1) {
            Event event = delivery.events().get(0);
            current = senderOf(event); // the sender's span as parent, and its baggage
            builder.setParent(current).setAttribute(MESSAGE_ID, event.id());
        } else {
            current = Context.current();
            builder.setNoParent().setAttribute(BATCH_COUNT, (long) delivery.events().size());
            for (Event event : delivery.events()) {
                SpanContext sender = Span.fromContext(senderOf(event)).getSpanContext();
                if (sender.isValid()) {
                    builder.addLink(sender);
                }
            }
        }
        Span span = builder.startSpan();
        active.set(new OpenTelemetryInstrumentation.Active(span, current.with(span).makeCurrent()));
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
            OpenTelemetryInstrumentation.failed(a.span(), error);
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

    /** The context the event's sender put in its fields (span, baggage...); the root context when there is none. */
    private static Context senderOf(Event event) {
        return RunnelTelemetry.propagator().extract(Context.root(), event.fields(), Fields.GETTER);
    }
}
