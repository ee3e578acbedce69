// SPDX-License-Identifier: Apache-2.0

package io.runnel.redis.common;

import static org.assertj.core.api.Assertions.assertThat;

import io.runnel.api.transport.ConnectionUrl;
import java.io.PrintWriter;
import java.io.StringWriter;
import org.junit.jupiter.api.Test;

class SecretsTest {

    @Test
    void scrubsTheUserInfoAndThePasswordRawAndDecoded() {
        Secrets secrets = Secrets.of(ConnectionUrl.parse("redis://alice:p%40ss+1@h:1"));

        assertThat(secrets.scrub("AUTH alice p%40ss+1")).isEqualTo("AUTH alice ***");
        assertThat(secrets.scrub("AUTH alice p@ss+1")).isEqualTo("AUTH alice ***");
        assertThat(secrets.scrub("redis://alice:p%40ss+1@h:1")).isEqualTo("redis://***@h:1");
    }

    @Test
    void findsTheCredentialsOfASentinelUrlWithSeveralHosts() {
        Secrets secrets = Secrets.of(ConnectionUrl.parse("redis-sentinel://:s3cret@h1:1,h2:2/0#master"));

        assertThat(secrets.scrub("WRONGPASS for s3cret")).isEqualTo("WRONGPASS for ***");
    }

    @Test
    void findsTheCredentialsOfAClusterUrlWithIpv6Hosts() {
        Secrets secrets = Secrets.of(ConnectionUrl.parse("redis-cluster://bob:s3cret@[::1]:7000,[fe80::2]:7001?timeout=5s"));

        assertThat(secrets.scrub("WRONGPASS for s3cret")).isEqualTo("WRONGPASS for ***");
    }

    @Test
    void aUrlWithoutCredentialsHasNoSecrets() {
        Secrets secrets = Secrets.of(ConnectionUrl.parse("redis://h:1"));

        assertThat(secrets.scrub("nothing to hide")).isEqualTo("nothing to hide");
    }

    @Test
    void sanitizeKeepsAHarmlessErrorAndRebuildsALeakingChain() {
        Secrets secrets = Secrets.of(ConnectionUrl.parse("redis://:s3cret@h:1"));
        IllegalStateException harmless = new IllegalStateException("refused", new RuntimeException("root"));
        RuntimeException leaking = new RuntimeException("connect failed", new IllegalStateException("AUTH s3cret"));
        leaking.addSuppressed(new RuntimeException("also s3cret"));

        assertThat(secrets.sanitize(harmless)).isSameAs(harmless);
        Throwable copy = secrets.sanitize(leaking);

        StringWriter trace = new StringWriter();
        copy.printStackTrace(new PrintWriter(trace));
        assertThat(trace.toString()).doesNotContain("s3cret").contains("AUTH ***", "also ***",
                IllegalStateException.class.getName());
        assertThat(copy.getStackTrace()).isEqualTo(leaking.getStackTrace());
    }
}
