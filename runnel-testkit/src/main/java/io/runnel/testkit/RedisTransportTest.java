// SPDX-License-Identifier: Apache-2.0

package io.runnel.testkit;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.awaitility.Awaitility.await;

import io.runnel.api.transport.Append;
import io.runnel.api.transport.RetentionPass;
import io.runnel.api.transport.RetentionResult;
import io.runnel.api.transport.StreamEntry;
import io.runnel.api.transport.Transport;
import io.runnel.api.transport.TransportException;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;

/**
 * What every transport on a real Redis server must do besides the {@link TransportConformanceTest}
 * contract, where only a server can show it: the server forgetting the lock scripts or
 * restarting, and the URL's database and {@code timeout}. A Redis transport module runs it
 * with one small subclass, as it runs the conformance suite:
 *
 * <pre>{@code
 * class LettuceTransportTest extends RedisTransportTest {
 *     @Override
 *     protected Transport openTransport(String url) {
 *         return new LettuceTransportProvider().open(ConnectionUrl.parse(url));
 *     }
 * }
 * }</pre>
 */
public abstract class RedisTransportTest extends TransportTestBase {

    @Test
    void lockScriptsSurviveAFlushedScriptCache() {
        transport.set("lock", "me", Duration.ofSeconds(60));
        assertThat(transport.extendIfOwner("lock", "me", Duration.ofSeconds(60))).isTrue();

        redis.server().call("SCRIPT", "FLUSH");

        assertThat(transport.extendIfOwner(List.of("lock", "other"), "me", Duration.ofSeconds(90)))
                .containsExactly(true, false);
        redis.server().call("SCRIPT", "FLUSH");
        assertThat(transport.deleteIfOwner("lock", "me")).isTrue();
        redis.server().call("SCRIPT", "FLUSH");
        assertThat(transport.groupExists("lock", "g")).isFalse();
    }

    /**
     * A restarted server is usable again within a second or two, on every connection the
     * transport had. Calls made while the transport reconnects may fail with a
     * {@link TransportException} (Lettuce rejects them rather than queueing them until a
     * timeout); the engine retries with its own backoff.
     */
    @Test
    void afterAServerRestartCallsSucceedAgainPromptly() throws Exception {
        try (RedisServer restarting = RedisServer.start();
             Transport survivor = openTransport(restarting.url())) {
            // Leave several idle connections behind; the restart kills them all.
            setConcurrently(survivor, "before");

            restarting.restart();

            await().atMost(Duration.ofSeconds(10)).ignoreExceptionsInstanceOf(TransportException.class)
                    .until(() -> {
                        survivor.set("k", "first", null);
                        return true;
                    });
            assertThat(setConcurrently(survivor, "after")).as("failed calls once one went through").isZero();
            assertThat(survivor.get("k")).contains("after");
        }
    }

    /**
     * Before redis/redis#12898 a replica's group counters lag its master's reads, so after a
     * failover the retention audit would find a gap in them and report entries lost that
     * were read. A pass on a server with another replication history takes the gap as its
     * starting point; a loss after that is still found.
     */
    @Test
    void theRetentionAuditReportsNoLossOnAPromotedReplicaAndStillFindsOneAfter() {
        auditAcrossAFailover(true);
    }

    /**
     * The same when no pass ran before the failover (it came within the first retention
     * interval), so the promoted server holds no record of which history the counters came
     * from: having a previous replication id of its own, it takes its gaps as the start too.
     */
    @Test
    void theRetentionAuditReportsNoLossOnAPromotedReplicaWithNoPassBeforeTheFailover() {
        auditAcrossAFailover(false);
    }

    private void auditAcrossAFailover(boolean passBeforeFailover) {
        try (RedisServer master = RedisServer.start();
             RedisServer replica = RedisServer.start("--replicaof", "127.0.0.1", Integer.toString(master.port()));
             Transport onMaster = openTransport(master.url())) {
            await().atMost(PATIENCE).until(() -> String.valueOf(replica.call("INFO", "replication"))
                    .contains("master_link_status:up"));
            RetentionPass pass = new RetentionPass("s", "s:trim", false, Duration.ZERO, 0);
            for (int i = 0; i < 20; i++) {
                onMaster.append(new Append("s", null, Map.of("n", bytes(Integer.toString(i))), 0));
            }
            onMaster.createGroup(List.of("s"), "g", "0");
            onMaster.readGroup("g", "c", Map.of("s", ">"), 5, null);
            if (passBeforeFailover) {
                assertThat(group(onMaster.retain(pass)).lostNow()).isZero();
            }
            // Reads the replica only learns of through XCLAIM, which leaves its counter behind.
            onMaster.readGroup("g", "c", Map.of("s", ">"), 5, null);
            onMaster.readGroup("g", "c", Map.of("s", ">"), 5, null);
            // WAIT would answer for the admin connection's writes (none): compare offsets instead.
            long written = replicationOffset(master, "master_repl_offset:");
            await().atMost(PATIENCE).until(() -> replicationOffset(replica, "slave_repl_offset:") >= written);

            replica.call("REPLICAOF", "NO", "ONE");
            try (Transport onPromoted = openTransport(replica.url())) {
                // The first pass there trims to 2 entries: 3 of the 5 never read go, and only they count.
                RetentionResult.GroupRetention afterFailover = group(onPromoted.retain(
                        new RetentionPass("s", "s:trim", false, Duration.ZERO, 2)));
                assertThat(afterFailover.lostNow()).as("the pass's own trim, not the stale counters").isEqualTo(3);
                assertThat(afterFailover.lostTotal()).isEqualTo(3);

                // The other 2 go too: a loss, and found.
                replica.call("XTRIM", "s", "MAXLEN", "0");
                RetentionResult.GroupRetention afterTrim = group(onPromoted.retain(pass));
                assertThat(afterTrim.lostNow()).isEqualTo(2);
                assertThat(afterTrim.lostTotal()).isEqualTo(5);
            }
        }
    }

