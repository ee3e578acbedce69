package io.runnel.redis.lettuce;

import io.runnel.api.transport.ConnectionUrl;
import io.runnel.api.transport.Transport;
import io.runnel.testkit.RedisClusterExtension;
import io.runnel.testkit.SameSlotTransport;
import io.runnel.testkit.TransportConformanceTest;
import org.junit.jupiter.api.extension.RegisterExtension;

/**
 * The whole transport contract on a real 3-master Redis Cluster, through a
 * {@code redis-cluster://} URL: every key of a test carries one hash tag (the suite combines
 * free-form keys in multi-key calls), so this pins the cluster client's routing, scripts and
 * blocking reads; {@link LettuceClusterTest} covers calls that span slots.
 */
class LettuceClusterConformanceTest extends TransportConformanceTest {
    private static final String TAG = "{conformance}";

    @RegisterExtension
    static final RedisClusterExtension clusterExtension = new RedisClusterExtension();

    @Override
    protected String serverUrl() {
        return clusterExtension.url();
    }

    @Override
    protected Transport openTransport(String url) {
        return new SameSlotTransport(new LettuceTransportProvider().open(ConnectionUrl.parse(url)), TAG);
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
