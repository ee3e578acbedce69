// SPDX-License-Identifier: Apache-2.0

package io.runnel.testkit;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.awaitility.Awaitility.await;

import io.runnel.api.transport.Append;
import io.runnel.api.transport.Commit;
import io.runnel.api.transport.CommandRejected;
import io.runnel.api.transport.Fence;
import io.runnel.api.transport.FencedAck;
import io.runnel.api.transport.FencedRead;
import io.runnel.api.transport.ParkStep;
import io.runnel.api.transport.ParkingKeys;
import io.runnel.api.transport.RetentionPass;
import io.runnel.api.transport.RetentionResult;
import io.runnel.api.transport.ServerMemory;
import io.runnel.api.transport.ServerOutOfMemory;
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
import java.util.stream.IntStream;
import org.junit.jupiter.api.Tag;
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
@Tag("redis")
public abstract class RedisTransportTest extends TransportTestBase {

    /** For a transport module's subclass. */
    protected RedisTransportTest() {
    }

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

    /**
     * A group more than 1,000 entries behind has no exact lag, so the first pass on a promoted
     * replica cannot take its starting point. It reports no loss then, and none either when
     * the group has caught up and the pass can read its stale counters exactly: the starting
     * point is taken at that first exact reading. Entries trimmed unread after it are found.
     */
    @Test
    void theRetentionAuditReportsNoLossOnAPromotedReplicaForAGroupTooFarBehindForAnExactLag() {
        try (RedisServer master = RedisServer.start();
             RedisServer replica = RedisServer.start("--replicaof", "127.0.0.1", Integer.toString(master.port()));
             Transport onMaster = openTransport(master.url())) {
            await().atMost(PATIENCE).until(() -> String.valueOf(replica.call("INFO", "replication"))
                    .contains("master_link_status:up"));
            RetentionPass pass = new RetentionPass("s", "s:trim", false, Duration.ZERO, 0);
            int sent = 1500;
            for (int from = 0; from < sent; from += 500) {
                List<Append> batch = new ArrayList<>();
                for (int i = from; i < from + 500; i++) {
                    batch.add(new Append("s", null, Map.of("n", bytes(Integer.toString(i))), 0));
                }
                onMaster.append(batch);
            }
            onMaster.createGroup(List.of("s"), "g", "0");
            onMaster.readGroup("g", "c", Map.of("s", ">"), 5, null);
            assertThat(group(onMaster.retain(pass)).lostNow()).isZero();
            // Reads the replica only learns of through XCLAIM, which leaves its counter behind.
            onMaster.readGroup("g", "c", Map.of("s", ">"), 100, null);
            long written = replicationOffset(master, "master_repl_offset:");
            await().atMost(PATIENCE).until(() -> replicationOffset(replica, "slave_repl_offset:") >= written);

            replica.call("REPLICAOF", "NO", "ONE");
            try (Transport onPromoted = openTransport(replica.url())) {
                RetentionResult.GroupRetention first = group(onPromoted.retain(pass));
                assertThat(first.lag()).as("1,395 behind: more than an exact lag counts").isGreaterThan(1000);
                assertThat(first.lostNow()).isZero();

                // Caught up to within 1,000 entries: the lag is exact, and so is the stale gap.
                onPromoted.readGroup("g", "c", Map.of("s", ">"), 500, null);
                RetentionResult.GroupRetention caughtUp = group(onPromoted.retain(pass));
                assertThat(caughtUp.lag()).isEqualTo(sent - 605);
                assertThat(caughtUp.lostNow()).as("entries read on the old master are not lost").isZero();
                assertThat(caughtUp.lostTotal()).isZero();
                assertThat(group(onPromoted.retain(pass)).lostNow()).as("nor at the pass after").isZero();

                // The 895 entries the group has not read go: a loss, and found exactly.
                replica.call("XTRIM", "s", "MAXLEN", "0");
                RetentionResult.GroupRetention afterTrim = group(onPromoted.retain(pass));
                assertThat(afterTrim.lostNow()).isEqualTo(sent - 605);
                assertThat(afterTrim.lostTotal()).isEqualTo(sent - 605);
            }
        }
    }

