/**
 * Test support shared by the modules: a real Redis server fixture ({@link io.runnel.testkit.RedisServer},
 * {@link io.runnel.testkit.RedisExtension}), the conformance suite every transport must pass
 * ({@link io.runnel.testkit.TransportConformanceTest}), and the suites every transport on a
 * real Redis server must pass besides ({@link io.runnel.testkit.RedisTransportTest},
 * {@link io.runnel.testkit.TransportAuthenticationTest}).
 */
package io.runnel.testkit;
