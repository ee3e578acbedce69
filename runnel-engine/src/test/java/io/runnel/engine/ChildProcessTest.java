// SPDX-License-Identifier: Apache-2.0

package io.runnel.engine;

import io.runnel.testkit.RedisExtension;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.extension.RegisterExtension;

import java.util.ArrayList;
import java.util.List;

/**
 * Base of the tests that run workers in their own JVMs: the shared test Redis, and the child
 * workers and apps a test starts, all closed after it (children first, so none outlives it).
 */
@Tag("redis")
@Tag("process")
abstract class ChildProcessTest {
    @RegisterExtension
    static RedisExtension redis = new RedisExtension();

    final List<App> apps = new ArrayList<>();
    ChildWorkers children;

    @AfterEach
    void closeChildrenAndApps() {
        if (children != null) {
            children.close();
        }
        apps.forEach(App::close);
    }
}
