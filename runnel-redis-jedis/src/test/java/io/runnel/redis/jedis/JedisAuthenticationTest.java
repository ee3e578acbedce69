package io.runnel.redis.jedis;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.runnel.api.transport.ConnectionUrl;
import io.runnel.api.transport.Transport;
import io.runnel.api.transport.TransportException;
import io.runnel.testkit.RedisServer;
import java.io.PrintWriter;
import java.io.StringWriter;
import org.junit.jupiter.api.Test;

/** Credentials in the URL reach the server, and never the messages. */
class JedisAuthenticationTest {

    @Test
    void passwordInTheUrlAuthenticatesTheDefaultUser() {
        try (RedisServer server = RedisServer.start("--requirepass", "s3cret");
             Transport transport = open("redis://:s3cret@127.0.0.1:" + server.port())) {
            transport.set("k", "v", null);

            assertThat(transport.get("k")).contains("v");
            assertThat(transport.toString()).doesNotContain("s3cret");
        }
    }

    @Test
    void percentEncodedPasswordIsDecodedBeforeItIsSent() {
        try (RedisServer server = RedisServer.start("--requirepass", "p@ss:w/rd+1");
             Transport transport = open("redis://:p%40ss%3Aw%2Frd+1@127.0.0.1:" + server.port())) {
            transport.set("k", "v", null);

            assertThat(transport.get("k")).contains("v");
        }
    }

    @Test
    void aclUserInTheUrlAuthenticatesAsThatUser() {
        try (RedisServer server = RedisServer.start()) {
            // alice may only touch app:* keys, which proves the transport acts as alice.
            server.call("ACL", "SETUSER", "alice", "on", ">pw", "~app:*", "&*", "+@all");

            try (Transport transport = open("redis://alice:pw@127.0.0.1:" + server.port())) {
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

            assertThatThrownBy(() -> open(url).close())
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

            assertThatThrownBy(() -> open(url).close())
                    .isInstanceOf(TransportException.class)
                    .satisfies(failure -> assertThat(stackTrace(failure)).doesNotContain("n0t-pw"));
        }
    }

    @Test
    void missingPasswordFailsWithTheServersReason() {
        try (RedisServer server = RedisServer.start("--requirepass", "s3cret")) {
            String url = "redis://127.0.0.1:" + server.port();

            assertThatThrownBy(() -> open(url).close())
                    .isInstanceOf(TransportException.class)
                    .hasMessageContaining("NOAUTH");
        }
    }

    private static Transport open(String url) {
        return new JedisTransportProvider().open(ConnectionUrl.parse(url));
    }

    private static String stackTrace(Throwable failure) {
        StringWriter trace = new StringWriter();
        failure.printStackTrace(new PrintWriter(trace));
        return trace.toString();
    }
}