    private static long replicationOffset(RedisServer server, String field) {
        for (String line : String.valueOf(server.call("INFO", "replication")).split("\r?\n")) {
            if (line.startsWith(field)) {
                return Long.parseLong(line.substring(field.length()).trim());
            }
        }
        return -1;
    }

    private static RetentionResult.GroupRetention group(RetentionResult result) {
        assertThat(result.groups()).hasSize(1);
        return result.groups().get(0);
    }

    /**
     * A single-server URL that leads to a node of a Redis Cluster is refused when the
     * transport opens, naming the cause, rather than failing with CROSSSLOT once workers run.
     */
    @Test
    void aClusterNodeBehindASingleServerUrlIsRefusedAtOpen() {
        try (RedisServer node = RedisServer.start("--cluster-enabled", "yes", "--cluster-config-file", "nodes.conf",
                "--cluster-port", Integer.toString(FreePort.find()))) {
            assertThatThrownBy(() -> openTransport(node.url()).close())
                    .isInstanceOf(TransportException.class)
                    .hasMessageContaining("Redis Cluster")
                    .hasMessageContaining("cluster_enabled:1")
                    .hasMessageContaining("127.0.0.1:" + node.port());
        }
    }

    @Test
    void blockingReadMayOutlastTheUrlTimeout() {
        try (Transport shortTimeout = openTransport(redis.url() + "?timeout=500ms")) {
            shortTimeout.createGroup(List.of("s"), "g", "$");
            long started = System.nanoTime();

            Map<String, List<StreamEntry>> read =
                    shortTimeout.readGroup("g", "c", Map.of("s", ">"), 10, Duration.ofMillis(1500));

            assertThat(read).isEmpty();
            assertThat(elapsedSince(started)).isGreaterThanOrEqualTo(Duration.ofMillis(1400));
            assertThat(shortTimeout.read("s", "$", 10, Duration.ofMillis(800))).isEmpty();
            assertThat(shortTimeout.get("k")).as("ordinary commands still work").isEmpty();
        }
    }

    @Test
    void aTimeoutOfZeroOrLessIsRefusedWhenOpening() {
        for (String timeout : List.of("0", "0ms", "-5", "-1s")) {
            String url = redis.url() + "?timeout=" + timeout;

            assertThatThrownBy(() -> openTransport(url).close())
                    .as(url)
                    .isInstanceOf(TransportException.class)
                    .hasMessageStartingWith("invalid Redis URL " + url)
                    .hasMessageContaining("timeout");
        }
    }

    @Test
    void databaseInTheUrlIsSelected() {
        try (Transport db3 = openTransport(redis.url() + "/3")) {
            db3.set("k", "three", null);

            assertThat(db3.get("k")).contains("three");
            assertThat(transport.get("k")).isEmpty();
        }
    }

    @Test
    void errorRepliesNameTheCommandAndTheServer() {
        transport.set("string", "v", null);

        assertThatThrownBy(() -> transport.length("string"))
                .isInstanceOf(TransportException.class)
                .hasMessageStartingWith("XLEN was rejected by " + redis.url())
                .hasMessageContaining("WRONGTYPE");
        assertThatThrownBy(() -> transport.pendingCount("string", "g"))
                .isInstanceOf(TransportException.class)
                .hasMessageContaining("XPENDING");
        assertThat(transport.get("string")).as("the connection is still in step").contains("v");
    }

    @Test
    void toStringNamesTheServer() {
        assertThat(transport.toString()).endsWith("[" + redis.url() + "]");
    }

    // ------------------------------------------------------------------ helpers

    /** Many threads setting a key at once, so the transport uses several connections; returns the failed calls. */
    private int setConcurrently(Transport target, String value) throws Exception {
        CountDownLatch go = new CountDownLatch(1);
        List<Future<Integer>> calls = new ArrayList<>();
        for (int i = 0; i < 8; i++) {
            calls.add(threads.submit(() -> {
                go.await();
                int failures = 0;
                for (int n = 0; n < 50; n++) {
                    try {
                        target.set("k", value, null);
                    } catch (TransportException e) {
                        failures++;
                    }
                }
                return failures;
            }));
        }
        go.countDown();
        int failures = 0;
        for (Future<Integer> call : calls) {
            failures += call.get(PATIENCE.toMillis(), TimeUnit.MILLISECONDS);
        }
        return failures;
    }
}
