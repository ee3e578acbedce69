// SPDX-License-Identifier: Apache-2.0

package io.runnel.redis.lettuce;

import io.runnel.api.transport.ConnectionUrl;
import io.runnel.api.transport.Transport;
import io.runnel.testkit.RedisSentinelTest;

/** {@code redis-sentinel://} URLs against a real sentinel and a password-protected master. */
class LettuceSentinelTest extends RedisSentinelTest {

    @Override
    protected Transport openTransport(String url) {
        return new LettuceTransportProvider().open(ConnectionUrl.parse(url));
    }
}
