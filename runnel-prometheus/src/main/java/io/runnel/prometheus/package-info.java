// SPDX-License-Identifier: Apache-2.0

/**
 * The Prometheus metrics reporter: put {@code runnel-prometheus} on the classpath and set
 * {@code metrics_reporters=prometheus} (with {@code metrics_host} and {@code metrics_port}).
 */
package io.runnel.prometheus;
