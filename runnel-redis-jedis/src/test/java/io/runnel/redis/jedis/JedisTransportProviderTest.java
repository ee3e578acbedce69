// SPDX-License-Identifier: Apache-2.0

package io.runnel.redis.jedis;

import static org.assertj.core.api.Assertions.assertThat;

import io.runnel.api.transport.ConnectionUrl;
import io.runnel.api.transport.TransportProvider;
import java.util.ServiceLoader;
import org.junit.jupiter.api.Test;

class JedisTransportProviderTest {

    @Test
    void isFoundOnTheClasspath() {
        assertThat(ServiceLoader.load(TransportProvider.class))
                .anySatisfy(provider -> assertThat(provider).isInstanceOf(JedisTransportProvider.class));
    }

    @Test
    void supportsRedisSchemesOnly() {
        TransportProvider provider = new JedisTransportProvider();

        assertThat(provider.name()).isEqualTo("jedis");
        assertThat(provider.supports(ConnectionUrl.parse("redis://127.0.0.1:6379/0"))).isTrue();
        assertThat(provider.supports(ConnectionUrl.parse("rediss://user:pw@example.com:6380"))).isTrue();
        assertThat(provider.supports(ConnectionUrl.parse("redis-sentinel://127.0.0.1:26379#mymaster"))).isTrue();
        assertThat(provider.supports(ConnectionUrl.parse("REDIS://127.0.0.1:6379"))).isTrue();
        assertThat(provider.supports(ConnectionUrl.parse("redis-cluster://127.0.0.1:7000,127.0.0.1:7001"))).isTrue();
        assertThat(provider.supports(ConnectionUrl.parse("rediss-cluster://user:pw@example.com:7000"))).isTrue();
        assertThat(provider.supports(ConnectionUrl.parse("memory://local"))).isFalse();
    }

    @Test
    void ranksBelowLettuceSoLettuceStaysTheDefault() {
        // Lettuce's provider has priority 10; it is not on this module's classpath.
        assertThat(new JedisTransportProvider().priority()).isEqualTo(5).isLessThan(10);
    }
}