    /**
     * A server at maxmemory ({@code noeviction}) refuses what adds entries or groups, with
     * {@link ServerOutOfMemory} and its remedy, and serves everything that frees memory or
     * keeps workers coordinated: reads, acks, lock extension and release, the coordination
     * keys (written by scripts flagged {@code allow-oom}), and a retention pass, even a first
     * one, whose trim frees memory so that appends are served again.
     */
    @Test
    void aServerAtMaxmemoryServesWhatFreesMemoryOrCoordinatesAndRefusesAppendsWithTheRemedy() {
        try (RedisServer server = RedisServer.start("--maxmemory-policy", "noeviction");
             Transport full = openTransport(server.url())) {
            List<String> ids = full.append(IntStream.range(0, 10)
                    .mapToObj(n -> new Append("s", null, fields("n", Integer.toString(n)), 0)).toList());
            full.createGroup(List.of("s"), "g", "0");
            assertThat(full.readGroup("g", "c", Map.of("s", ">"), 4, null).get("s")).hasSize(4);
            full.set("lock", "tok", Duration.ofSeconds(60));
            full.set("other-lock", "tok", Duration.ofSeconds(60));
            Fence fence = new Fence("lock", "tok");
            ParkingKeys parking = new ParkingKeys("s", "parked", "marks");
            full.append(List.of(new Append("parked", null, fields("n", "p", "parked_processor", "g", "parked_key", "a",
                    "parked_id", "1-1"), 0), new Append("parked", null, fields("n", "q", "parked_processor", "g",
                    "parked_key", "b", "parked_id", "1-2"), 0)));
            server.call("HSET", "marks", "a", "parked", "b", "parked"); // as parking would have marked them
            full.set("unused", "v", null);
            full.createGroup(List.of("s"), "other-group", "0");
            full.append(IntStream.range(0, 5).mapToObj(n -> new Append("audited", null, fields("n", "a"), 0)).toList());
            full.createGroup(List.of("audited"), "unread", "0");
            ServerOutOfMemory refused = fillToMaxmemory(server, full, "filler");

            assertThat(refused).isInstanceOf(CommandRejected.class);
            assertThat(refused.errorCode()).isEqualTo("OOM");
            assertThat(refused.getMessage()).startsWith("XADD was refused by " + server.url())
                    .contains("maxmemory").contains(ServerOutOfMemory.REMEDY);
            ServerMemory memory = full.serverMemory().get(0);
            assertThat(memory.full()).as(memory.describe()).isTrue();
            assertThat(memory.policy()).isEqualTo("noeviction");

            // Served: reads, acks, claims and hand-overs, lock extension and release.
            assertThat(full.get("lock")).contains("tok");
            assertThat(full.readGroup("g", "c", Map.of("s", ">"), 2, null).get("s")).hasSize(2);
            full.ack("g", Map.of("s", List.of(ids.get(0))));
            assertThat(full.ackFenced("g", List.of(new FencedAck(fence, "s", List.of(ids.get(1)))))).containsExactly(true);
            assertThat(full.readGroupFenced("g", List.of(new FencedRead(fence, "s", ">")), 2, null).get(0).entries())
                    .as("the claim of c's four pending entries and two new ones").hasSize(6);
            assertThat(full.handOverPending("g", "c", List.of(new FencedRead(fence, "s", ">")))).containsExactly(true);
            assertThat(full.extendFenced(List.of(fence), Duration.ofSeconds(90))).containsExactly(true);
            assertThat(full.releaseFenced(List.of(new Fence("other-lock", "tok")))).containsExactly(true);
            // Served although they write: the coordination keys.
            full.set("beat", "alive", Duration.ofSeconds(60));
            assertThat(full.get("beat")).contains("alive");
            assertThat(full.setIfAbsent(List.of("free", "beat"), "me", Duration.ofSeconds(60))).containsExactly(true, false);
            assertThat(full.increment("epoch")).isEqualTo(1);
            assertThat(full.extendIfOwner("beat", "alive", Duration.ofSeconds(90))).isTrue();
            assertThat(full.setFenced(fence, "mark", "poisoned")).isTrue();
            assertThat(full.deleteIfOwner("free", "me")).isTrue();
            // Refused: whatever adds entries or groups.
            assertThatThrownBy(() -> full.appendFenced(fence, List.of(new Append("s", null, fields("n", "x"), 0))))
                    .isInstanceOf(ServerOutOfMemory.class);
            assertThatThrownBy(() -> full.appendOnce("journal", Duration.ofSeconds(60),
                    List.of(new Append("s", null, fields("n", "x"), 0)), List.of("token")))
                    .isInstanceOf(ServerOutOfMemory.class);
            assertThatThrownBy(() -> full.createGroup(List.of("s"), "new-group", "0")).isInstanceOf(ServerOutOfMemory.class);
            assertThatThrownBy(() -> full.parkFenced(fence, "g", new ParkingKeys("s", "parked", "marks"),
                    List.of(new ParkStep(ParkStep.Mode.FAIL, "k", ids.get(2), false, fields("n", "2")))))
                    .isInstanceOf(ServerOutOfMemory.class);
            assertThatThrownBy(() -> full.commitFenced(fence, "g", Commit.builder("s", "commit-marker", "tok:1")
                    .ack(List.of(ids.get(2))).write(List.of(new Commit.StateWrite("state", "k", new byte[] {1})))
                    .build())).as("a commit, refused as a whole").isInstanceOf(ServerOutOfMemory.class);
            assertThat(full.get("commit-marker")).isEmpty();
            assertThat(full.groupInfo("s", "g").orElseThrow().pending()).as("nothing parked, nothing acked").isEqualTo(6);
            assertThatThrownBy(() -> full.releaseParked(parking, "g", "a", true)).as("a replay re-sends")
                    .isInstanceOf(ServerOutOfMemory.class);
            // Served: what only deletes.
            assertThat(full.releaseParked(parking, "g", "b", false)).as("a drop").isEqualTo(1);
            assertThat(full.deleteEntries("s", List.of(ids.get(9)))).isEqualTo(1);
            full.destroyGroup(List.of("s"), "other-group");
            full.delete(List.of("unused"));
            assertThat(full.get("unused")).isEmpty();

            // A pass that trims nothing and records a loss (its first write) runs too.
            server.call("XTRIM", "audited", "MAXLEN", "2");
            RetentionResult audit = full.retain(new RetentionPass("audited", "audited:trim", false, Duration.ZERO, 0));
            assertThat(audit.groups().get(0).lostNow()).isEqualTo(3);

            // The first pass ever on the key (no record yet) trims what the group acknowledged
            // and beyond a limit; the filler's trim frees what the appends need.
            assertThat(full.retain(new RetentionPass("s", "s:trim", true, Duration.ZERO, 0)).trimmed()).isEqualTo(2);
            RetentionResult fillerTrimmed = full.retain(new RetentionPass("filler", "filler:trim", false, Duration.ZERO, 1));
            assertThat(fillerTrimmed.trimmed()).isPositive();
            assertThat(full.serverMemory().get(0).full()).isFalse();
            assertThat(full.append(List.of(new Append("s", null, fields("n", "after"), 0)))).hasSize(1);
        }
    }

