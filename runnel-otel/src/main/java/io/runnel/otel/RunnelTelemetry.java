// SPDX-License-Identifier: Apache-2.0

package io.runnel.otel;

import io.opentelemetry.api.GlobalOpenTelemetry;
import io.opentelemetry.api.OpenTelemetry;

import java.util.Objects;

/**
 * Which {@link OpenTelemetry} Runnel's tracing reports to: the global one
 * ({@link GlobalOpenTelemetry}, installed by the Java agent or the SDK's autoconfiguration)
 * unless {@link #use} names another. With {@code runnel-otel} on the classpath, sends and
 * deliveries are traced with no other code.
 */
public final class RunnelTelemetry {
    private static volatile OpenTelemetry chosen;

    private RunnelTelemetry() {
    }

    /** Reports to {@code openTelemetry} from now on (e.g. an SDK built by hand, or a test's). */
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
}
