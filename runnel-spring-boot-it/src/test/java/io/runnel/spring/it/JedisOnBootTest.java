// SPDX-License-Identifier: Apache-2.0

package io.runnel.spring.it;

import io.runnel.api.Misconfigured;
import io.runnel.api.transport.ConnectionUrl;
import io.runnel.redis.jedis.JedisTransportProvider;
import org.junit.jupiter.api.Test;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

/**
 * The Jedis transport on the Jedis Spring Boot 4.0 chooses (7.0), which lacks a client method
 * the transport calls: it refuses to open, naming the version and the fix, instead of failing
 * with a {@link NoSuchMethodError} on its first connection.
 */
class JedisOnBootTest {

    @Test
    void the_jedis_transport_refuses_a_jedis_older_than_it_needs_naming_the_fix() {
        String boots = System.getProperty("boot.jedis.version");
        assertThat(boots).as("this test is about Boot's Jedis 7").startsWith("7.");
        assertThatThrownBy(() -> new JedisTransportProvider().open(ConnectionUrl.parse("redis://127.0.0.1:6379")))
                .isInstanceOf(Misconfigured.class)
                .hasMessage("runnel-redis-jedis needs Jedis 8 or newer, but the classpath has Jedis " + boots
                        + ". Pin redis.clients:jedis to 8.0.2 or newer (with Spring Boot's dependency management: "
                        + "the property jedis.version), or use runnel-redis-lettuce");
    }
}
