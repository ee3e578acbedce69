// SPDX-License-Identifier: Apache-2.0

package io.runnel.testkit;

import java.io.InputStream;
import java.io.OutputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.KeyStore;
import java.security.cert.Certificate;
import java.util.ArrayList;
import java.util.Base64;
import java.util.Comparator;
import java.util.List;
import java.util.concurrent.TimeUnit;
import java.util.stream.Stream;

/**
 * A self-signed certificate for {@code 127.0.0.1} (and no other name), made by the JDK's
 * keytool so that no other tool is needed: the PEM files a TLS {@code redis-server} takes,
 * and the trust store a client JVM is given to trust it. Closing deletes the files.
 */
public final class TestCertificate implements AutoCloseable {
    /** The trust store's password. */
    public static final String STORE_PASSWORD = "changeit";

    private final Path dir;

    private TestCertificate(Path dir) {
        this.dir = dir;
    }

    /**
     * Makes the certificate, its key and a trust store holding it, in a new temporary directory.
     *
     * @return the certificate's files, which closing deletes
     * @throws Exception if keytool fails or the files cannot be written
     */
    public static TestCertificate create() throws Exception {
        TestCertificate made = new TestCertificate(Files.createTempDirectory("runnel-tls-"));
        Path keyStore = made.dir.resolve("server.p12");
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
        Files.writeString(made.certFile(), pem("CERTIFICATE", certificate.getEncoded()));
        Files.writeString(made.keyFile(), pem("PRIVATE KEY", keys.getKey("redis", STORE_PASSWORD.toCharArray()).getEncoded()));

        // What a user hands the JVM to trust the server: a trust store holding its certificate.
        KeyStore trusted = KeyStore.getInstance("PKCS12");
        trusted.load(null, null);
        trusted.setCertificateEntry("redis", certificate);
        try (OutputStream out = Files.newOutputStream(made.trustStore())) {
            trusted.store(out, STORE_PASSWORD.toCharArray());
        }
        return made;
    }

    /**
     * The certificate, PEM (also the CA a server checks its peers against).
     *
     * @return the file's path
     */
    public Path certFile() {
        return dir.resolve("cert.pem");
    }

    /**
     * The private key, PEM.
     *
     * @return the file's path
     */
    public Path keyFile() {
        return dir.resolve("key.pem");
    }

    /**
     * A PKCS12 trust store holding the certificate, password {@link #STORE_PASSWORD}.
     *
     * @return the file's path
     */
    public Path trustStore() {
        return dir.resolve("truststore.p12");
    }

    /**
     * {@code redis-server} options to listen for TLS on {@code tlsPort} with this certificate.
     *
     * @param tlsPort the port to listen for TLS on, besides the plain port
     * @return the options, to add to the server's command line
     */
    public List<String> serverArgs(int tlsPort) {
        return List.of("--tls-port", Integer.toString(tlsPort),
                "--tls-cert-file", certFile().toString(), "--tls-key-file", keyFile().toString(),
                "--tls-ca-cert-file", certFile().toString(), "--tls-auth-clients", "no");
    }

    @Override
    public void close() throws Exception {
        if (!Files.exists(dir)) {
            return;
        }
        try (Stream<Path> paths = Files.walk(dir)) {
            for (Path path : paths.sorted(Comparator.reverseOrder()).toList()) {
                Files.deleteIfExists(path);
            }
        }
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
}
