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

    @Override
    public void beforeEach(ExtensionContext context) {
        cluster().flushAll();
    }

    /** The shared cluster, started on the first call. */
    public RedisCluster cluster() {
        return SharedCluster.get();
    }

    /** The shared cluster's {@code redis-cluster://} URL. */
    public String url() {
        return cluster().url();
    }

    /** Holds the one cluster per JVM; a failed start is remembered so every test reports it quickly. */
    private static final class SharedCluster {
        private static RedisCluster cluster;
        private static RuntimeException failure;

        static synchronized RedisCluster get() {
            if (cluster != null) {
                return cluster;
            }
            if (failure != null) {
                throw failure;
            }
            try {
                cluster = RedisCluster.start(3, 0);
            } catch (RuntimeException e) {
                failure = e;
                throw e;
            }
            RedisCluster started = cluster;
            Runtime.getRuntime().addShutdownHook(new Thread(started::close, "runnel-redis-cluster-stop"));
            return started;
        }
    }
}
