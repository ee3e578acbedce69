// SPDX-License-Identifier: Apache-2.0

/**
 * Runnel's Spring Boot starter: see {@link io.runnel.spring.RunnelAutoConfiguration} and
 * {@link io.runnel.spring.RunnelProcessor}.
 */
package io.runnel.spring;
