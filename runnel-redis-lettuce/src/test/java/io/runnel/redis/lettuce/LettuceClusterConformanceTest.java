// SPDX-License-Identifier: Apache-2.0

package io.runnel.redis.lettuce;

import io.runnel.api.transport.ConnectionUrl;
import io.runnel.api.transport.Transport;
import io.runnel.testkit.ClusterConformanceTest;
import org.junit.jupiter.api.Tag;

/** Pins {@link LettuceTransport} to the transport contract on a Redis Cluster. */
@Tag("redis")
class LettuceClusterConformanceTest extends ClusterConformanceTest {

    @Override
    protected Transport openUntagged(String url) {
        return new LettuceTransportProvider().open(ConnectionUrl.parse(url));
    }
}
