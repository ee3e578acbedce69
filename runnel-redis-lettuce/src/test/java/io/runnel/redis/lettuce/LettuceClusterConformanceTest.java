// SPDX-License-Identifier: Apache-2.0

package io.runnel.redis.lettuce;

import io.runnel.api.transport.ConnectionUrl;
import io.runnel.api.transport.Transport;
import io.runnel.testkit.ClusterConformanceTest;

/** Pins {@link LettuceTransport} to the transport contract on a Redis Cluster. */
class LettuceClusterConformanceTest extends ClusterConformanceTest {

    @Override
    protected Transport openUntagged(String url) {
        return new LettuceTransportProvider().open(ConnectionUrl.parse(url));
    }
}
