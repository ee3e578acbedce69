// SPDX-License-Identifier: Apache-2.0

package io.runnel.testkit;

import org.junit.jupiter.api.extension.BeforeEachCallback;
import org.junit.jupiter.api.extension.ExtensionContext;

/**
 * Gives tests a Redis Cluster of 3 masters (no replicas) shared by the whole JVM, emptied
 * before each test; the cluster starts on first use and stops when the JVM exits. Tests that
 * kill nodes or need replicas start their own {@link RedisCluster}.
 *
 * <pre>{@code
 * @RegisterExtension
 * static RedisClusterExtension cluster = new RedisClusterExtension();
 * }</pre>
 */
public final class RedisClusterExtension implements BeforeEachCallback {
    private static final SharedFixture<RedisCluster> SHARED = new SharedFixture<>("runnel-redis-cluster-stop", () -> RedisCluster.start(3, 0));

    /** An extension on the JVM's shared cluster, which starts on first use. */
    public RedisClusterExtension() {
    }

    @Override
    public void beforeEach(ExtensionContext context) {
        cluster().flushAll();
    }

    /**
     * The shared cluster, started on the first call.
     *
     * @return the cluster; do not close it
     */
    public RedisCluster cluster() {
        return SHARED.get();
    }

    /**
     * The shared cluster's {@code redis-cluster://} URL.
     *
     * @return the URL of every node
     */
    public String url() {
        return cluster().url();
    }
}
