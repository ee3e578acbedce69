// SPDX-License-Identifier: Apache-2.0

package io.runnel.redis.lettuce;

import io.lettuce.core.RedisURI;
import io.runnel.api.transport.ConnectionUrl;
import io.runnel.redis.common.RedisFailures;
import org.junit.jupiter.api.Test;

import java.time.Duration;
import java.util.List;

import static org.assertj.core.api.Assertions.assertThat;

/** How cluster URLs become Lettuce's seed URIs. */
class LettuceUrlTest {

    private static List<RedisURI> seeds(String url) {
        ConnectionUrl parsed = ConnectionUrl.parse(url);
        return LettuceUrl.parseCluster(parsed, new RedisFailures(parsed, Replies::kind));
    }

    @Test
    void everySeedOfAClusterUrlGetsTheCredentialsAndParameters() {
        List<RedisURI> seeds = seeds("redis-cluster://alice:pw@10.0.0.1:7000,h2:7001?timeout=5s");

        assertThat(seeds).extracting(RedisURI::getHost).containsExactly("10.0.0.1", "h2");
        assertThat(seeds).extracting(RedisURI::getPort).containsExactly(7000, 7001);
        assertThat(seeds).allSatisfy(seed -> {
            assertThat(seed.getCredentialsProvider().resolveCredentials().block().getUsername()).isEqualTo("alice");
            assertThat(seed.getTimeout()).isEqualTo(Duration.ofSeconds(5));
        });
    }

    @Test
    void clusterUrlsMayListIpv6Seeds() {
        List<RedisURI> seeds = seeds("rediss-cluster://:pw@[::1]:7000,[fe80::2]:7001");

        // Lettuce keeps the brackets, as java.net.URI does; InetAddress accepts either form.
        assertThat(seeds).extracting(RedisURI::getHost).containsExactly("[::1]", "[fe80::2]");
        assertThat(seeds).extracting(RedisURI::getPort).containsExactly(7000, 7001);
        assertThat(seeds).allSatisfy(seed -> assertThat(seed.isSsl()).isTrue());
    }
}
