// SPDX-License-Identifier: Apache-2.0

/**
 * The Redis transport on Lettuce, found through {@code ServiceLoader} by its
 * {@link io.runnel.redis.lettuce.LettuceTransportProvider}.
 */
package io.runnel.redis.lettuce;
