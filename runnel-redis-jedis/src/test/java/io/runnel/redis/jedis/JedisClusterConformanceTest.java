// SPDX-License-Identifier: Apache-2.0

package io.runnel.redis.jedis;

import io.runnel.api.transport.ConnectionUrl;
import io.runnel.api.transport.Transport;
import io.runnel.testkit.ClusterConformanceTest;
import org.junit.jupiter.api.Tag;

/** Pins {@link JedisTransport} to the transport contract on a Redis Cluster. */
@Tag("redis")
class JedisClusterConformanceTest extends ClusterConformanceTest {

    @Override
    protected Transport openUntagged(String url) {
        return new JedisTransportProvider().open(ConnectionUrl.parse(url));
    }
}