    /**
     * Sets the server's maxmemory 1 MB above what it uses, then appends 1 KB entries to
     * {@code key} until the server refuses one, as sends meet a full memory. Then lowers
     * maxmemory to 256 KB below what the server uses, so that the small ups and downs of its
     * client buffers cannot take it back under the limit by chance. Trimming the key frees
     * enough for appends to be served again.
     *
     * @param server    the server to fill, whose maxmemory this changes
     * @param transport a transport on {@code server}
     * @param key       the stream to append to
     * @return the refusal
     */
    protected static ServerOutOfMemory fillToMaxmemory(RedisServer server, Transport transport, String key) {
        server.call("CONFIG", "SET", "maxmemory", Long.toString(usedMemory(server) + 1024 * 1024));
        byte[] kilobyte = new byte[1024];
        for (int batch = 0; batch < 2_500; batch++) {
            List<Append> appends = new ArrayList<>();
            for (int i = 0; i < 64; i++) {
                appends.add(new Append(key, null, Map.of("data", kilobyte), 0));
            }
            try {
                transport.append(appends);
            } catch (ServerOutOfMemory e) {
                server.call("CONFIG", "SET", "maxmemory", Long.toString(usedMemory(server) - 256 * 1024));
                return e;
            }
        }
        throw new AssertionError("the server took 160 MB of appends without refusing one");
    }

    /**
     * The server's {@code used_memory}.
     *
     * @param server the server to ask ({@code INFO memory})
     * @return the bytes it uses
     */
    protected static long usedMemory(RedisServer server) {
        for (String line : String.valueOf(server.call("INFO", "memory")).split("\r?\n")) {
            if (line.startsWith("used_memory:")) {
                return Long.parseLong(line.substring("used_memory:".length()).trim());
            }
        }
        throw new AssertionError("no used_memory in INFO memory");
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
