/**
 * Test support shared by the modules: a real Redis server fixture ({@link io.runnel.testkit.RedisServer},
 * {@link io.runnel.testkit.RedisExtension}) and the conformance suite every transport must pass
 * ({@link io.runnel.testkit.TransportConformanceTest}).
 */
package io.runnel.testkit;
