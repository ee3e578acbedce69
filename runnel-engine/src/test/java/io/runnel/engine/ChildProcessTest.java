// SPDX-License-Identifier: Apache-2.0

package io.runnel.engine;

import io.runnel.testkit.RedisExtension;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.extension.RegisterExtension;

import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

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

    /**
     * RUNNEL_* settings for a failover within seconds: 8 partitions, no join delay, quick
     * rebalance checks and reads, a 3 s lock expiry and a 1 s grace period.
     */
    static Map<String, String> fastFailover() {
        Map<String, String> settings = new LinkedHashMap<>();
        settings.put("RUNNEL_DEFAULT_PARTITION_COUNT", "8");
        settings.put("RUNNEL_DEFAULT_JOIN_DELAY", "0");
        settings.put("RUNNEL_DEFAULT_ASSIGNMENT_SLEEP", "100ms");
        settings.put("RUNNEL_DEFAULT_READ_TIMEOUT", "200");
        settings.put("RUNNEL_DEFAULT_LOCK_EXPIRY", "3");
        settings.put("RUNNEL_DEFAULT_GRACE_PERIOD", "1");
        settings.put("RUNNEL_LEADERSHIP_POLL_INTERVAL", "200");
        return settings;
    }
    ChildWorkers children;

    @AfterEach
    void closeChildrenAndApps() {
        if (children != null) {
            children.close();
        }
        apps.forEach(App::close);
    }
}
