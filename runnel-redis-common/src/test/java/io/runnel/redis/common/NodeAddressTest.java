// SPDX-License-Identifier: Apache-2.0

package io.runnel.redis.common;

import org.junit.jupiter.api.Test;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

class NodeAddressTest {

    @Test
    void an_ipv6_host_is_printed_in_brackets_so_the_port_stays_readable() {
        assertThat(new NodeAddress("127.0.0.1", 7000)).hasToString("127.0.0.1:7000");
        assertThat(new NodeAddress("::1", 7000)).hasToString("[::1]:7000");
    }

    @Test
    void the_port_is_what_follows_the_last_colon_as_redis_writes_moved_replies() {
        assertThat(NodeAddress.parse("127.0.0.1:7000")).isEqualTo(new NodeAddress("127.0.0.1", 7000));
        assertThat(NodeAddress.parse("::1:7000")).isEqualTo(new NodeAddress("::1", 7000));
        assertThat(NodeAddress.parse("[::1]:7000")).isEqualTo(new NodeAddress("::1", 7000));
        assertThat(NodeAddress.parse("redis-0.local:6379")).isEqualTo(new NodeAddress("redis-0.local", 6379));
    }

    @Test
    void text_without_a_port_is_refused() {
        assertThatThrownBy(() -> NodeAddress.parse("127.0.0.1")).isInstanceOf(IllegalArgumentException.class);
        assertThatThrownBy(() -> NodeAddress.parse("host:")).isInstanceOf(IllegalArgumentException.class);
        assertThatThrownBy(() -> NodeAddress.parse("host:port")).isInstanceOf(IllegalArgumentException.class);
    }
}
