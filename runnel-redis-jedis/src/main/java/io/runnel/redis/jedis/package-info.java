// SPDX-License-Identifier: Apache-2.0

/**
 * The Redis transport on Jedis, interchangeable with the Lettuce one and found through
 * {@code ServiceLoader} by its {@link io.runnel.redis.jedis.JedisTransportProvider}.
 */
package io.runnel.redis.jedis;
