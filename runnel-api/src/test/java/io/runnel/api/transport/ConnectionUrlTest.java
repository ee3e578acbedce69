// SPDX-License-Identifier: Apache-2.0

package io.runnel.api.transport;

import org.junit.jupiter.api.Test;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

class ConnectionUrlTest {

    @Test
    void a_host_and_port_without_a_scheme_is_refused_with_the_url_to_write() {
        assertThatThrownBy(() -> ConnectionUrl.parse("localhost:6379"))
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessageContaining("URL has no scheme: localhost:6379")
                .hasMessageContaining("write redis://localhost:6379");
    }

    @Test
    void credentials_of_a_url_without_a_scheme_are_not_echoed() {
        assertThatThrownBy(() -> ConnectionUrl.parse("user:s3cret@localhost:6379"))
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessageNotContaining("s3cret")
                .hasMessageContaining("write redis://***@localhost:6379");
    }

    @Test
    void urls_with_a_scheme_still_parse() {
        assertThat(ConnectionUrl.parse("redis://localhost:6379").scheme()).isEqualTo("redis");
        assertThat(ConnectionUrl.parse("memory://shop").scheme()).isEqualTo("memory");
        assertThat(ConnectionUrl.parse("memory:shop").scheme()).as("an opaque URL").isEqualTo("memory");
        assertThat(ConnectionUrl.parse("memory:/").scheme()).isEqualTo("memory");
        assertThat(ConnectionUrl.parse("redis-cluster://[::1]:7000,[::1]:7001").cluster()).isTrue();
    }

    @Test
    void the_server_address_is_the_first_host_without_credentials_with_the_schemes_default_port() {
        assertThat(ConnectionUrl.parse("redis://user:s3cret@cache.internal:6380/2").serverAddress())
                .contains(new ServerAddress("cache.internal", 6380));
        assertThat(ConnectionUrl.parse("rediss://:s3cret@10.0.0.5").serverAddress())
                .contains(new ServerAddress("10.0.0.5", 6379));
        assertThat(ConnectionUrl.parse("redis-cluster://a:s3cret@[::1]:7000,[::1]:7001").serverAddress())
                .contains(new ServerAddress("::1", 7000));
        assertThat(ConnectionUrl.parse("redis-sentinel://s1,s2:26380/0?master=mymaster").serverAddress())
                .contains(new ServerAddress("s1", 26379));
        assertThat(ConnectionUrl.parse("memory://shop").serverAddress()).isEmpty();
    }

    @Test
    void a_port_that_is_not_a_port_number_is_refused_without_echoing_credentials() {
        for (String url : new String[] {"redis://host:notaport", "redis://:s3cret@host:63790x",
                "redis-cluster://h1:7000,h2:70000", "rediss://[::1]:0", "redis://user:s3cret"}) {
            assertThatThrownBy(() -> ConnectionUrl.parse(url))
                    .as(url)
                    .isInstanceOf(IllegalArgumentException.class)
                    .hasMessageContaining("a port that is not a number from 1 to 65535")
                    .hasMessageNotContaining("s3cret");
        }
        assertThat(ConnectionUrl.parse("redis-sentinel://s1,s2:26380/0?master=mymaster").scheme()).isEqualTo("redis-sentinel");
        assertThat(ConnectionUrl.parse("redis://host:65535").serverAddress()).contains(new ServerAddress("host", 65535));
    }
}
