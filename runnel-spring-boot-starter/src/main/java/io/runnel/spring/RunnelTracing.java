// SPDX-License-Identifier: Apache-2.0

package io.runnel.spring;

import io.opentelemetry.api.OpenTelemetry;
import io.runnel.otel.RunnelTelemetry;
import org.springframework.beans.factory.DisposableBean;

/**
 * Points {@code runnel-otel}'s tracing at the application's {@link OpenTelemetry} bean (Spring
 * Boot's, or one the application defines) for the context's life, instead of
 * {@code GlobalOpenTelemetry}; with no such bean it changes nothing.
 *
 * <p>{@link RunnelTelemetry} is one per JVM: two contexts with different beans in one JVM
 * would share the last one's.
 */
final class RunnelTracing implements DisposableBean {
    private final OpenTelemetry openTelemetry;

    /** @param openTelemetry the application's, or null for none */
    RunnelTracing(OpenTelemetry openTelemetry) {
        this.openTelemetry = openTelemetry;
        if (openTelemetry != null) {
            RunnelTelemetry.use(openTelemetry);
        }
    }

    @Override
    public void destroy() {
        if (openTelemetry != null) {
            RunnelTelemetry.useGlobal();
        }
    }
}
