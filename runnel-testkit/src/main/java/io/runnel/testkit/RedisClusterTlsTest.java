// SPDX-License-Identifier: Apache-2.0

package io.runnel.testkit;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.runnel.api.transport.Append;
import io.runnel.api.transport.Fence;
import io.runnel.api.transport.FencedAck;
import io.runnel.api.transport.FencedRead;
import io.runnel.api.transport.Transport;
import io.runnel.api.transport.TransportException;
import java.io.PrintWriter;
import java.io.StringWriter;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.stream.IntStream;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;

/**
 * {@code rediss-cluster://} URLs, against a password-protected 3-master Redis Cluster whose
 * nodes listen for TLS (among themselves too) with a self-signed certificate: TLS and AUTH
 * work on a cluster as they do on one server ({@link RedisTlsTest}). A transport module runs
 * it with one small subclass, as it runs {@link RedisTlsTest}.
 */
@Tag("redis")
public abstract class RedisClusterTlsTest {
    private static final String PASSWORD = "cluster-tls-pw";
    private static final int PARTITIONS = 12;

    private static TestCertificate certificate;
    private static RedisCluster cluster;

    /** For a transport module's subclass. */
    protected RedisClusterTlsTest() {
    }

    /**
     * Opens the transport under test on a {@code rediss-cluster://} URL with the nodes' password.
     *
     * @param url the cluster's TLS URL, with the password and sometimes {@code verifyPeer}
     * @return a new transport, which the test closes
     */
    protected abstract Transport openTransport(String url);

    @BeforeAll
    static void startClusterWithTls() throws Exception {
        certificate = TestCertificate.create();
        cluster = RedisCluster.startTls(3, certificate, "--requirepass", PASSWORD);
    }

    @AfterAll
    static void stopCluster() throws Exception {
        try {
            if (cluster != null) {
                cluster.close();
            }
        } finally {
            certificate.close();
        }
    }

    @Test
    void readsAndAcksOverTlsOnEveryMasterWhenPeerVerificationIsOff() {
        List<Integer> partitions = IntStream.range(0, PARTITIONS).boxed().toList();
        try (Transport transport = openTransport(url(PASSWORD) + "?verifyPeer=NONE")) {
            List<String> streams = partitions.stream().map(RedisClusterTlsTest::stream).toList();
            transport.append(streams.stream().map(s -> new Append(s, null, Map.of("a", bytes("1")), 0)).toList());
            transport.createGroup(streams, "g", "0");
            transport.setIfAbsent(partitions.stream().map(i -> fence(i).lockKey()).toList(), "t", Duration.ofMinutes(1));

            List<FencedRead.Result> read = transport.readGroupFenced("g",
                    partitions.stream().map(i -> new FencedRead(fence(i), stream(i), ">")).toList(), 10, null);
            List<FencedAck> acks = new ArrayList<>();
            for (int i : partitions) {
                assertThat(read.get(i).held()).isTrue();
                assertThat(read.get(i).entries()).hasSize(1);
                acks.add(new FencedAck(fence(i), stream(i), List.of(read.get(i).entries().get(0).id())));
            }
            assertThat(transport.ackFenced("g", acks)).containsOnly(true);
            assertThat(transport.toString()).doesNotContain(PASSWORD);
        }
        Set<Integer> masters = new HashSet<>();
        for (int i : partitions) {
            RedisCluster.Node master = cluster.masterOf(stream(i));
            masters.add(master.port());
            assertThat(master.call("XLEN", stream(i))).as("written over TLS").isEqualTo(1L);
        }
        assertThat(masters).hasSize(3);
    }

    @Test
    void verifiesTheCertificateAgainstTheJvmTrustStore() {
        try (JvmTrustStore ignored = JvmTrustStore.use(certificate.trustStore(), TestCertificate.STORE_PASSWORD);
             Transport transport = openTransport(url(PASSWORD))) {
            for (int i = 0; i < PARTITIONS; i++) {
                transport.set("k{p" + i + "}", "v" + i, null);
                assertThat(transport.get("k{p" + i + "}")).contains("v" + i);
            }
        }
    }

    @Test
    void refusesAnUntrustedCertificateAndAWrongPasswordWithoutShowingThem() {
        assertThatThrownBy(() -> openTransport(url(PASSWORD)).close())
                .isInstanceOf(TransportException.class)
                .satisfies(failure -> assertThat(stackTrace(failure)).doesNotContain(PASSWORD));
        assertThatThrownBy(() -> openTransport(url("wr0ng-pa55") + "?verifyPeer=NONE").close())
                .isInstanceOf(TransportException.class)
                .satisfies(failure -> assertThat(stackTrace(failure)).doesNotContain("wr0ng-pa55"));
    }

    private static String url(String password) {
        return cluster.tlsUrl().replace("rediss-cluster://", "rediss-cluster://:" + password + "@");
    }

    /** Stream {@code s<i>} and its lock share a hash tag, as a partition's keys do. */
    private static String stream(int i) {
        return "s" + i + "{p" + i + "}";
    }

    private static Fence fence(int i) {
        return new Fence("l" + i + "{p" + i + "}", "t");
    }

    private static byte[] bytes(String s) {
        return s.getBytes(StandardCharsets.UTF_8);
    }

    private static String stackTrace(Throwable failure) {
        StringWriter trace = new StringWriter();
        failure.printStackTrace(new PrintWriter(trace));
        return trace.toString();
    }
}
