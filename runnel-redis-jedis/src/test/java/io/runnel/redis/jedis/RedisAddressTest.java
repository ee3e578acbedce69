// SPDX-License-Identifier: Apache-2.0

package io.runnel.redis.jedis;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.runnel.api.transport.ConnectionUrl;
import io.runnel.api.transport.TransportException;
import java.time.Duration;
import org.junit.jupiter.api.Test;
import redis.clients.jedis.HostAndPort;
import redis.clients.jedis.SslVerifyMode;

/** The URL forms the Jedis transport accepts, which are the Lettuce transport's. */
class RedisAddressTest {

    @Test
    void plainUrlWithDefaults() {
        RedisAddress address = parse("redis://example.com");

        assertThat(address.sentinel()).isFalse();
        assertThat(address.nodes()).containsExactly(new HostAndPort("example.com", 6379));
        assertThat(address.database()).isZero();
        assertThat(address.user()).isNull();
        assertThat(address.hasPassword()).isFalse();
        assertThat(address.ssl()).isFalse();
        assertThat(address.timeout()).isEqualTo(Duration.ofSeconds(60));
    }

    @Test
    void credentialsPortAndDatabase() {
        RedisAddress withUser = parse("redis://alice:pw@10.0.0.1:7000/3");
        RedisAddress passwordOnly = parse("redis://:pw@10.0.0.1:7000");
        RedisAddress lonePassword = parse("redis://pw@10.0.0.1:7000");

        assertThat(withUser.nodes()).containsExactly(new HostAndPort("10.0.0.1", 7000));
        assertThat(withUser.user()).isEqualTo("alice");
        assertThat(withUser.hasPassword()).isTrue();
        assertThat(withUser.database()).isEqualTo(3);
        assertThat(passwordOnly.user()).isNull();
        assertThat(passwordOnly.hasPassword()).isTrue();
        assertThat(lonePassword.user()).as("a lone user-info is a password, as in Lettuce").isNull();
        assertThat(lonePassword.hasPassword()).isTrue();
    }

    @Test
    void ipv6Host() {
        assertThat(parse("redis://[::1]:7000").nodes()).containsExactly(new HostAndPort("::1", 7000));
        assertThat(parse("redis://[::1]").nodes()).containsExactly(new HostAndPort("::1", 6379));
    }

    @Test
    void queryParametersAsLettuceNamesThem() {
        RedisAddress address = parse("redis://h:1?timeout=15s&database=2;clientName=worker-1&unknown=x");

        assertThat(address.timeout()).isEqualTo(Duration.ofSeconds(15));
        assertThat(address.database()).isEqualTo(2);
        assertThat(address.clientName()).isEqualTo("worker-1");
        assertThat(parse("redis://h:1/0?db=5").database()).isEqualTo(5);
        assertThat(parse("redis://h:1?timeout=700").timeout()).as("milliseconds by default, as in Lettuce")
                .isEqualTo(Duration.ofMillis(700));
        assertThat(parse("redis://h:1?TIMEOUT=2M").timeout()).isEqualTo(Duration.ofMinutes(2));
        assertThat(parse("redis://h:1?ClientName=x").clientName()).isEqualTo("x");
    }

    @Test
    void tlsAndPeerVerification() {
        assertThat(parse("rediss://h:6380").ssl()).isTrue();
        assertThat(parse("rediss://h:6380").verifyPeer()).isEqualTo(SslVerifyMode.FULL);
        assertThat(parse("rediss://h:6380?verifyPeer=CA").verifyPeer()).isEqualTo(SslVerifyMode.CA);
        assertThat(parse("rediss://h:6380?verifyPeer=false").verifyPeer()).isEqualTo(SslVerifyMode.INSECURE);
        assertThat(parse("rediss://h:6380?verifyPeer=NONE").verifyPeer()).isEqualTo(SslVerifyMode.INSECURE);
    }

