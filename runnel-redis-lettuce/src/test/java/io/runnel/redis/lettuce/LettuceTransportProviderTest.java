// SPDX-License-Identifier: Apache-2.0

package io.runnel.redis.lettuce;

import static org.assertj.core.api.Assertions.assertThat;

import io.runnel.api.transport.ConnectionUrl;
import io.runnel.api.transport.TransportProvider;
import java.util.ServiceLoader;
import org.junit.jupiter.api.Test;

class LettuceTransportProviderTest {

    @Test
    void isFoundOnTheClasspath() {
        assertThat(ServiceLoader.load(TransportProvider.class))
                .anySatisfy(provider -> assertThat(provider).isInstanceOf(LettuceTransportProvider.class));
    }

    @Test
    void supportsRedisSchemesOnly() {
        TransportProvider provider = new LettuceTransportProvider();

        assertThat(provider.name()).isEqualTo("lettuce");
        assertThat(provider.priority()).isEqualTo(10);
        assertThat(provider.supports(ConnectionUrl.parse("redis://127.0.0.1:6379/0"))).isTrue();
        assertThat(provider.supports(ConnectionUrl.parse("rediss://user:pw@example.com:6380"))).isTrue();
        assertThat(provider.supports(ConnectionUrl.parse("redis-sentinel://127.0.0.1:26379#mymaster"))).isTrue();
        assertThat(provider.supports(ConnectionUrl.parse("memory://local"))).isFalse();
    }
}
