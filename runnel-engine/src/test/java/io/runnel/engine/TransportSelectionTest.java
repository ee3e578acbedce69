// SPDX-License-Identifier: Apache-2.0

package io.runnel.engine;

import io.runnel.api.Misconfigured;
import io.runnel.engine.memory.MemoryHandle;
import io.runnel.redis.jedis.JedisTransport;
import io.runnel.redis.lettuce.LettuceTransport;
import io.runnel.testkit.RedisExtension;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

import java.util.Map;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

/** With every transport on the classpath, the URL and the {@code transport} setting pick one. */
@Tag("redis")
class TransportSelectionTest {
    @RegisterExtension
    static RedisExtension redis = new RedisExtension();

    private static App app(Map<String, String> env) {
        return App.builder(TestApps.uniqueName("select")).environment(env).build();
    }

    @Test
    void lettuce_is_the_default_for_redis_urls() {
        try (App app = app(Map.of("RUNNEL_REDIS_URL", redis.url()))) {
            assertThat(app.transport()).isInstanceOf(LettuceTransport.class);
        }
    }

    @Test
    void the_transport_setting_picks_jedis() {
        try (App app = app(Map.of("RUNNEL_REDIS_URL", redis.url(), "RUNNEL_TRANSPORT", "jedis"))) {
            assertThat(app.transport()).isInstanceOf(JedisTransport.class);
            app.transport().set("k", "v", null);
            assertThat(app.transport().get("k")).contains("v");
        }
    }

    @Test
    void memory_urls_open_the_in_memory_transport() {
        try (App app = app(Map.of("RUNNEL_REDIS_URL", "memory://select"))) {
            assertThat(MemoryHandle.isMemory(app.transport())).as("%s", app.transport()).isTrue();
        }
    }

    @Test
    void an_unknown_transport_name_lists_the_ones_available() {
        try (App app = app(Map.of("RUNNEL_REDIS_URL", redis.url(), "RUNNEL_TRANSPORT", "carrier-pigeon"))) {
            assertThatThrownBy(app::transport).isInstanceOf(Misconfigured.class)
                    .hasMessageContaining("RUNNEL_TRANSPORT").hasMessageContaining("carrier-pigeon")
                    .hasMessageContaining("lettuce").hasMessageContaining("jedis").hasMessageContaining("memory");
        }
    }

    @Test
    void a_transport_that_cannot_open_the_url_is_rejected_without_showing_credentials() {
        try (App app = app(Map.of("RUNNEL_REDIS_URL", "redis://bob:hunter2@127.0.0.1:1", "RUNNEL_TRANSPORT", "memory"))) {
            assertThatThrownBy(app::transport).isInstanceOf(Misconfigured.class)
                    .hasMessageContaining("cannot open").hasMessageNotContaining("hunter2");
        }
    }
}
