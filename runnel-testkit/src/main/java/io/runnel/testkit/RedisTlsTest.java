package io.runnel.testkit;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.runnel.api.transport.Transport;
import io.runnel.api.transport.TransportException;
import java.io.InputStream;
import java.io.OutputStream;
import java.io.PrintWriter;
import java.io.StringWriter;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.KeyStore;
import java.security.NoSuchAlgorithmException;
import java.security.cert.Certificate;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Base64;
import java.util.Comparator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import java.util.stream.Stream;
import javax.net.ssl.SSLContext;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
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
public abstract class RedisTlsTest {
    private static final String PASSWORD = "tls-pw";
    private static final String STORE_PASSWORD = "changeit";

    private static Path dir;
    private static Path trustStore;
    private static RedisServer server;
    private static int tlsPort;

    /**
     * Opens the transport under test.
     *
     * @param url a {@code rediss://} URL (or a {@code redis://} one to the TLS port), with
     *            the server's password
     */
    protected abstract Transport openTransport(String url);

    @BeforeAll
    static void startServerWithTls() throws Exception {
        dir = Files.createTempDirectory("runnel-tls-");
        Path keyStore = dir.resolve("server.p12");
        keytool("-genkeypair", "-alias", "redis", "-keyalg", "RSA", "-keysize", "2048", "-validity", "2",
                // It names 127.0.0.1 and nothing else, so "localhost" does not match it.
                "-dname", "CN=runnel-test-redis", "-ext", "SAN=ip:127.0.0.1",
                "-storetype", "PKCS12", "-keystore", keyStore.toString(),
                "-storepass", STORE_PASSWORD, "-keypass", STORE_PASSWORD);
        KeyStore keys = KeyStore.getInstance("PKCS12");
        try (InputStream in = Files.newInputStream(keyStore)) {
            keys.load(in, STORE_PASSWORD.toCharArray());
        }
        Certificate certificate = keys.getCertificate("redis");
        Path certFile = dir.resolve("cert.pem");
        Path keyFile = dir.resolve("key.pem");
        Files.writeString(certFile, pem("CERTIFICATE", certificate.getEncoded()));
        Files.writeString(keyFile, pem("PRIVATE KEY",
                keys.getKey("redis", STORE_PASSWORD.toCharArray()).getEncoded()));

        // What a user hands the JVM to trust the server: a trust store holding its certificate.
        KeyStore trusted = KeyStore.getInstance("PKCS12");
        trusted.load(null, null);
        trusted.setCertificateEntry("redis", certificate);
        trustStore = dir.resolve("truststore.p12");
        try (OutputStream out = Files.newOutputStream(trustStore)) {
            trusted.store(out, STORE_PASSWORD.toCharArray());
        }

        tlsPort = FreePort.find();
        server = RedisServer.start("--tls-port", Integer.toString(tlsPort),
                "--tls-cert-file", certFile.toString(), "--tls-key-file", keyFile.toString(),
                "--tls-ca-cert-file", certFile.toString(), "--tls-auth-clients", "no",
                "--requirepass", PASSWORD);
    }

    @AfterAll
    static void stopServer() throws Exception {
        try {
            if (server != null) {
                server.close();
            }
        } finally {
            deleteRecursively(dir);
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

    /** A failure as printed, with its causes and suppressed exceptions. */
    protected static String stackTrace(Throwable failure) {
        StringWriter trace = new StringWriter();
        failure.printStackTrace(new PrintWriter(trace));
        return trace.toString();
    }

    private static void keytool(String... args) throws Exception {
        Path keytool = Path.of(System.getProperty("java.home"), "bin", "keytool");
        List<String> command = new ArrayList<>(List.of(keytool.toString()));
        command.addAll(List.of(args));
        Process process = new ProcessBuilder(command).redirectErrorStream(true).start();
        String output = new String(process.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
        if (!process.waitFor(60, TimeUnit.SECONDS) || process.exitValue() != 0) {
            process.destroyForcibly();
            throw new IllegalStateException("keytool failed: " + output);
        }
    }

    private static String pem(String type, byte[] der) {
        return "-----BEGIN " + type + "-----\n"
                + Base64.getMimeEncoder(64, new byte[] {'\n'}).encodeToString(der)
                + "\n-----END " + type + "-----\n";
    }

    private static void deleteRecursively(Path root) throws Exception {
        if (root == null || !Files.exists(root)) {
            return;
        }
        try (Stream<Path> paths = Files.walk(root)) {
            for (Path path : paths.sorted(Comparator.reverseOrder()).toList()) {
                Files.deleteIfExists(path);
            }
        }
    }

    /**
     * The JVM's trust store set as a user sets it, {@code -Djavax.net.ssl.trustStore=...
     * -Djavax.net.ssl.trustStorePassword=...}, until closed. The JDK reads those properties
     * into its default {@link SSLContext} only once per JVM, which an earlier test may have
     * done already, so the default context is made anew from them as well: as if the JVM
     * had been started with them. Closing puts back the properties and the context.
     */
    private static final class JvmTrustStore implements AutoCloseable {
        private static final List<String> PROPERTIES = List.of(
                "javax.net.ssl.trustStore", "javax.net.ssl.trustStorePassword", "javax.net.ssl.trustStoreType");

        private final Map<String, String> previous;
        private final SSLContext previousDefault;

        private JvmTrustStore(Map<String, String> previous, SSLContext previousDefault) {
            this.previous = previous;
            this.previousDefault = previousDefault;
        }

        static JvmTrustStore use(Path store, String password) {
            Map<String, String> previous = new LinkedHashMap<>();
            for (String property : PROPERTIES) {
                previous.put(property, System.getProperty(property));
            }
            SSLContext previousDefault;
            try {
                previousDefault = SSLContext.getDefault();
            } catch (NoSuchAlgorithmException e) {
                throw new IllegalStateException("the JDK has no default SSL context", e);
            }
            System.setProperty("javax.net.ssl.trustStore", store.toString());
            System.setProperty("javax.net.ssl.trustStorePassword", password);
            System.setProperty("javax.net.ssl.trustStoreType", "PKCS12");
            JvmTrustStore set = new JvmTrustStore(previous, previousDefault);
            try {
                // No trust managers given: the JDK makes them from the properties just set.
                SSLContext fromProperties = SSLContext.getInstance("TLS");
                fromProperties.init(null, null, null);
                SSLContext.setDefault(fromProperties);
            } catch (Exception e) {
                set.close();
                throw new IllegalStateException("cannot make an SSL context from the trust store", e);
            }
            return set;
        }

        @Override
        public void close() {
            previous.forEach((property, value) -> {
                if (value == null) {
                    System.clearProperty(property);
                } else {
                    System.setProperty(property, value);
                }
            });
            SSLContext.setDefault(previousDefault);
        }
    }
}
