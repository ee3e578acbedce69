// SPDX-License-Identifier: Apache-2.0

package io.runnel.testkit;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.runnel.api.transport.Transport;
import io.runnel.api.transport.TransportException;
import java.io.PrintWriter;
import java.io.StringWriter;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;

/**
 * {@code rediss://} URLs, against a password-protected {@code redis-server} listening for
 * TLS with a self-signed certificate made by the JDK's keytool, so no other tool is needed:
 * what every Redis transport must do over TLS. A transport module runs it with one small
 * subclass:
 *
 * <pre>{@code
 * class LettuceTlsTest extends RedisTlsTest {
 *     @Override
 *     protected Transport openTransport(String url) {
 *         return new LettuceTransportProvider().open(ConnectionUrl.parse(url));
 *     }
 * }
 * }</pre>
 *
 * <p>The certificate is trusted the way a user trusts a private CA or a self-signed
 * certificate, whichever the transport: with the JVM's trust store, i.e. the
 * {@code javax.net.ssl.trustStore} and {@code javax.net.ssl.trustStorePassword} system
 * properties. Only the tests that verify the certificate set them, and put them back
 * afterwards. The certificate names {@code 127.0.0.1} only, so {@code localhost} shows
 * that {@code verifyPeer=FULL} (the default) checks the host name and {@code verifyPeer=CA}
 * does not.
 */
@Tag("redis")
public abstract class RedisTlsTest {
    private static final String PASSWORD = "tls-pw";
    private static final String STORE_PASSWORD = TestCertificate.STORE_PASSWORD;

    private static TestCertificate certificate;
    private static Path trustStore;
    private static RedisServer server;
    private static int tlsPort;

    /** For a transport module's subclass. */
    protected RedisTlsTest() {
    }

    /**
     * Opens the transport under test.
     *
     * @param url a {@code rediss://} URL (or a {@code redis://} one to the TLS port), with
     *            the server's password
     * @return a new transport, which the test closes
     */
    protected abstract Transport openTransport(String url);

    @BeforeAll
    static void startServerWithTls() throws Exception {
        certificate = TestCertificate.create();
        trustStore = certificate.trustStore();
        tlsPort = FreePort.find();
        List<String> args = new ArrayList<>(certificate.serverArgs(tlsPort));
        args.addAll(List.of("--requirepass", PASSWORD));
        server = RedisServer.start(args.toArray(String[]::new));
    }

    @AfterAll
    static void stopServer() throws Exception {
        try {
            if (server != null) {
                server.close();
            }
        } finally {
            certificate.close();
        }
    }

    @Test
    void talksTlsWhenPeerVerificationIsOff() {
        try (Transport transport = openTransport(tlsUrl(PASSWORD) + "?verifyPeer=NONE")) {
            transport.set("k", "v", null);
            transport.createGroup(List.of("s"), "g", "$");

            assertThat(transport.get("k")).contains("v");
            assertThat(transport.readGroup("g", "c", Map.of("s", ">"), 10, Duration.ofMillis(200))).isEmpty();
            assertThat(transport.toString()).doesNotContain(PASSWORD);
        }
        assertThat(server.call("GET", "k")).as("written over TLS").isEqualTo("v");
    }

    @Test
    void verifiesTheCertificateAgainstTheJvmTrustStore() {
        try (JvmTrustStore ignored = JvmTrustStore.use(trustStore, STORE_PASSWORD)) {
            try (Transport transport = openTransport(tlsUrl(PASSWORD))) {
                transport.set("trusted", "v", null);

                assertThat(transport.get("trusted")).contains("v");
            }
        }
    }

    @Test
    void fullVerificationChecksTheHostNameAndCaVerificationDoesNot() {
        // The same server, but by a name its certificate does not give.
        String byOtherName = "rediss://:" + PASSWORD + "@localhost:" + tlsPort;
        try (JvmTrustStore ignored = JvmTrustStore.use(trustStore, STORE_PASSWORD)) {
            assertThatThrownBy(() -> openTransport(byOtherName).close())
                    .isInstanceOf(TransportException.class)
                    .hasMessageStartingWith("cannot connect to rediss://***@localhost:" + tlsPort)
                    .hasMessageContaining("matching localhost");

            try (Transport transport = openTransport(byOtherName + "?verifyPeer=CA")) {
                transport.set("ca", "v", null);

                assertThat(transport.get("ca")).contains("v");
            }
        }
    }

    @Test
    void refusesAnUntrustedCertificateByDefault() {
        assertThatThrownBy(() -> openTransport(tlsUrl(PASSWORD)).close())
                .isInstanceOf(TransportException.class)
                .hasMessageStartingWith("cannot connect to rediss://***@127.0.0.1:" + tlsPort)
                .hasMessageContaining("certification path")
                .satisfies(failure -> assertThat(stackTrace(failure)).doesNotContain(PASSWORD));
        assertThatThrownBy(() -> openTransport(tlsUrl(PASSWORD) + "?verifyPeer=CA").close())
                .isInstanceOf(TransportException.class)
                .hasMessageContaining("certification path");
    }

    @Test
    void wrongPasswordOverTlsFailsWithoutShowingIt() {
        assertThatThrownBy(() -> openTransport(tlsUrl("wr0ng-pa55") + "?verifyPeer=NONE").close())
                .isInstanceOf(TransportException.class)
                .satisfies(failure -> {
                    assertThat(failure.getMessage()).contains("WRONGPASS");
                    assertThat(stackTrace(failure)).doesNotContain("wr0ng-pa55");
                });
    }

    @Test
    void plainConnectionToTheTlsPortFails() {
        String plain = "redis://:" + PASSWORD + "@127.0.0.1:" + tlsPort + "?timeout=2s";

        assertThatThrownBy(() -> openTransport(plain).close())
                .isInstanceOf(TransportException.class)
                .satisfies(failure -> assertThat(stackTrace(failure)).doesNotContain(PASSWORD));
    }

    // ------------------------------------------------------------------ helpers

    private static String tlsUrl(String password) {
        return "rediss://:" + password + "@127.0.0.1:" + tlsPort;
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
