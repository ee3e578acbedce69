// SPDX-License-Identifier: Apache-2.0

/**
 * The Transport SPI: what the engine needs from Redis, implemented by the Lettuce, Jedis
 * and in-memory transports and found through {@link io.runnel.api.transport.TransportProvider}.
 */
package io.runnel.api.transport;
