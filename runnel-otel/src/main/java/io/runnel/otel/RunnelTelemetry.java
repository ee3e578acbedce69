// SPDX-License-Identifier: Apache-2.0

package io.runnel.otel;

import io.opentelemetry.api.GlobalOpenTelemetry;
import io.opentelemetry.api.OpenTelemetry;
import io.opentelemetry.api.trace.Tracer;
import io.opentelemetry.api.trace.TracerBuilder;
import io.opentelemetry.context.propagation.TextMapPropagator;

import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.util.Objects;
import java.util.Properties;

/**
 * Which {@link OpenTelemetry} Runnel's tracing reports to: the global one
 * ({@link GlobalOpenTelemetry}, installed by the Java agent or the SDK's autoconfiguration)
 * unless {@link #use} names another. With {@code runnel-otel} on the classpath, sends and
 * deliveries are traced with no other code. Spans are made by the tracer of the
 * instrumentation scope {@code io.runnel} with this module's version, and the trace context
 * (with baggage and whatever else) crosses a stream in the entries' fields through that
 * {@link OpenTelemetry}'s configured propagators.
 */
public final class RunnelTelemetry {
    /** The instrumentation scope's name. */
    static final String SCOPE = "io.runnel";
    /** The instrumentation scope's version: this module's, as its jar was built; null if unknown. */
    static final String VERSION = readVersion();

    private static volatile OpenTelemetry chosen;
    /** The tracer of the {@link OpenTelemetry} last used, made once per {@link OpenTelemetry}. */
    private static volatile Made made;

    private record Made(OpenTelemetry openTelemetry, Tracer tracer) {
    }

    private RunnelTelemetry() {
    }

    /**
     * Reports to {@code openTelemetry} from now on (e.g. an SDK built by hand, or a test's).
     *
     * @param openTelemetry the OpenTelemetry to trace with instead of the global one
     */
    public static void use(OpenTelemetry openTelemetry) {
        chosen = Objects.requireNonNull(openTelemetry, "openTelemetry");
    }

    /** Goes back to the global {@link OpenTelemetry}. */
    public static void useGlobal() {
        chosen = null;
    }

    static OpenTelemetry openTelemetry() {
        OpenTelemetry o = chosen;
        return o != null ? o : GlobalOpenTelemetry.get();
    }

    static Tracer tracer() {
        OpenTelemetry o = openTelemetry();
        Made m = made;
        if (m == null || m.openTelemetry() != o) {
            TracerBuilder builder = o.getTracerProvider().tracerBuilder(SCOPE);
            if (VERSION != null) {
                builder.setInstrumentationVersion(VERSION);
            }
            m = new Made(o, builder.build());
            made = m;
        }
        return m.tracer();
    }

    /** The configured propagators' (W3C trace context and baggage by default in the SDK; B3, Jaeger... as set). */
    static TextMapPropagator propagator() {
        return openTelemetry().getPropagators().getTextMapPropagator();
    }

    private static String readVersion() {
        try (InputStream in = RunnelTelemetry.class.getResourceAsStream("version.properties")) {
            if (in == null) {
                return null;
            }
            Properties p = new Properties();
            p.load(in);
            String v = p.getProperty("version");
            return v == null || v.isBlank() || v.startsWith("${") ? null : v;
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }
}
