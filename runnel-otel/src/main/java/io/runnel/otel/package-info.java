// SPDX-License-Identifier: Apache-2.0

/**
 * OpenTelemetry tracing of sends and deliveries: put {@code runnel-otel} on the classpath
 * (see {@link io.runnel.otel.OpenTelemetryInstrumentation}, {@link io.runnel.otel.RunnelTelemetry}).
 */
package io.runnel.otel;
