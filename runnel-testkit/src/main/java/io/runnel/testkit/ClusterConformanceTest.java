// SPDX-License-Identifier: Apache-2.0

package io.runnel.testkit;

import io.runnel.api.transport.Transport;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.extension.RegisterExtension;

/**
 * The whole {@link TransportConformanceTest} contract on the shared 3-master test Redis
 * Cluster, through a {@code redis-cluster://} URL. The suite combines free-form keys in
 * multi-key calls, so every key of a test gets one hash tag ({@link SameSlotTransport}):
 * this pins a transport's cluster routing, scripts and blocking reads, and
 * {@link RedisClusterTransportTest} covers calls that span slots. A transport module runs it
 * with one small subclass:
 *
 * <pre>{@code
 * class LettuceClusterConformanceTest extends ClusterConformanceTest {
 *     @Override
 *     protected Transport openUntagged(String url) {
 *         return new LettuceTransportProvider().open(ConnectionUrl.parse(url));
 *     }
 * }
 * }</pre>
 */
@Tag("redis")
public abstract class ClusterConformanceTest extends TransportConformanceTest {
    private static final String TAG = "{conformance}";

    @RegisterExtension
    static final RedisClusterExtension clusterExtension = new RedisClusterExtension();

    /** For a transport module's subclass. */
    protected ClusterConformanceTest() {
    }

    /**
     * Opens the transport under test as users would, without the test's hash tag.
     *
     * @param url the shared cluster's {@code redis-cluster://} URL
     * @return a new transport, which the suite closes after each test
     */
    protected abstract Transport openUntagged(String url);

    @Override
    protected final Transport openTransport(String url) {
        return new SameSlotTransport(openUntagged(url), TAG);
    }

    @Override
    protected String serverUrl() {
        return clusterExtension.url();
    }

    @Override
    protected long blockedClients() {
        return clusterExtension.cluster().blockedClients();
    }

    @Override
    protected void trimBehindTheTransport(String key, long maxLen) {
        clusterExtension.cluster().masterOf(TAG + key).call("XTRIM", TAG + key, "MAXLEN", Long.toString(maxLen));
    }

    @Override
    protected void deleteBehindTheTransport(String key, String id) {
        clusterExtension.cluster().masterOf(TAG + key).call("XDEL", TAG + key, id);
    }
}