    @Test
    void sentinelUrlsNameSeveralSentinelsAndTheMaster() {
        RedisAddress fragment = parse("redis-sentinel://:pw@s1:26380,s2,10.0.0.3:26381/4#mymaster");
        RedisAddress query = parse("redis-sentinel://s1?sentinelMasterId=other");

        assertThat(fragment.sentinel()).isTrue();
        assertThat(fragment.nodes()).containsExactly(new HostAndPort("s1", 26380), new HostAndPort("s2", 26379),
                new HostAndPort("10.0.0.3", 26381));
        assertThat(fragment.masterId()).isEqualTo("mymaster");
        assertThat(fragment.database()).isEqualTo(4);
        assertThat(fragment.hasPassword()).isTrue();
        assertThat(query.masterId()).isEqualTo("other");
        assertThat(query.nodes()).containsExactly(new HostAndPort("s1", 26379));
    }

    @Test
    void clusterUrlsNameSeedNodesWithCredentialsForEveryNode() {
        RedisAddress plain = parse("redis-cluster://alice:pw@10.0.0.1:7000,10.0.0.2,h3:7002?timeout=5s");
        RedisAddress tls = parse("rediss-cluster://:pw@h1:7000,h2:7001/0?verifyPeer=CA");

        assertThat(plain.cluster()).isTrue();
        assertThat(plain.sentinel()).isFalse();
        assertThat(plain.nodes()).containsExactly(new HostAndPort("10.0.0.1", 7000), new HostAndPort("10.0.0.2", 6379),
                new HostAndPort("h3", 7002));
        assertThat(plain.user()).isEqualTo("alice");
        assertThat(plain.hasPassword()).isTrue();
        assertThat(plain.ssl()).isFalse();
        assertThat(plain.database()).isZero();
        assertThat(plain.timeout()).isEqualTo(Duration.ofSeconds(5));
        assertThat(tls.cluster()).isTrue();
        assertThat(tls.ssl()).isTrue();
        assertThat(tls.verifyPeer()).isEqualTo(SslVerifyMode.CA);
        assertThat(tls.nodes()).containsExactly(new HostAndPort("h1", 7000), new HostAndPort("h2", 7001));
        assertThat(parse("redis://h:1").cluster()).isFalse();
    }

    @Test
    void clusterUrlsMayListIpv6Nodes() {
        RedisAddress address = parse("redis-cluster://alice:pw@[::1]:7000,[fe80::2]:7001,h3?timeout=5s");

        assertThat(address.nodes()).containsExactly(new HostAndPort("::1", 7000), new HostAndPort("fe80::2", 7001),
                new HostAndPort("h3", 6379));
        assertThat(address.user()).isEqualTo("alice");
        assertThat(address.timeout()).isEqualTo(Duration.ofSeconds(5));
    }

    @Test
    void toStringNeverShowsThePassword() {
        assertThat(parse("redis://alice:t0p-s3cret@h:1").toString()).doesNotContain("t0p-s3cret");
        assertThat(parse("redis-sentinel://:t0p-s3cret@h:1#m").toString()).doesNotContain("t0p-s3cret");
        assertThat(parse("redis-cluster://:t0p-s3cret@h:1,h:2").toString()).doesNotContain("t0p-s3cret")
                .startsWith("cluster via ");
    }

    @Test
    void invalidUrlsAreRejectedWithoutShowingThePassword() {
        // A port that is not a number is refused earlier, by ConnectionUrl.parse (ConnectionUrlTest).
        for (String url : new String[] {
                "redis://:s3cret@h:1/x",
                "redis://:s3cret@h:1?timeout=soon",
                "redis://:s3cret@h:1?timeout=0",
                "rediss://:s3cret@h:1?verifyPeer=maybe",
                "redis://:s3cret@h1:1,h2:2",
                "redis-sentinel://:s3cret@h:1",
                "redis-cluster://:s3cret@h:1,h:2/1",
                "redis-cluster://:s3cret@h:1?db=2",
                "http://:s3cret@h:1"}) {
            assertThatThrownBy(() -> new JedisTransport(ConnectionUrl.parse(url)))
                    .as(url)
                    .isInstanceOf(TransportException.class)
                    .hasMessageStartingWith("invalid Redis URL")
                    .hasMessageNotContaining("s3cret")
                    .hasNoCause();
        }
    }

    private static RedisAddress parse(String url) {
        return RedisAddress.parse(ConnectionUrl.parse(url));
    }
}
