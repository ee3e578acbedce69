package io.runnel.redis.jedis;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.runnel.api.transport.ConnectionUrl;
import io.runnel.api.transport.Transport;
import io.runnel.api.transport.TransportException;
import io.runnel.testkit.RedisServer;
import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.net.ServerSocket;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.KeyStore;
import java.security.cert.Certificate;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Base64;
import java.util.Comparator;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import java.util.stream.Stream;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/**
 * {@code rediss://} URLs against a server listening for TLS with a self-signed certificate
 * made by the JDK's keytool, so no other tool is needed.
 */
class JedisTlsTest {
    private static final String STORE_PASSWORD = "changeit";

    private static Path dir;
    private static RedisServer server;
    private static int tlsPort;

    @BeforeAll
    static void startServerWithTls() throws Exception {
        dir = Files.createTempDirectory("runnel-tls");
        Path store = dir.resolve("server.p12");
        keytool("-genkeypair", "-alias", "redis", "-keyalg", "RSA", "-keysize", "2048", "-validity", "2",
                "-dname", "CN=localhost", "-ext", "SAN=ip:127.0.0.1,dns:localhost",
                "-storetype", "PKCS12", "-keystore", store.toString(),
                "-storepass", STORE_PASSWORD, "-keypass", STORE_PASSWORD);
        KeyStore keys = KeyStore.getInstance("PKCS12");
        try (InputStream in = Files.newInputStream(store)) {
            keys.load(in, STORE_PASSWORD.toCharArray());
        }
        Certificate certificate = keys.getCertificate("redis");
        Path certFile = dir.resolve("cert.pem");
        Path keyFile = dir.resolve("key.pem");
        Files.writeString(certFile, pem("CERTIFICATE", certificate.getEncoded()));
        Files.writeString(keyFile, pem("PRIVATE KEY", keys.getKey("redis", STORE_PASSWORD.toCharArray()).getEncoded()));

        tlsPort = freePort();
        server = RedisServer.start("--tls-port", Integer.toString(tlsPort),
                "--tls-cert-file", certFile.toString(), "--tls-key-file", keyFile.toString(),
                "--tls-ca-cert-file", certFile.toString(), "--tls-auth-clients", "no",
                "--requirepass", "tls-pw");
    }

    @AfterAll
    static void stopServer() throws IOException {
        try {
            if (server != null) {
                server.close();
            }
        } finally {
            if (dir != null) {
                try (Stream<Path> paths = Files.walk(dir)) {
                    for (Path path : paths.sorted(Comparator.reverseOrder()).toList()) {
                        Files.deleteIfExists(path);
                    }
                }
            }
        }
    }

    @Test
    void talksTlsWhenPeerVerificationIsOff() {
        try (Transport transport = open("rediss://:tls-pw@127.0.0.1:" + tlsPort + "?verifyPeer=NONE")) {
            transport.set("k", "v", null);
            transport.createGroup(List.of("s"), "g", "$");

            assertThat(transport.get("k")).contains("v");
            assertThat(transport.readGroup("g", "c", Map.of("s", ">"), 10, Duration.ofMillis(200))).isEmpty();
        }
    }

    @Test
    void refusesAnUntrustedCertificateByDefault() {
        assertThatThrownBy(() -> open("rediss://:tls-pw@127.0.0.1:" + tlsPort).close())
                .isInstanceOf(TransportException.class)
                .hasMessageStartingWith("cannot connect to rediss://***@127.0.0.1:" + tlsPort)
                .hasMessageNotContaining("tls-pw");
    }

    @Test
    void plainConnectionToTheTlsPortFails() {
        assertThatThrownBy(() -> open("redis://:tls-pw@127.0.0.1:" + tlsPort + "?timeout=2s").close())
                .isInstanceOf(TransportException.class);
    }

    private static Transport open(String url) {
        return new JedisTransportProvider().open(ConnectionUrl.parse(url));
    }

    private static void keytool(String... args) throws Exception {
        Path keytool = Path.of(System.getProperty("java.home"), "bin", "keytool");
        List<String> command = new ArrayList<>(List.of(keytool.toString()));
        command.addAll(List.of(args));
        Process process = new ProcessBuilder(command).redirectErrorStream(true).start();
        String output = new String(process.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
        if (!process.waitFor(60, TimeUnit.SECONDS) || process.exitValue() != 0) {
            throw new IllegalStateException("keytool failed: " + output);
        }
    }

    private static String pem(String type, byte[] der) {
        return "-----BEGIN " + type + "-----\n"
                + Base64.getMimeEncoder(64, new byte[] {'\n'}).encodeToString(der)
                + "\n-----END " + type + "-----\n";
    }

    private static int freePort() {
        try (ServerSocket socket = new ServerSocket(0)) {
            return socket.getLocalPort();
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }
}
