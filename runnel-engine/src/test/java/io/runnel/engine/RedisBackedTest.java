// SPDX-License-Identifier: Apache-2.0

package io.runnel.engine;

import io.runnel.testkit.RedisExtension;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.extension.RegisterExtension;

/** Base of the engine's integration tests: the shared test Redis, and the apps each test creates (closed after it). */
@Tag("redis")
abstract class RedisBackedTest {
    @RegisterExtension
    static RedisExtension redis = new RedisExtension();

    @RegisterExtension
    final Apps apps = new Apps(redis);
}
