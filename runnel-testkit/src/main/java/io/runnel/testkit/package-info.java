// SPDX-License-Identifier: Apache-2.0

/**
 * Test support shared by the modules: a real Redis server fixture ({@link io.runnel.testkit.RedisServer},
 * {@link io.runnel.testkit.RedisExtension}), the conformance suite every transport must pass
 * ({@link io.runnel.testkit.TransportConformanceTest}), and the suites every transport on a
 * real Redis server must pass besides ({@link io.runnel.testkit.RedisTransportTest},
 * {@link io.runnel.testkit.TransportAuthenticationTest}, and against servers of their own,
 * {@link io.runnel.testkit.RedisTlsTest} for {@code rediss://} and
 * {@link io.runnel.testkit.RedisSentinelTest} for {@code redis-sentinel://}).
 *
 * <p>Every suite here carries the JUnit tag {@code redis}, the conformance suite too (its base
 * flushes the shared server before each test), so a build can leave them out with
 * {@code -DexcludedGroups=redis}.
 */
package io.runnel.testkit;
