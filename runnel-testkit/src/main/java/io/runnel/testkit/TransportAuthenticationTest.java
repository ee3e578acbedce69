// SPDX-License-Identifier: Apache-2.0

package io.runnel.testkit;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.runnel.api.transport.Transport;
import io.runnel.api.transport.TransportException;
import java.io.PrintWriter;
import java.io.StringWriter;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;

/**
 * Credentials in a Redis URL reach the server, and never the messages: what every Redis
 * transport must do with a password or an ACL user. Each test starts its own server with
 * the credentials it needs. A transport module runs it with one small subclass:
 *
 * <pre>{@code
 * class LettuceAuthenticationTest extends TransportAuthenticationTest {
 *     @Override
 *     protected Transport openTransport(String url) {
 *         return new LettuceTransportProvider().open(ConnectionUrl.parse(url));
 *     }
 * }
 * }</pre>
 */
@Tag("redis")
public abstract class TransportAuthenticationTest {

    /** For a transport module's subclass. */
    protected TransportAuthenticationTest() {
    }

    /**
     * Opens the transport under test.
     *
     * @param url a {@code redis://} URL with credentials
     * @return a new transport, which the test closes
     */
    protected abstract Transport openTransport(String url);

    @Test
    void passwordInTheUrlAuthenticatesTheDefaultUser() {
        try (RedisServer server = RedisServer.start("--requirepass", "s3cret");
             Transport transport = openTransport("redis://:s3cret@127.0.0.1:" + server.port())) {
            transport.set("k", "v", null);

            assertThat(transport.get("k")).contains("v");
            assertThat(transport.toString()).doesNotContain("s3cret");
        }
    }

    @Test
    void percentEncodedPasswordIsDecodedBeforeItIsSent() {
        try (RedisServer server = RedisServer.start("--requirepass", "p@ss:w/rd+1");
             Transport transport = openTransport("redis://:p%40ss%3Aw%2Frd+1@127.0.0.1:" + server.port())) {
            transport.set("k", "v", null);

            assertThat(transport.get("k")).contains("v");
        }
    }

    @Test
    void aclUserInTheUrlAuthenticatesAsThatUser() {
        try (RedisServer server = RedisServer.start()) {
            // alice may only touch app:* keys, which proves the transport acts as alice.
            server.call("ACL", "SETUSER", "alice", "on", ">pw", "~app:*", "&*", "+@all");

            try (Transport transport = openTransport("redis://alice:pw@127.0.0.1:" + server.port())) {
                transport.set("app:k", "v", null);

                assertThat(transport.get("app:k")).contains("v");
                assertThatThrownBy(() -> transport.set("other", "v", null))
                        .isInstanceOf(TransportException.class)
                        .hasMessageContaining("NOPERM");
            }
        }
    }

    @Test
    void wrongPasswordFailsWithoutShowingIt() {
        try (RedisServer server = RedisServer.start("--requirepass", "s3cret")) {
            String url = "redis://:wr0ng-pa55@127.0.0.1:" + server.port();

            assertThatThrownBy(() -> openTransport(url).close())
                    .isInstanceOf(TransportException.class)
                    .satisfies(failure -> {
                        assertThat(failure.getMessage()).doesNotContain("wr0ng-pa55").contains("***")
                                .contains("WRONGPASS");
                        assertThat(stackTrace(failure)).doesNotContain("wr0ng-pa55");
                    });
        }
    }

    @Test
    void wrongAclPasswordFailsWithoutShowingIt() {
        try (RedisServer server = RedisServer.start()) {
            server.call("ACL", "SETUSER", "alice", "on", ">pw", "~*", "&*", "+@all");
            String url = "redis://alice:n0t-pw@127.0.0.1:" + server.port();

            assertThatThrownBy(() -> openTransport(url).close())
                    .isInstanceOf(TransportException.class)
                    .satisfies(failure -> assertThat(stackTrace(failure)).doesNotContain("n0t-pw"));
        }
    }

    @Test
    void missingPasswordFailsWithTheServersReason() {
        try (RedisServer server = RedisServer.start("--requirepass", "s3cret")) {
            String url = "redis://127.0.0.1:" + server.port();

            assertThatThrownBy(() -> openTransport(url).close())
                    .isInstanceOf(TransportException.class)
                    .hasMessageContaining("NOAUTH");
        }
    }

    /**
     * A failure as printed, with its causes and suppressed exceptions.
     *
     * @param failure any exception
     * @return its stack trace as {@link Throwable#printStackTrace()} prints it
     */
    protected static String stackTrace(Throwable failure) {
        StringWriter trace = new StringWriter();
        failure.printStackTrace(new PrintWriter(trace));
        return trace.toString();
    }
}
