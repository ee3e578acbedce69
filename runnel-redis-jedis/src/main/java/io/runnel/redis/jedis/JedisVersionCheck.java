// SPDX-License-Identifier: Apache-2.0

package io.runnel.redis.jedis;

import io.runnel.api.Misconfigured;
import redis.clients.jedis.DefaultJedisClientConfig;
import redis.clients.jedis.Jedis;

import java.io.IOException;
import java.io.InputStream;
import java.util.Properties;

/**
 * Refuses a Jedis older than this transport is written for, naming the version found and
 * the fix, where it would otherwise fail with a {@link NoSuchMethodError} on its first
 * connection. Spring Boot 4.0's dependency management, for one, picks Jedis 7.0.
 */
final class JedisVersionCheck {
    private JedisVersionCheck() {
    }

    /** @throws Misconfigured when the Jedis on the classpath lacks what the transport calls */
    static void check() {
        try {
            // The newest client method the transport calls (Jedis 8): connections skip HELLO.
            DefaultJedisClientConfig.Builder.class.getMethod("autoNegotiateProtocol", boolean.class);
        } catch (NoSuchMethodException e) {
            throw new Misconfigured("runnel-redis-jedis needs Jedis 8 or newer, but the classpath has Jedis "
                    + version() + ". Pin redis.clients:jedis to 8.0.2 or newer (with Spring Boot's dependency "
                    + "management: the property jedis.version), or use runnel-redis-lettuce");
        }
    }

    private static String version() {
        try (InputStream in = Jedis.class.getResourceAsStream("pom.properties")) {
            if (in != null) {
                Properties p = new Properties();
                p.load(in);
                return p.getProperty("version", "(unknown version)");
            }
        } catch (IOException e) {
            // fall through: the version only makes the message clearer
        }
        return "(unknown version)";
    }
}
