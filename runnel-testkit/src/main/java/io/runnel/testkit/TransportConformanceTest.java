// SPDX-License-Identifier: Apache-2.0

package io.runnel.testkit;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatCode;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.awaitility.Awaitility.await;

import io.runnel.api.transport.Append;
import io.runnel.api.transport.CommandRejected;
import io.runnel.api.transport.Commit;
import io.runnel.api.transport.Fence;
import io.runnel.api.transport.FencedAck;
import io.runnel.api.transport.FencedRead;
import io.runnel.api.transport.GroupInfo;
import io.runnel.api.transport.NotReplicated;
import io.runnel.api.transport.ParkStep;
import io.runnel.api.transport.ParkingKeys;
import io.runnel.api.transport.RetentionPass;
import io.runnel.api.transport.RetentionResult;
import io.runnel.api.transport.ServerMemory;
import io.runnel.api.transport.StateValue;
import io.runnel.api.transport.StreamEntry;
import io.runnel.api.transport.Transport;
import io.runnel.api.transport.TransportException;
import java.io.PrintWriter;
import java.io.StringWriter;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.OptionalLong;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicReference;
import java.util.stream.IntStream;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;

/**
 * The behaviour every {@link Transport} must share, run against a real server. A
 * transport module pins itself to it with one small subclass in its tests:
 *
 * <pre>{@code
 * class LettuceTransportConformanceTest extends TransportConformanceTest {
 *     @Override
 *     protected Transport openTransport(String url) {
 *         return new LettuceTransportProvider().open(ConnectionUrl.parse(url));
 *     }
 * }
 * }</pre>
 *
 * <p>Waiting is done with latches and Awaitility, never with sleeps, and timing assertions
 * are lower bounds only, so the suite stays reliable on a loaded machine. Where a test must
 * know that a read is really blocked in the server it asks Redis for {@code blocked_clients}.
 *
 * <p>A transport that keeps its data in-process rather than in the server overrides the
 * hooks that would otherwise need the server: {@link #blockedClients()},
 * {@link #failureCarryingSecret(String)} and {@link #trimBehindTheTransport(String, long)}.
 * What only a transport on a real Redis server can show is in {@link RedisTransportTest}.
 */
@Tag("redis")
public abstract class TransportConformanceTest extends TransportTestBase {

    /**
     * More blocking reads at once than any transport keeps connections for (the Redis
     * transports keep 16 idle blocking connections, Jedis 32 more for ordinary commands).
     */
    private static final int MANY_BLOCKING_READS = 64;

    /** For a transport module's subclass. */
    protected TransportConformanceTest() {
    }

    // ------------------------------------------------------------------ streams

    @Test
    void appendStoresFieldsInOrderAndBinarySafe() {
        byte[] binary = new byte[256];
        for (int i = 0; i < binary.length; i++) {
            binary[i] = (byte) i;
        }
        Map<String, byte[]> fields = new LinkedHashMap<>();
        fields.put("zeta", bytes("last letter first"));
        fields.put("alpha", binary);
        fields.put("mid", bytes("ünïcödé"));

        String id = transport.append(new Append("s", null, fields, 0));

        assertThat(id).matches("\\d+-\\d+");
        List<StreamEntry> entries = transport.range("s", "-", "+", 10);
        assertThat(entries).hasSize(1);
        StreamEntry entry = entries.get(0);
        assertThat(entry.id()).isEqualTo(id);
        assertThat(entry.fields().keySet()).containsExactly("zeta", "alpha", "mid");
        assertThat(entry.fields().get("alpha")).isEqualTo(binary);
        assertThat(text(entry.fields().get("mid"))).isEqualTo("ünïcödé");
    }

    @Test
    void appendBatchReturnsIdsInListOrderAcrossKeys() {
        List<Append> appends = new ArrayList<>();
        for (int n = 0; n < 200; n++) {
            appends.add(new Append(n % 2 == 0 ? "even" : "odd", null, fields("n", Integer.toString(n)), 0));
        }

        List<String> ids = transport.append(appends);

        assertThat(ids).hasSize(200);
        for (String key : List.of("even", "odd")) {
            List<String> expectedIds = new ArrayList<>();
            List<String> expectedNumbers = new ArrayList<>();
            for (int n = 0; n < 200; n++) {
                if (appends.get(n).key().equals(key)) {
                    expectedIds.add(ids.get(n));
                    expectedNumbers.add(Integer.toString(n));
                }
            }
            List<StreamEntry> stored = transport.range(key, "-", "+", 1000);
            assertThat(stored).extracting(StreamEntry::id).containsExactlyElementsOf(expectedIds);
            assertThat(stored).extracting(e -> text(e.fields().get("n"))).containsExactlyElementsOf(expectedNumbers);
        }
        assertThat(transport.append(List.of())).isEmpty();
    }

    @Test
    void appendUsesExplicitIdsAndRejectsOlderOnes() {
        List<String> ids = transport.append(List.of(
                new Append("s", "5-1", fields("v", "a"), 0),
                new Append("s", "5-2", fields("v", "b"), 0)));

        assertThat(ids).containsExactly("5-1", "5-2");
        assertThat(transport.lastId("s")).isEqualTo("5-2");
        assertThatThrownBy(() -> transport.append(new Append("s", "4-0", fields("v", "c"), 0)))
                .isInstanceOf(TransportException.class);
        assertThat(transport.length("s")).isEqualTo(2);
    }

    @Test
    void appendWithMaxLenTrimsApproximately() {
        for (int batch = 0; batch < 10; batch++) {
            List<Append> appends = new ArrayList<>();
            for (int n = 0; n < 500; n++) {
                appends.add(new Append("s", null, fields("n", Integer.toString(batch * 500 + n)), 100));
            }
            transport.append(appends);
        }

        long length = transport.length("s");
        assertThat(length).isGreaterThanOrEqualTo(100).isLessThan(1000);
        // Trimming drops the oldest entries, never the newest.
        List<StreamEntry> newest = transport.read("s", "0-0", 100_000, null);
        assertThat(text(newest.get(newest.size() - 1).fields().get("n"))).isEqualTo("4999");
    }

    @Test
    void appendWithoutMaxLenKeepsEverything() {
        List<Append> appends = IntStream.range(0, 300)
                .mapToObj(n -> new Append("s", null, fields("n", Integer.toString(n)), 0))
                .toList();

        transport.append(appends);

        assertThat(transport.length("s")).isEqualTo(300);
    }

    @Test
    void missingStreamIsEmpty() {
        assertThat(transport.length("missing")).isZero();
        assertThat(transport.lastId("missing")).isEqualTo("0-0");
        assertThat(transport.range("missing", "-", "+", 10)).isEmpty();
        assertThat(transport.read("missing", "0-0", 10, null)).isEmpty();
    }

    @Test
    void lastIdIsTheNewestEntry() {
        transport.createGroup(List.of("s"), "g", "0");
        assertThat(transport.lastId("s")).as("empty stream").isEqualTo("0-0");

        List<String> ids = transport.append(List.of(
                new Append("s", null, fields("v", "1"), 0),
                new Append("s", null, fields("v", "2"), 0)));

        assertThat(transport.lastId("s")).isEqualTo(ids.get(1));
    }

    @Test
    void rangeIsInclusiveAndHonoursCount() {
        List<String> ids = appendNumbered("s", 5);

        assertThat(transport.range("s", "-", "+", 2)).extracting(StreamEntry::id)
                .containsExactly(ids.get(0), ids.get(1));
        assertThat(transport.range("s", ids.get(1), ids.get(3), 10)).extracting(StreamEntry::id)
                .containsExactly(ids.get(1), ids.get(2), ids.get(3));
        assertThat(transport.range("s", ids.get(4), "+", 10)).extracting(StreamEntry::id)
                .containsExactly(ids.get(4));
    }

    @Test
    void readReturnsEntriesAfterTheGivenId() {
        List<String> ids = appendNumbered("s", 3);

        assertThat(transport.read("s", ids.get(0), 10, null)).extracting(StreamEntry::id)
                .containsExactly(ids.get(1), ids.get(2));
        assertThat(transport.read("s", "0-0", 2, null)).extracting(StreamEntry::id)
                .containsExactly(ids.get(0), ids.get(1));
        assertThat(transport.read("s", ids.get(2), 10, null)).isEmpty();
        assertThat(transport.read("s", ids.get(0), 10, null).get(0).fields().get("n")).isEqualTo(bytes("1"));
    }

    @Test
    void readWithBlockTimesOutEmpty() {
        appendNumbered("s", 1);
        long started = System.nanoTime();

        List<StreamEntry> entries = transport.read("s", "$", 10, Duration.ofMillis(300));

        assertThat(entries).isEmpty();
        assertThat(elapsedSince(started)).isGreaterThanOrEqualTo(Duration.ofMillis(200));
    }

    @Test
    void readFromDollarWithBlockReturnsAnEntryAppendedMeanwhile() throws Exception {
        awaitNoBlockedClients();
        appendNumbered("s", 2);
        Future<List<StreamEntry>> read = threads.submit(() -> transport.read("s", "$", 10, LONG_BLOCK));
        awaitBlockedClients(1);

        String id = transport.append(new Append("s", null, fields("v", "new"), 0));

        List<StreamEntry> entries = read.get(PATIENCE.toMillis(), TimeUnit.MILLISECONDS);
        assertThat(entries).extracting(StreamEntry::id).containsExactly(id);
        assertThat(entries.get(0).fields().get("v")).isEqualTo(bytes("new"));
    }

    @Test
    void deleteRemovesKeysOfAnyType() {
        appendNumbered("s", 2);
        transport.set("k", "v", null);

        transport.delete(List.of("s", "k", "missing"));
        transport.delete(List.of());

        assertThat(transport.length("s")).isZero();
        assertThat(transport.get("k")).isEmpty();
    }

    // ---------------------------------------------------------- consumer groups

    @Test
    void createGroupMakesStreamsAndIsIdempotent() {
        transport.createGroup(List.of("a", "b"), "g", "0");
        transport.createGroup(List.of("a", "b"), "g", "0");

        assertThat(transport.groupExists("a", "g")).isTrue();
        assertThat(transport.groupExists("b", "g")).isTrue();
        assertThat(transport.length("a")).isZero();
    }

    @Test
    void createGroupLeavesAnExistingGroupAsItIs() {
        appendNumbered("s", 2);
        transport.createGroup(List.of("s"), "g", "0");
        transport.readGroup("g", "c", Map.of("s", ">"), 10, null);

        transport.createGroup(List.of("s"), "g", "0");

        assertThat(transport.pendingCount("s", "g")).isEqualTo(2);
        assertThat(transport.readGroup("g", "c", Map.of("s", ">"), 10, null)).isEmpty();
    }

    @Test
    void createGroupStartIdDecidesWhatIsNew() {
        List<String> ids = appendNumbered("s", 2);

        transport.createGroup(List.of("s"), "from-start", "0");
        transport.createGroup(List.of("s"), "from-now", "$");
        transport.createGroup(List.of("s"), "from-first", ids.get(0));

        assertThat(transport.readGroup("from-start", "c", Map.of("s", ">"), 10, null).get("s"))
                .extracting(StreamEntry::id).containsExactlyElementsOf(ids);
        assertThat(transport.readGroup("from-now", "c", Map.of("s", ">"), 10, null)).isEmpty();
        assertThat(transport.readGroup("from-first", "c", Map.of("s", ">"), 10, null).get("s"))
                .extracting(StreamEntry::id).containsExactly(ids.get(1));
    }

    @Test
    void groupExistsOnlyForAStreamWithThatGroup() {
        transport.createGroup(List.of("s"), "g", "0");
        transport.set("string", "v", null);

        assertThat(transport.groupExists("s", "g")).isTrue();
        assertThat(transport.groupExists("s", "other")).isFalse();
        assertThat(transport.groupExists("missing", "g")).isFalse();
        assertThat(transport.groupExists("string", "g")).isFalse();
    }

    @Test
    void destroyGroupRemovesItAndIgnoresKeysWithoutIt() {
        transport.createGroup(List.of("a", "b"), "g", "0");
        transport.createGroup(List.of("a"), "keep", "0");

        transport.destroyGroup(List.of("a", "b", "missing"), "g");
        assertThatCode(() -> transport.destroyGroup(List.of("a", "missing"), "g")).doesNotThrowAnyException();

        assertThat(transport.groupExists("a", "g")).isFalse();
        assertThat(transport.groupExists("b", "g")).isFalse();
        assertThat(transport.groupExists("a", "keep")).isTrue();
    }

    @Test
    void readGroupReadsManyKeysAtMostCountEach() {
        List<String> a = appendNumbered("a", 5);
        List<String> b = appendNumbered("b", 2);
        transport.createGroup(List.of("a", "b", "c"), "g", "0");
        Map<String, String> request = new LinkedHashMap<>();
        request.put("b", ">");
        request.put("c", ">");
        request.put("a", ">");

        Map<String, List<StreamEntry>> first = transport.readGroup("g", "c1", request, 3, null);

        assertThat(first.keySet()).as("keys with entries, in request order").containsExactly("b", "a");
        assertThat(first.get("b")).extracting(StreamEntry::id).containsExactlyElementsOf(b);
        assertThat(first.get("a")).extracting(StreamEntry::id).containsExactly(a.get(0), a.get(1), a.get(2));
        assertThat(first.get("a").get(0).fields().get("n")).isEqualTo(bytes("0"));

        Map<String, List<StreamEntry>> second = transport.readGroup("g", "c1", request, 3, null);

        assertThat(second.keySet()).containsExactly("a");
        assertThat(second.get("a")).extracting(StreamEntry::id).containsExactly(a.get(3), a.get(4));
    }

    @Test
    void readGroupWithBlockTimesOutEmpty() {
        transport.createGroup(List.of("a", "b"), "g", "0");
        long started = System.nanoTime();

        Map<String, List<StreamEntry>> result =
                transport.readGroup("g", "c", Map.of("a", ">", "b", ">"), 10, Duration.ofMillis(500));

        assertThat(result).isEmpty();
        assertThat(elapsedSince(started)).isGreaterThanOrEqualTo(Duration.ofMillis(400));
    }

    @Test
    void readGroupWithBlockReturnsAnEntryAppendedMeanwhile() throws Exception {
        awaitNoBlockedClients();
        transport.createGroup(List.of("a", "b"), "g", "$");
        Future<Map<String, List<StreamEntry>>> read =
                threads.submit(() -> transport.readGroup("g", "c", Map.of("a", ">", "b", ">"), 10, LONG_BLOCK));
        awaitBlockedClients(1);

        String id = transport.append(new Append("b", null, fields("v", "new"), 0));

        Map<String, List<StreamEntry>> result = read.get(PATIENCE.toMillis(), TimeUnit.MILLISECONDS);
        assertThat(result.keySet()).containsExactly("b");
        assertThat(result.get("b")).extracting(StreamEntry::id).containsExactly(id);
    }

    @Test
    void readGroupRereadsPendingEntriesUntilAcked() {
        List<String> ids = appendNumbered("s", 3);
        transport.createGroup(List.of("s"), "g", "0");

        List<StreamEntry> delivered = transport.readGroup("g", "c", Map.of("s", ">"), 10, null).get("s");
        assertThat(delivered).extracting(StreamEntry::id).containsExactlyElementsOf(ids);
        assertThat(transport.pendingCount("s", "g")).isEqualTo(3);

        List<StreamEntry> pending = transport.readGroup("g", "c", Map.of("s", "0-0"), 10, null).get("s");
        assertThat(pending).extracting(StreamEntry::id).containsExactlyElementsOf(ids);
        assertThat(pending).extracting(e -> text(e.fields().get("n"))).containsExactly("0", "1", "2");
        assertThat(transport.readGroup("g", "c", Map.of("s", "0-0"), 2, null).get("s"))
                .extracting(StreamEntry::id).containsExactly(ids.get(0), ids.get(1));

        transport.ack("g", Map.of("s", List.of(ids.get(0))));
        assertThat(transport.pendingCount("s", "g")).isEqualTo(2);
        assertThat(transport.readGroup("g", "c", Map.of("s", "0-0"), 10, null).get("s"))
                .extracting(StreamEntry::id).containsExactly(ids.get(1), ids.get(2));

        transport.ack("g", Map.of("s", List.of(ids.get(1), ids.get(2))));
        assertThat(transport.pendingCount("s", "g")).isZero();
        assertThat(transport.readGroup("g", "c", Map.of("s", "0-0"), 10, null)).isEmpty();
        assertThat(transport.readGroup("g", "c", Map.of("s", ">"), 10, null)).isEmpty();
    }

    @Test
    void pendingEntriesBelongToTheirConsumer() {
        appendNumbered("s", 2);
        transport.createGroup(List.of("s"), "g", "0");
        transport.readGroup("g", "first", Map.of("s", ">"), 10, null);

        assertThat(transport.readGroup("g", "second", Map.of("s", "0-0"), 10, null)).isEmpty();
        assertThat(transport.readGroup("g", "first", Map.of("s", "0-0"), 10, null).get("s")).hasSize(2);
    }

    @Test
    void pendingEntryTrimmedSinceDeliveryComesBackWithoutFields() {
        List<String> ids = appendNumbered("s", 2);
        transport.createGroup(List.of("s"), "g", "0");
        transport.readGroup("g", "c", Map.of("s", ">"), 10, null);

        trimBehindTheTransport("s", 1);
        List<StreamEntry> pending = transport.readGroup("g", "c", Map.of("s", "0-0"), 10, null).get("s");

        assertThat(pending).extracting(StreamEntry::id).containsExactlyElementsOf(ids);
        assertThat(pending.get(0).fields()).isEmpty();
        assertThat(text(pending.get(1).fields().get("n"))).isEqualTo("1");
        transport.ack("g", Map.of("s", ids));
        assertThat(transport.pendingCount("s", "g")).isZero();
    }

    @Test
    void countZeroOrLessMeansNoLimit() {
        appendNumbered("s", 3);
        transport.createGroup(List.of("s"), "g", "0");

        assertThat(transport.range("s", "-", "+", 0)).hasSize(3);
        assertThat(transport.read("s", "0-0", -1, null)).hasSize(3);
        assertThat(transport.readGroup("g", "c", Map.of("s", ">"), 0, null).get("s")).hasSize(3);
        assertThat(transport.readGroup("g", "c", Map.of("s", "0-0"), -1, null).get("s")).hasSize(3);
    }

    @Test
    void blockOfZeroOrLessDoesNotBlock() {
        transport.createGroup(List.of("s"), "g", "$");

        // Redis would read BLOCK 0 as "forever"; the test would hang if it were sent.
        assertThat(transport.read("s", "$", 10, Duration.ZERO)).isEmpty();
        assertThat(transport.readGroup("g", "c", Map.of("s", ">"), 10, Duration.ofMillis(-1))).isEmpty();
    }

    @Test
    void ackCoversManyKeysAtOnce() {
        appendNumbered("a", 2);
        appendNumbered("b", 3);
        transport.createGroup(List.of("a", "b"), "g", "0");
        Map<String, List<StreamEntry>> read =
                transport.readGroup("g", "c", Map.of("a", ">", "b", ">"), 10, null);
        Map<String, List<String>> acks = new LinkedHashMap<>();
        read.forEach((key, entries) -> acks.put(key, entries.stream().map(StreamEntry::id).toList()));

        transport.ack("g", acks);
        transport.ack("g", Map.of());

        assertThat(transport.pendingCount("a", "g")).isZero();
        assertThat(transport.pendingCount("b", "g")).isZero();
    }

    @Test
    void refusalsCarryTheServersErrorCode() {
        transport.set("string", "v", null);
        appendNumbered("s", 1);

        // The engine tells a refusal (same answer until the data changes) from an outage by these.
        assertThatThrownBy(() -> transport.length("string"))
                .isInstanceOfSatisfying(CommandRejected.class, e -> {
                    assertThat(e.errorCode()).isEqualTo("WRONGTYPE");
                    assertThat(e.isWrongType()).isTrue();
                });
        assertThatThrownBy(() -> transport.readGroup("g", "c", Map.of("s", ">"), 10, null))
                .isInstanceOfSatisfying(CommandRejected.class, e -> assertThat(e.errorCode()).isEqualTo("NOGROUP"));
        assertThatThrownBy(() -> transport.ack("g", Map.of("string", List.of("1-1"))))
                .isInstanceOfSatisfying(CommandRejected.class, e -> assertThat(e.isWrongType()).isTrue());
    }

    @Test
    void groupInfoIsEmptyWithoutTheStreamOrTheGroup() {
        transport.createGroup(List.of("s"), "g", "0");
        transport.set("string", "v", null);

        assertThat(transport.groupInfo("missing", "g")).isEmpty();
        assertThat(transport.groupInfo("string", "g")).isEmpty();
        assertThat(transport.groupInfo("s", "other")).isEmpty();
        assertThat(transport.groupInfo("s", "g")).contains(
                new GroupInfo(0, Optional.empty(), "0-0", OptionalLong.of(0), OptionalLong.of(0), 0));
    }

    @Test
    void groupInfoFollowsDeliveriesAcksAndAppends() {
        List<String> ids = appendNumbered("s", 5);
        transport.createGroup(List.of("s"), "g", "0");
        assertThat(transport.groupInfo("s", "g")).contains(
                new GroupInfo(0, Optional.empty(), "0-0", OptionalLong.of(5), OptionalLong.of(0), 0));

        transport.readGroup("g", "c", Map.of("s", ">"), 3, null);
        assertThat(transport.groupInfo("s", "g")).contains(
                new GroupInfo(3, Optional.of(ids.get(0)), ids.get(2), OptionalLong.of(2), OptionalLong.of(3), 1));

        // Reading the history again (what a new owner's first read does) is a second delivery.
        transport.readGroup("g", "c", Map.of("s", "0"), 10, null);
        assertThat(transport.groupInfo("s", "g").orElseThrow().oldestPendingDeliveries()).isEqualTo(2);

        transport.ack("g", Map.of("s", List.of(ids.get(0))));
        String appended = appendNumbered("s", 1).get(0);
        assertThat(transport.groupInfo("s", "g")).contains(
                new GroupInfo(2, Optional.of(ids.get(1)), ids.get(2), OptionalLong.of(3), OptionalLong.of(3), 2));

        List<String> rest = transport.readGroup("g", "c", Map.of("s", ">"), 10, null).get("s").stream()
                .map(StreamEntry::id).toList();
        transport.ack("g", Map.of("s", List.of(ids.get(1), ids.get(2), ids.get(3), ids.get(4), appended)));
        assertThat(rest).containsExactly(ids.get(3), ids.get(4), appended);
        assertThat(transport.groupInfo("s", "g")).contains(
                new GroupInfo(0, Optional.empty(), appended, OptionalLong.of(0), OptionalLong.of(6), 0));
    }

    @Test
    void groupInfoOfAGroupStartingAtTheEndHasNoLag() {
        List<String> ids = appendNumbered("s", 2);
        transport.createGroup(List.of("s"), "g", "$");

        assertThat(transport.groupInfo("s", "g")).contains(
                new GroupInfo(0, Optional.empty(), ids.get(1), OptionalLong.of(0), OptionalLong.empty(), 0));
        assertThat(transport.pendingCount("s", "g")).isZero();
    }

    // --------------------------------------------------------------- retention

    private static RetentionPass acked(String key) {
        return new RetentionPass(key, "rec:" + key, true, Duration.ZERO, 0);
    }

    private static RetentionPass limits(String key, Duration maxAge, long maxLength) {
        return new RetentionPass(key, "rec:" + key, false, maxAge, maxLength);
    }

    @Test
    void retainWithoutAStreamDoesNothing() {
        transport.set("string", "v", null);

        assertThat(transport.retain(acked("missing"))).isEqualTo(RetentionResult.NO_STREAM);
        assertThat(transport.retain(acked("string"))).isEqualTo(RetentionResult.NO_STREAM);
        assertThat(transport.getHash("rec:missing")).isEmpty();
    }

    @Test
    void retainAckedKeepsEverythingWhileNoGroupExists() {
        List<String> ids = appendNumbered("s", 4);

        RetentionResult result = transport.retain(acked("s"));

        assertThat(result).isEqualTo(new RetentionResult(0, 4, Optional.of(ids.get(0)), List.of()));
    }

    @Test
    void retainAckedTrimsOnlyBelowWhatEveryGroupStillNeeds() {
        List<String> ids = appendNumbered("s", 10);
        transport.createGroup(List.of("s"), "fast", "0");
        transport.createGroup(List.of("s"), "slow", "0");
        transport.readGroup("fast", "c", Map.of("s", ">"), 6, null);
        transport.ack("fast", Map.of("s", ids.subList(0, 4)));
        transport.readGroup("slow", "c", Map.of("s", ">"), 3, null);
        transport.ack("slow", Map.of("s", ids.subList(0, 3)));

        // fast needs its oldest pending (ids[4]); slow, all read and acked, keeps its last delivered (ids[2]).
        RetentionResult first = transport.retain(acked("s"));
        assertThat(first.trimmed()).isEqualTo(2);
        assertThat(first.firstId()).contains(ids.get(2));
        assertThat(first.groups()).containsExactly(
                new RetentionResult.GroupRetention("fast", 4, 0, 0),
                new RetentionResult.GroupRetention("slow", 7, 0, 0));

        transport.readGroup("slow", "c", Map.of("s", ">"), 10, null);
        transport.ack("slow", Map.of("s", ids.subList(3, 10)));
        RetentionResult second = transport.retain(acked("s"));
        assertThat(second.firstId()).as("fast's oldest pending entry is kept").contains(ids.get(4));
        assertThat(second.length()).isEqualTo(6);
        assertThat(transport.range("s", "-", "+", 0)).extracting(StreamEntry::id).isEqualTo(ids.subList(4, 10));
    }

    @Test
    void retainLimitTrimsUnreadEntriesAndReportsThemOnce() {
        List<String> ids = appendNumbered("s", 10);
        transport.createGroup(List.of("s"), "g", "0");
        transport.readGroup("g", "c", Map.of("s", ">"), 2, null);
        transport.ack("g", Map.of("s", ids.subList(0, 2)));

        RetentionResult capped = transport.retain(limits("s", Duration.ZERO, 3));

        assertThat(capped.trimmed()).isEqualTo(7);
        assertThat(capped.firstId()).contains(ids.get(7));
        assertThat(capped.groups()).as("ids[2..6] were never read")
                .containsExactly(new RetentionResult.GroupRetention("g", 3, 5, 5));
        assertThat(transport.groupInfo("s", "g")).get().extracting(GroupInfo::lag).isEqualTo(OptionalLong.of(3));
        assertThat(transport.getHash("rec:s")).containsEntry(RetentionPass.lostField("g"), "5");

        // Found once: neither a second pass nor the group reading on reports it again.
        assertThat(transport.retain(limits("s", Duration.ZERO, 3)).groups())
                .containsExactly(new RetentionResult.GroupRetention("g", 3, 0, 5));
        transport.readGroup("g", "c", Map.of("s", ">"), 10, null);
        assertThat(transport.retain(limits("s", Duration.ZERO, 3)).groups())
                .containsExactly(new RetentionResult.GroupRetention("g", 0, 0, 5));
        assertThat(transport.groupInfo("s", "g")).get().extracting(GroupInfo::lag).isEqualTo(OptionalLong.of(0));
    }

    @Test
    void retainFindsUnreadEntriesSomeoneElseTrimmed() {
        appendNumbered("s", 10);
        transport.createGroup(List.of("s"), "g", "0");
        transport.createGroup(List.of("s"), "done", "$");
        transport.readGroup("g", "c", Map.of("s", ">"), 4, null);

        trimBehindTheTransport("s", 2);
        RetentionResult result = transport.retain(limits("s", Duration.ZERO, 0));

        assertThat(result.trimmed()).isZero();
        assertThat(result.groups()).containsExactly(
                new RetentionResult.GroupRetention("done", 0, 0, 0),
                new RetentionResult.GroupRetention("g", 2, 4, 4));
    }

    @Test
    void retainByAgeTrimsOldEntriesReadOrNot() {
        transport.append(List.of(new Append("s", "1000-0", fields("n", "old"), 0),
                new Append("s", "2000-0", fields("n", "old"), 0)));
        String fresh = appendNumbered("s", 1).get(0);
        transport.createGroup(List.of("s"), "g", "0");
        // Redis counts a group's reads from its first one: a group that never read is not audited yet.
        transport.readGroup("g", "c", Map.of("s", ">"), 1, null);
        transport.ack("g", Map.of("s", List.of("1000-0")));

        RetentionResult result = transport.retain(limits("s", Duration.ofHours(1), 0));

        assertThat(result.trimmed()).isEqualTo(2);
        assertThat(result.firstId()).contains(fresh);
        assertThat(result.groups()).as("2000-0 was never read")
                .containsExactly(new RetentionResult.GroupRetention("g", 1, 1, 1));
    }

    @Test
    void lagStaysExactAfterEntriesAreDeletedInsideTheUndeliveredRange() {
        List<String> ids = appendNumbered("s", 10);
        transport.createGroup(List.of("s"), "g", "0");
        transport.readGroup("g", "c", Map.of("s", ">"), 2, null);

        deleteBehindTheTransport("s", ids.get(5));

        assertThat(transport.groupInfo("s", "g")).get().extracting(GroupInfo::lag).isEqualTo(OptionalLong.of(7));
        assertThat(transport.retain(limits("s", Duration.ZERO, 0)).groups()).singleElement()
                .extracting(RetentionResult.GroupRetention::lag).isEqualTo(7L);
    }

    @Test
    void readGroupWithoutTheGroupFails() {
        appendNumbered("s", 1);

        assertThatThrownBy(() -> transport.readGroup("nope", "c", Map.of("s", ">"), 10, null))
                .isInstanceOf(TransportException.class);
    }

    @Test
    void blockingReadGroupDoesNotDelayOtherCalls() throws Exception {
        awaitNoBlockedClients();
        transport.createGroup(List.of("s"), "g", "$");
        CountDownLatch reading = new CountDownLatch(1);
        Future<Map<String, List<StreamEntry>>> read = threads.submit(() -> {
            reading.countDown();
            return transport.readGroup("g", "c", Map.of("s", ">"), 10, LONG_BLOCK);
        });
        assertThat(reading.await(PATIENCE.toMillis(), TimeUnit.MILLISECONDS)).isTrue();
        awaitBlockedClients(1);

        transport.set("k", "v", null);
        assertThat(transport.get("k")).contains("v");
        assertThat(transport.length("s")).isZero();

        assertThat(read.isDone()).as("the blocking read is still waiting").isFalse();
        String id = transport.append(new Append("s", null, fields("v", "wake"), 0));
        assertThat(read.get(PATIENCE.toMillis(), TimeUnit.MILLISECONDS).get("s"))
                .extracting(StreamEntry::id).containsExactly(id);
    }

    @Test
    void moreBlockingReadsThanThePoolsKeepRunSideBySide() throws Exception {
        awaitNoBlockedClients();
        List<String> keys = IntStream.range(0, MANY_BLOCKING_READS).mapToObj(i -> "s" + i).toList();
        transport.createGroup(keys, "g", "$");
        List<Future<Map<String, List<StreamEntry>>>> reads = new ArrayList<>();
        for (String key : keys) {
            reads.add(threads.submit(() -> transport.readGroup("g", "c-" + key, Map.of(key, ">"), 10, LONG_BLOCK)));
        }
        awaitBlockedClients(keys.size());

        transport.set("k", "v", null);
        assertThat(transport.get("k")).as("ordinary calls meanwhile").contains("v");
        transport.append(keys.stream().map(key -> new Append(key, null, fields("k", key), 0)).toList());

        for (int i = 0; i < keys.size(); i++) {
            assertThat(reads.get(i).get(PATIENCE.toMillis(), TimeUnit.MILLISECONDS)).containsOnlyKeys(keys.get(i));
        }
    }

    @Test
    void interruptingABlockedReadEndsItAndLeavesTheTransportUsable() throws Exception {
        awaitNoBlockedClients();
        transport.createGroup(List.of("s"), "g", "$");
        AtomicReference<Thread> reader = new AtomicReference<>();
        AtomicBoolean stillInterrupted = new AtomicBoolean();
        Future<Map<String, List<StreamEntry>>> read = threads.submit(() -> {
            reader.set(Thread.currentThread());
            try {
                return transport.readGroup("g", "c", Map.of("s", ">"), 10, LONG_BLOCK);
            } finally {
                stillInterrupted.set(Thread.currentThread().isInterrupted());
            }
        });
        awaitBlockedClients(1);

        reader.get().interrupt();

        assertThatThrownBy(() -> read.get(PATIENCE.toMillis(), TimeUnit.MILLISECONDS))
                .isInstanceOf(ExecutionException.class)
                .cause()
                .isInstanceOf(TransportException.class)
                .hasMessageStartingWith("XREADGROUP was interrupted");
        assertThat(stillInterrupted).as("the interrupt is kept").isTrue();
        awaitNoBlockedClients();
        String id = transport.append(new Append("s", null, fields("v", "after"), 0));
        assertThat(transport.readGroup("g", "c", Map.of("s", ">"), 10, Duration.ofSeconds(5)).get("s"))
                .extracting(StreamEntry::id).containsExactly(id);
    }

    // ----------------------------------------------------------- keys and locks

    @Test
    void getSetAndGetAllWithMissingKeys() {
        transport.set("a", "1", null);
        transport.set("b", "ünï", null);
        transport.set("a", "2", null);

        assertThat(transport.get("a")).contains("2");
        assertThat(transport.get("missing")).isEmpty();
        assertThat(transport.getAll(List.of("a", "missing", "b")))
                .containsExactly(Optional.of("2"), Optional.empty(), Optional.of("ünï"));
        assertThat(transport.getAll(List.of())).isEmpty();
    }

    @Test
    void setWithTtlHasATimeToLiveAndSetWithoutClearsIt() {
        transport.set("k", "v", Duration.ofSeconds(60));

        assertThat(transport.timeToLive("k")).hasValueSatisfying(ttl ->
                assertThat(ttl).isPositive().isLessThanOrEqualTo(Duration.ofSeconds(60)));

        transport.set("k", "w", null);
        assertThat(transport.timeToLive("k")).isEmpty();
        assertThat(transport.get("k")).contains("w");
        assertThat(transport.timeToLive("missing")).isEmpty();
    }

    @Test
    void setIfAbsentLetsExactlyOneOwnerWin() throws Exception {
        int contenders = 8;
        CountDownLatch go = new CountDownLatch(1);
        List<Future<Boolean>> attempts = new ArrayList<>();
        for (int i = 0; i < contenders; i++) {
            String owner = "owner-" + i;
            attempts.add(threads.submit(() -> {
                go.await();
                return transport.setIfAbsent("lock", owner, Duration.ofSeconds(60));
            }));
        }
        go.countDown();

        List<String> winners = new ArrayList<>();
        for (int i = 0; i < contenders; i++) {
            if (attempts.get(i).get(PATIENCE.toMillis(), TimeUnit.MILLISECONDS)) {
                winners.add("owner-" + i);
            }
        }
        assertThat(winners).hasSize(1);
        assertThat(transport.get("lock")).contains(winners.get(0));
        assertThat(transport.timeToLive("lock")).isPresent();
    }

    @Test
    void setIfAbsentBatchReportsPerKey() {
        transport.set("taken", "someone", null);

        List<Boolean> acquired = transport.setIfAbsent(List.of("free-1", "taken", "free-2"), "me",
                Duration.ofSeconds(60));

        assertThat(acquired).containsExactly(true, false, true);
        assertThat(transport.getAll(List.of("free-1", "taken", "free-2")))
                .containsExactly(Optional.of("me"), Optional.of("someone"), Optional.of("me"));
        assertThat(transport.timeToLive("free-1")).isPresent();
        assertThat(transport.timeToLive("taken")).isEmpty();
    }

    @Test
    void extendIfOwnerRenewsOnlyTheOwnersKeys() {
        transport.setIfAbsent(List.of("mine"), "me", Duration.ofSeconds(60));
        transport.set("theirs", "them", Duration.ofSeconds(60));

        List<Boolean> extended = transport.extendIfOwner(List.of("mine", "theirs", "missing"), "me",
                Duration.ofSeconds(600));

        assertThat(extended).containsExactly(true, false, false);
        assertThat(transport.timeToLive("mine")).hasValueSatisfying(ttl ->
                assertThat(ttl).isGreaterThan(Duration.ofSeconds(300)));
        assertThat(transport.timeToLive("theirs")).hasValueSatisfying(ttl ->
                assertThat(ttl).isLessThanOrEqualTo(Duration.ofSeconds(60)));
        assertThat(transport.get("missing")).isEmpty();
        assertThat(transport.extendIfOwner("theirs", "me", Duration.ofSeconds(600))).isFalse();
        assertThat(transport.extendIfOwner("theirs", "them", Duration.ofSeconds(600))).isTrue();
    }

    @Test
    void deleteIfOwnerDeletesOnlyTheOwnersKeys() {
        transport.set("mine", "me", Duration.ofSeconds(60));
        transport.set("theirs", "them", Duration.ofSeconds(60));

        assertThat(transport.deleteIfOwner("theirs", "me")).isFalse();
        assertThat(transport.deleteIfOwner(List.of("mine", "theirs", "missing"), "me"))
                .containsExactly(true, false, false);

        assertThat(transport.get("mine")).isEmpty();
        assertThat(transport.get("theirs")).contains("them");
    }

    // --------------------------------------------------------- fenced commands

    @Test
    void incrementCountsUpFromZero() {
        assertThat(transport.increment("epoch")).isEqualTo(1);
        assertThat(transport.increment("epoch")).isEqualTo(2);
        assertThat(transport.get("epoch")).contains("2");
    }

    /**
     * How full the server's memory is: nothing for a transport without a server, else each
     * server once, named, with what it uses (its limit and policy as it has them).
     */
    @Test
    void serverMemoryNamesEachServerOnceWithWhatItUses() {
        List<ServerMemory> memory = transport.serverMemory();

        assertThat(memory).extracting(ServerMemory::server).doesNotHaveDuplicates();
        assertThat(memory).allSatisfy(m -> {
            assertThat(m.server()).isNotBlank();
            assertThat(m.usedBytes()).isPositive();
            assertThat(m.maxBytes()).isNotNegative();
            assertThat(m.policy()).isNotBlank();
            assertThat(m.full()).isFalse();
        });
    }

    @Test
    void fencedReadReadsAsTheTokenAndGivesNothingOnceTheLockHoldsAnother() {
        List<String> ids = appendNumbered("s", 4);
        transport.createGroup(List.of("s"), "g", "0");
        transport.set("lock", "owner:2", Duration.ofSeconds(60));
        Fence current = new Fence("lock", "owner:2");
        Fence former = new Fence("lock", "owner:1");

        List<FencedRead.Result> late = transport.readGroupFenced("g", List.of(new FencedRead(former, "s", ">")), 2, null);

        assertThat(late).containsExactly(FencedRead.Result.NOT_HELD);
        assertThat(transport.readGroup("g", "owner:1", Map.of("s", "0-0"), 10, null).get("s"))
                .as("what the late read took is parked under its token").extracting(StreamEntry::id)
                .containsExactly(ids.get(0), ids.get(1));

        FencedRead.Result read = transport.readGroupFenced("g", List.of(new FencedRead(current, "s", ">")), 1, null).get(0);

        assertThat(read.held()).isTrue();
        assertThat(read.entries()).as("the parked entries first, then the new one, in id order")
                .extracting(StreamEntry::id).containsExactly(ids.get(0), ids.get(1), ids.get(2));
        assertThat(text(read.entries().get(1).fields().get("n"))).isEqualTo("1");
        assertThat(transport.readGroup("g", "owner:1", Map.of("s", "0-0"), 10, null)).as("claimed away").isEmpty();
        assertThat(transport.readGroup("g", "owner:2", Map.of("s", "0-0"), 10, null).get("s")).hasSize(3);
    }

    @Test
    void fencedReadClaimsWhatALateReadParkedBetweenTwoReadsBeforeAnyNewerEntry() {
        List<String> ids = appendNumbered("s", 6);
        transport.createGroup(List.of("s"), "g", "0");
        transport.set("lock", "new", Duration.ofSeconds(60));
        Fence fence = new Fence("lock", "new");
        assertThat(transport.readGroupFenced("g", List.of(new FencedRead(fence, "s", ">")), 2, null).get(0).entries())
                .extracting(StreamEntry::id).containsExactly(ids.get(0), ids.get(1));

        // A read a former owner sent long ago reaches the server now.
        transport.readGroup("g", "old", Map.of("s", ">"), 2, null);
        FencedRead.Result next = transport.readGroupFenced("g", List.of(new FencedRead(fence, "s", ">")), 2, null).get(0);

        assertThat(next.entries()).extracting(StreamEntry::id)
                .containsExactly(ids.get(2), ids.get(3), ids.get(4), ids.get(5));
        assertThat(transport.pendingCount("s", "g")).isEqualTo(6);
    }

    @Test
    void fencedReadOfEveryStreamOfOneTokenBlocksUntilAnEntryArrives() throws Exception {
        awaitNoBlockedClients();
        transport.createGroup(List.of("a", "b"), "g", "$");
        transport.set("lock-a", "t", Duration.ofSeconds(60));
        transport.set("lock-b", "t", Duration.ofSeconds(60));
        List<FencedRead> reads = List.of(new FencedRead(new Fence("lock-a", "t"), "a", ">"),
                new FencedRead(new Fence("lock-b", "t"), "b", ">"));
        long started = System.nanoTime();
        assertThat(transport.readGroupFenced("g", reads, 10, Duration.ofMillis(300)))
                .containsExactly(new FencedRead.Result(true, List.of()), new FencedRead.Result(true, List.of()));
        assertThat(elapsedSince(started)).isGreaterThanOrEqualTo(Duration.ofMillis(250));

        Future<List<FencedRead.Result>> read = threads.submit(() -> transport.readGroupFenced("g", reads, 10, LONG_BLOCK));
        awaitBlockedClients(1);
        String id = transport.append(new Append("b", null, fields("v", "new"), 0));

        List<FencedRead.Result> results = read.get(PATIENCE.toMillis(), TimeUnit.MILLISECONDS);
        assertThat(results.get(0).entries()).isEmpty();
        assertThat(results.get(1).entries()).extracting(StreamEntry::id).containsExactly(id);
    }

    @Test
    void fencedReadTakesTheStreamsOfOneTokenOnly() {
        assertThatThrownBy(() -> transport.readGroupFenced("g", List.of(new FencedRead(new Fence("l1", "a"), "s1", ">"),
                new FencedRead(new Fence("l2", "b"), "s2", ">")), 10, null)).isInstanceOf(IllegalArgumentException.class);
    }

    @Test
    void fencedReadOfATrimmedPendingEntryGivesItWithoutFields() {
        List<String> ids = appendNumbered("s", 2);
        transport.createGroup(List.of("s"), "g", "0");
        transport.set("lock", "t", Duration.ofSeconds(60));
        Fence fence = new Fence("lock", "t");
        transport.readGroupFenced("g", List.of(new FencedRead(fence, "s", ">")), 10, null);

        trimBehindTheTransport("s", 1);
        List<StreamEntry> pending = transport.readGroupFenced("g", List.of(new FencedRead(fence, "s", "0-0")), 10, null)
                .get(0).entries();

        assertThat(pending).extracting(StreamEntry::id).containsExactlyElementsOf(ids);
        assertThat(pending.get(0).fields()).isEmpty();
        assertThat(text(pending.get(1).fields().get("n"))).isEqualTo("1");
    }

    @Test
    void fencedReadWithoutTheGroupIsRefusedWithItsCode() {
        transport.set("lock", "t", Duration.ofSeconds(60));

        assertThatThrownBy(() -> transport.readGroupFenced("g",
                List.of(new FencedRead(new Fence("lock", "t"), "nothing-here", ">")), 10, null))
                .isInstanceOfSatisfying(CommandRejected.class, e -> assertThat(e.errorCode()).isEqualTo("NOGROUP"));
    }

    @Test
    void handingPendingEntriesOverMovesThemToTheSharedConsumer() {
        List<String> ids = appendNumbered("s", 3);
        transport.createGroup(List.of("s"), "g", "0");
        transport.set("lock", "t", Duration.ofSeconds(60));
        FencedRead stream = new FencedRead(new Fence("lock", "t"), "s", ">");
        transport.readGroupFenced("g", List.of(stream), 10, null);

        assertThat(transport.handOverPending("g", "1", List.of(new FencedRead(new Fence("lock", "x"), "s", ">"))))
                .containsExactly(false);
        assertThat(transport.handOverPending("g", "1", List.of(stream))).containsExactly(true);

        assertThat(transport.readGroup("g", "t", Map.of("s", "0-0"), 10, null)).isEmpty();
        assertThat(transport.readGroup("g", "1", Map.of("s", "0-0"), 10, null).get("s"))
                .extracting(StreamEntry::id).containsExactlyElementsOf(ids);
    }

    @Test
    void fencedAckCountsOnlyWhileTheLockHoldsTheToken() {
        List<String> ids = appendNumbered("s", 3);
        transport.createGroup(List.of("s"), "g", "0");
        transport.readGroup("g", "c", Map.of("s", ">"), 10, null);
        transport.set("lock", "new", Duration.ofSeconds(60));

        List<Boolean> held = transport.ackFenced("g", List.of(
                new FencedAck(new Fence("lock", "old"), "s", ids),
                new FencedAck(new Fence("lock", "new"), "s", List.of(ids.get(0)))));

        assertThat(held).containsExactly(false, true);
        assertThat(transport.pendingCount("s", "g")).as("only the holder's ack counted").isEqualTo(2);
    }

    @Test
    void fencedAckOfManyIdsGoesThrough() {
        List<String> ids = appendNumbered("s", 2500);
        transport.createGroup(List.of("s"), "g", "0");
        transport.readGroup("g", "c", Map.of("s", ">"), 0, null);
        transport.set("lock", "t", Duration.ofSeconds(60));

        assertThat(transport.ackFenced("g", List.of(new FencedAck(new Fence("lock", "t"), "s", ids)))).containsExactly(true);
        assertThat(transport.pendingCount("s", "g")).isZero();
    }

    /**
     * A durable append on a server without replicas appends, then reports that no replica
     * confirmed within the timeout, with the appended ids; bad arguments are refused first.
     */
    @Test
    void durableAppendWithoutReplicasAppendsAndSaysNoneConfirmed() {
        List<Append> appends = List.of(new Append("d", null, fields("n", "1"), 0), new Append("d", null, fields("n", "2"), 0));
        Throwable failure = catchFailure(() -> transport.appendDurably(appends, 1, Duration.ofMillis(100)));
        assertThat(failure).isInstanceOf(NotReplicated.class).hasMessageContaining("0 of 1 replicas");
        NotReplicated notReplicated = (NotReplicated) failure;
        assertThat(notReplicated.confirmed()).isZero();
        assertThat(notReplicated.ids()).hasSize(2);
        assertThat(transport.range("d", "-", "+", 10)).extracting(StreamEntry::id).isEqualTo(notReplicated.ids());
        assertThatThrownBy(() -> transport.appendDurably(appends, 0, Duration.ofMillis(100)))
                .isInstanceOf(IllegalArgumentException.class);
        assertThatThrownBy(() -> transport.appendDurably(appends, 1, Duration.ZERO))
                .isInstanceOf(IllegalArgumentException.class);
        assertThat(transport.length("d")).isEqualTo(2);
    }

    @Test
    void fencedAppendIsAllOrNothing() {
        transport.set("lock", "t", Duration.ofSeconds(60));
        List<Append> appends = List.of(new Append("dead", null, fields("a", "1", "b", "2"), 0),
                new Append("dead", null, fields("a", "3"), 100));

        assertThat(transport.appendFenced(new Fence("lock", "other"), appends)).isEmpty();
        assertThat(transport.length("dead")).isZero();

        Optional<List<String>> ids = transport.appendFenced(new Fence("lock", "t"), appends);
        assertThat(ids).hasValueSatisfying(list -> assertThat(list).hasSize(2));
        List<StreamEntry> stored = transport.range("dead", "-", "+", 10);
        assertThat(stored).extracting(StreamEntry::id).containsExactlyElementsOf(ids.get());
        assertThat(stored.get(0).fields().keySet()).containsExactly("a", "b");
        assertThat(text(stored.get(1).fields().get("a"))).isEqualTo("3");
    }

    // ------------------------------------------------------------------ commits

    @Test
    void aCommitIsFencedAndWritesItsAppendsStateAndAcksTogether() {
        List<String> ids = appendNumbered("s", 3);
        transport.createGroup(List.of("s"), "g", "0");
        transport.readGroup("g", "c", Map.of("s", ">"), 10, null);
        transport.set("lock", "t", Duration.ofSeconds(60));
        byte[] binary = {0, (byte) 0xff, (byte) 0xc3, 10};
        Commit commit = Commit.builder("s", "marker", "t:1")
                .ack(ids.subList(0, 2))
                .append(List.of(new Append("out", null, fields("n", "1"), 0), new Append("out", null, fields("n", "2"), 100)))
                .write(List.of(new Commit.StateWrite("state", "a", "1".getBytes(StandardCharsets.UTF_8)),
                        new Commit.StateWrite("state", "b", binary),
                        new Commit.StateWrite("state", "a", "2".getBytes(StandardCharsets.UTF_8))))
                .build();

        assertThat(transport.commitFenced(new Fence("lock", "other"), "g", commit)).isFalse();
        assertThat(transport.length("out")).isZero();
        assertThat(transport.hashValues("state", List.of("a", "b"))).containsExactly(Optional.empty(), Optional.empty());
        assertThat(transport.pendingCount("s", "g")).isEqualTo(3);

        assertThat(transport.commitFenced(new Fence("lock", "t"), "g", commit)).isTrue();
        assertThat(transport.range("out", "-", "+", 10)).extracting(e -> text(e.fields().get("n"))).containsExactly("1", "2");
        List<Optional<byte[]>> values = transport.hashValues("state", List.of("a", "b", "c"));
        assertThat(text(values.get(0).orElseThrow())).as("the later write of a field wins").isEqualTo("2");
        assertThat(values.get(1)).hasValueSatisfying(v -> assertThat(v).isEqualTo(binary));
        assertThat(values.get(2)).isEmpty();
        assertThat(transport.pendingCount("s", "g")).isEqualTo(1);

        // Sent again (its reply lost): the marker is there, nothing is written twice.
        assertThat(transport.commitFenced(new Fence("lock", "t"), "g", commit)).isTrue();
        assertThat(transport.length("out")).isEqualTo(2);

        Commit removal = Commit.builder("s", "marker", "t:2").ack(ids.subList(2, 3))
                .write(List.of(new Commit.StateWrite("state", "a", null))).build();
        assertThat(transport.commitFenced(new Fence("lock", "t"), "g", removal)).isTrue();
        assertThat(transport.hashValues("state", List.of("a", "b")).get(0)).isEmpty();
        assertThat(transport.pendingCount("s", "g")).isZero();
    }

    @Test
    void stateFieldsExpireBySortedSetReadAsAbsentOnceExpiredAndAreSweptByCommits() {
        appendNumbered("s", 1);
        transport.createGroup(List.of("s"), "g", "0");
        transport.set("lock", "t", Duration.ofSeconds(60));
        Commit first = Commit.builder("s", "marker", "t:1")
                .write(List.of(new Commit.StateWrite("state", "a", "1".getBytes(StandardCharsets.UTF_8)),
                        new Commit.StateWrite("state", "b", "2".getBytes(StandardCharsets.UTF_8)),
                        new Commit.StateWrite("state", "c", "3".getBytes(StandardCharsets.UTF_8)),
                        new Commit.StateWrite("state", "d", "4".getBytes(StandardCharsets.UTF_8))))
                .expire(List.of(new Commit.Expiry("ttl", "a", 1_000), new Commit.Expiry("ttl", "b", 2_000),
                        new Commit.Expiry("ttl", "c", 3_000)))
                .build();
        assertThat(transport.commitFenced(new Fence("lock", "t"), "g", first)).isTrue();

        List<Optional<StateValue>> at1500 = transport.stateValues("state", "ttl", List.of("a", "b", "d", "none"), 1_500);
        assertThat(at1500.get(0)).as("expired at 1000").isEmpty();
        assertThat(at1500.get(1)).hasValueSatisfying(v -> {
            assertThat(text(v.value())).isEqualTo("2");
            assertThat(v.expiresAt()).isEqualTo(2_000);
        });
        assertThat(at1500.get(2)).hasValueSatisfying(v -> assertThat(v.expiresAt()).as("no expiry").isZero());
        assertThat(at1500.get(3)).isEmpty();
        assertThat(transport.stateValues("state", "ttl", List.of(), 0)).isEmpty();

        // c no longer expires; a sweep at 2500 deletes a and b (due), with their expiries.
        Commit second = Commit.builder("s", "marker", "t:2")
                .expire(List.of(new Commit.Expiry("ttl", "c", 0)))
                .sweep(List.of(new Commit.Sweep("state", "ttl", 2_500, 100)))
                .build();
        assertThat(transport.commitFenced(new Fence("lock", "t"), "g", second)).isTrue();
        assertThat(transport.hashEntries("state").keySet()).containsExactlyInAnyOrder("c", "d");
        assertThat(transport.stateValues("state", "ttl", List.of("c"), Long.MAX_VALUE).get(0))
                .hasValueSatisfying(v -> assertThat(v.expiresAt()).isZero());

        // A sweep deletes at most its limit.
        List<Commit.StateWrite> many = new ArrayList<>();
        List<Commit.Expiry> soon = new ArrayList<>();
        for (int i = 0; i < 5; i++) {
            many.add(new Commit.StateWrite("state", "m" + i, "x".getBytes(StandardCharsets.UTF_8)));
            soon.add(new Commit.Expiry("ttl", "m" + i, 10));
        }
        assertThat(transport.commitFenced(new Fence("lock", "t"), "g",
                Commit.builder("s", "marker", "t:3").write(many).expire(soon).build())).isTrue();
        assertThat(transport.commitFenced(new Fence("lock", "t"), "g", Commit.builder("s", "marker", "t:4")
                .sweep(List.of(new Commit.Sweep("state", "ttl", 20, 3))).build())).isTrue();
        assertThat(transport.hashEntries("state")).hasSize(2 + 2);
    }

    @Test
    void hashEntriesReadsEveryFieldOfAHashPageByPage() {
        appendNumbered("s", 1);
        transport.createGroup(List.of("s"), "g", "0");
        transport.set("lock", "t", Duration.ofSeconds(60));
        byte[] binary = {0, (byte) 0xff, (byte) 0xc3, 10};
        List<Commit.StateWrite> writes = new ArrayList<>();
        for (int i = 0; i < 2500; i++) {
            writes.add(new Commit.StateWrite("state", "f" + i, Integer.toString(i).getBytes(StandardCharsets.UTF_8)));
        }
        writes.add(new Commit.StateWrite("state", "binary", binary));
        assertThat(transport.commitFenced(new Fence("lock", "t"), "g",
                Commit.builder("s", "marker", "t:1").write(writes).build())).isTrue();

        Map<String, byte[]> entries = transport.hashEntries("state");
        assertThat(entries).hasSize(2501);
        assertThat(text(entries.get("f1234"))).isEqualTo("1234");
        assertThat(entries.get("binary")).isEqualTo(binary);
        assertThat(transport.hashEntries("no-such-hash")).isEmpty();
    }

    @Test
    void aDurableCommitThatTooFewReplicasConfirmIsDoneAndSaysSo() {
        List<String> ids = appendNumbered("s", 2);
        transport.createGroup(List.of("s"), "g", "0");
        transport.readGroup("g", "c", Map.of("s", ">"), 10, null);
        transport.set("lock", "t", Duration.ofSeconds(60));
        Commit commit = Commit.builder("s", "marker", "t:1").ack(ids)
                .append(List.of(new Append("out", null, fields("n", "1"), 0)))
                .write(List.of(new Commit.StateWrite("state", "a", "1".getBytes(StandardCharsets.UTF_8))))
                .build();

        assertThat(transport.commitFencedDurably(new Fence("lock", "other"), "g", commit, 5, Duration.ofMillis(100)))
                .as("not fenced: nothing written, nothing waited for").isFalse();
        assertThat(transport.length("out")).isZero();
        // No fixture has 5 replicas per master.
        assertThatThrownBy(() -> transport.commitFencedDurably(new Fence("lock", "t"), "g", commit, 5,
                Duration.ofMillis(100)))
                .isInstanceOfSatisfying(NotReplicated.class, e -> {
                    assertThat(e.confirmed()).isLessThan(5);
                    assertThat(e.ids()).isEmpty();
                })
                .hasMessageContaining("a commit was done, but only").hasMessageContaining("of 5 replicas");
        assertThat(transport.length("out")).isEqualTo(1);
        assertThat(text(transport.hashValues("state", List.of("a")).get(0).orElseThrow())).isEqualTo("1");
        assertThat(transport.pendingCount("s", "g")).isZero();
        assertThatThrownBy(() -> transport.commitFencedDurably(new Fence("lock", "t"), "g", commit, 0,
                Duration.ofMillis(100))).isInstanceOf(IllegalArgumentException.class);
    }

    @Test
    void forwardingAppendsEachEntryOfASourceOnceWhoeverForwardsItAndHowOften() {
        List<StreamEntry> outbox = List.of(new StreamEntry("5-0", fields("n", "1")), new StreamEntry("5-1", fields("n", "2")),
                new StreamEntry("10-0", fields("n", "3")));

        assertThat(transport.forwardOnce("marks", "outbox-a", "target", 0, outbox.subList(0, 2))).isEqualTo(2);
        // A forwarder that read the outbox before, forwarding late; then one with the whole of it.
        assertThat(transport.forwardOnce("marks", "outbox-a", "target", 0, outbox.subList(0, 1))).isZero();
        assertThat(transport.forwardOnce("marks", "outbox-a", "target", 0, outbox)).isEqualTo(1);
        assertThat(transport.forwardOnce("marks", "outbox-a", "target", 0, outbox)).isZero();
        // Another source's entries are its own, whatever their ids.
        assertThat(transport.forwardOnce("marks", "outbox-b", "target", 0, outbox.subList(0, 1))).isEqualTo(1);
        assertThat(transport.range("target", "-", "+", 10)).extracting(e -> text(e.fields().get("n")))
                .containsExactly("1", "2", "3", "1");
        assertThat(transport.forwardOnce("marks", "outbox-a", "target", 0, List.of())).isZero();
    }

    @Test
    void aCommitRefusedForAKeyOfTheWrongTypeWritesNothing() {
        appendNumbered("s", 1);
        transport.createGroup(List.of("s"), "g", "0");
        transport.set("lock", "t", Duration.ofSeconds(60));
        transport.set("not-a-hash", "x", null);
        Commit commit = Commit.builder("s", "marker", "t:1")
                .append(List.of(new Append("out", null, fields("n", "1"), 0)))
                .write(List.of(new Commit.StateWrite("not-a-hash", "a", "1".getBytes(StandardCharsets.UTF_8))))
                .build();

        assertThatThrownBy(() -> transport.commitFenced(new Fence("lock", "t"), "g", commit))
                .isInstanceOf(CommandRejected.class);
        assertThat(transport.length("out")).as("checked before the first write").isZero();
        assertThat(transport.get("marker")).isEmpty();
    }

    // ------------------------------------------------------------------ parking

    private static final ParkingKeys PARKING = new ParkingKeys("s", "parked-s", "marks");

    private static ParkStep step(ParkStep.Mode mode, String key, String id, boolean replayed) {
        return new ParkStep(mode, key, id, replayed, fields("v", id, "parked_processor", "g", "parked_key", key,
                "parked_id", id));
    }

    /** Three pending entries of keys a, b, a, and the lock held by token t. */
    private List<String> threePendingEntries() {
        List<String> ids = transport.append(List.of(new Append("s", null, fields("v", "a1"), 0),
                new Append("s", null, fields("v", "b1"), 0), new Append("s", null, fields("v", "a2"), 0)));
        transport.createGroup(List.of("s"), "g", "0-0");
        transport.readGroup("g", "t", Map.of("s", ">"), 10, null);
        transport.set("lock", "t", Duration.ofSeconds(60));
        return ids;
    }

    @Test
    void parkingParksAFailedEventAndTheLaterOnesOfItsKeyOnly() {
        List<String> ids = threePendingEntries();
        Fence fence = new Fence("lock", "t");

        assertThat(transport.parkFenced(new Fence("lock", "stale"), "g", PARKING,
                List.of(step(ParkStep.Mode.FAIL, "a", ids.get(0), false)))).isEmpty();
        assertThat(transport.length("parked-s")).isZero();

        assertThat(transport.parkFenced(fence, "g", PARKING, List.of(step(ParkStep.Mode.FAIL, "a", ids.get(0), false),
                step(ParkStep.Mode.FOLLOW, "b", ids.get(1), false), step(ParkStep.Mode.FOLLOW, "a", ids.get(2), false))))
                .contains(List.of(ParkStep.Outcome.PARKED, ParkStep.Outcome.PROCESS, ParkStep.Outcome.PARKED));

        assertThat(transport.range("parked-s", "-", "+", 10)).extracting(e -> text(e.fields().get("v")))
                .containsExactly(ids.get(0), ids.get(2));
        assertThat(transport.pendingCount("s", "g")).isEqualTo(1);
        assertThat(transport.getHash("marks")).containsExactly(Map.entry("a", "parked"));
    }

    @Test
    void replayResendsAKeysParkedEventsInOrderAndItsLastOneEndsTheParking() {
        List<String> ids = threePendingEntries();
        Fence fence = new Fence("lock", "t");
        transport.parkFenced(fence, "g", PARKING, List.of(step(ParkStep.Mode.FAIL, "a", ids.get(0), false),
                step(ParkStep.Mode.FOLLOW, "a", ids.get(2), false)));

        assertThat(transport.releaseParked(PARKING, "g", "a", true)).isEqualTo(2);

        List<StreamEntry> resent = transport.range("s", "(" + ids.get(2), "+", 10);
        assertThat(resent).hasSize(2);
        assertThat(resent.get(0).fields().keySet()).containsExactly("v", "replay_for", "replay_key", "replay_of");
        assertThat(resent).extracting(e -> text(e.fields().get("replay_of"))).containsExactly(ids.get(0), ids.get(2));
        assertThat(text(resent.get(0).fields().get("replay_for"))).isEqualTo("g");
        assertThat(transport.length("parked-s")).isZero();
        String last = resent.get(1).id();
        assertThat(transport.getHash("marks")).containsExactly(Map.entry("a", "replaying " + last));

        // An event of the key added before the re-sends parks again; the re-sends go through.
        assertThat(transport.parkFenced(fence, "g", PARKING, List.of(step(ParkStep.Mode.FOLLOW, "a", ids.get(1), false),
                step(ParkStep.Mode.FOLLOW, "a", resent.get(0).id(), true), step(ParkStep.Mode.FOLLOW, "a", last, true))))
                .contains(List.of(ParkStep.Outcome.PARKED, ParkStep.Outcome.PROCESS, ParkStep.Outcome.PROCESS_LAST));
        assertThat(transport.parkFenced(fence, "g", PARKING, List.of(step(ParkStep.Mode.FINISH, "a", last, true))))
                .contains(List.of(ParkStep.Outcome.PARKED));
        assertThat(transport.getHash("marks")).containsExactly(Map.entry("a", "parked"));

        // Replayed again with nothing parked meanwhile, the key is released by its last re-send.
        assertThat(transport.releaseParked(PARKING, "g", "a", true)).isEqualTo(1);
        String again = transport.lastId("s");
        assertThat(transport.parkFenced(fence, "g", PARKING, List.of(step(ParkStep.Mode.FOLLOW, "a", again, true),
                step(ParkStep.Mode.FINISH, "a", again, true))))
                .contains(List.of(ParkStep.Outcome.PROCESS_LAST, ParkStep.Outcome.PROCESS));
        assertThat(transport.getHash("marks")).isEmpty();
        assertThat(transport.parkFenced(fence, "g", PARKING, List.of(step(ParkStep.Mode.FOLLOW, "a", "9999999999999-0", false))))
                .contains(List.of(ParkStep.Outcome.PROCESS));
    }

    @Test
    void droppingAParkedKeyDeletesItsEventsAndOnlyThose() {
        List<String> ids = threePendingEntries();
        transport.parkFenced(new Fence("lock", "t"), "g", PARKING, List.of(step(ParkStep.Mode.FAIL, "a", ids.get(0), false),
                step(ParkStep.Mode.FAIL, "b", ids.get(1), false)));

        assertThat(transport.releaseParked(PARKING, "g", "a", false)).isEqualTo(1);
        assertThat(transport.releaseParked(PARKING, "g", "a", false)).isEqualTo(-1);
        assertThat(transport.releaseParked(PARKING, "other", "b", true)).isZero();
        assertThat(transport.getHash("marks")).isEmpty();
        assertThat(transport.length("s")).isEqualTo(3);
    }

    @Test
    void appendOnceAppendsEachTokenOnceAndKeepsItsJournalForTheTtl() {
        List<Append> appends = List.of(new Append("s", null, fields("v", "1"), 0), new Append("s", null, fields("v", "2"), 0));

        List<String> first = transport.appendOnce("journal", Duration.ofSeconds(60), appends, List.of("d1", "d2"));
        List<String> again = transport.appendOnce("journal", Duration.ofSeconds(60), appends, List.of("d1", "d2"));

        assertThat(again).isEqualTo(first);
        assertThat(transport.range("s", "-", "+", 10)).extracting(StreamEntry::id).containsExactlyElementsOf(first);
        assertThat(transport.timeToLive("journal")).hasValueSatisfying(ttl -> assertThat(ttl).isPositive());
        assertThat(transport.deleteEntries("s", List.of(first.get(0), "1-1"))).isEqualTo(1);
        assertThat(transport.length("s")).isEqualTo(1);
    }

    @Test
    void fencedSetExtendAndReleaseActOnlyForTheTokenHolder() {
        transport.set("lock-1", "t1", Duration.ofSeconds(60));
        transport.set("lock-2", "t2", Duration.ofSeconds(60));
        Fence one = new Fence("lock-1", "t1");
        Fence stale = new Fence("lock-2", "t1");

        assertThat(transport.setFenced(stale, "mark", "x")).isFalse();
        assertThat(transport.get("mark")).isEmpty();
        assertThat(transport.setFenced(one, "mark", "x")).isTrue();
        assertThat(transport.get("mark")).contains("x");
        assertThat(transport.timeToLive("mark")).isEmpty();

        assertThat(transport.extendFenced(List.of(one, stale, new Fence("lock-2", "t2")), Duration.ofSeconds(600)))
                .containsExactly(true, false, true);
        assertThat(transport.timeToLive("lock-1")).hasValueSatisfying(ttl -> assertThat(ttl).isGreaterThan(Duration.ofSeconds(300)));

        assertThat(transport.releaseFenced(List.of(stale, one))).containsExactly(false, true);
        assertThat(transport.get("lock-1")).isEmpty();
        assertThat(transport.get("lock-2")).contains("t2");
    }

    @Test
    void lockExpiresAfterItsTtl() {
        assertThat(transport.setIfAbsent("lock", "me", Duration.ofMillis(200))).isTrue();

        await().atMost(PATIENCE).pollInterval(Duration.ofMillis(20))
                .until(() -> transport.get("lock").isEmpty());

        assertThat(transport.setIfAbsent("lock", "you", Duration.ofSeconds(60))).isTrue();
        assertThat(transport.extendIfOwner("lock", "me", Duration.ofSeconds(60))).isFalse();
    }

    @Test
    void timesToLiveMustBePositiveAndRoundUpToWholeMilliseconds() {
        assertThatThrownBy(() -> transport.set("k", "v", Duration.ZERO)).isInstanceOf(IllegalArgumentException.class);
        assertThatThrownBy(() -> transport.setIfAbsent("k", "v", Duration.ofMillis(-5)))
                .isInstanceOf(IllegalArgumentException.class);
        assertThatThrownBy(() -> transport.extendIfOwner(List.of(), "v", Duration.ZERO))
                .as("checked even with no keys").isInstanceOf(IllegalArgumentException.class);
        assertThatThrownBy(() -> transport.extendIfOwner("k", "v", null)).isInstanceOf(NullPointerException.class);

        // PX 0 would be refused: a nanosecond must round up to a millisecond.
        transport.set("k", "v", Duration.ofNanos(1));
        assertThat(transport.setIfAbsent("lock", "me", null)).as("NX without expiry").isTrue();
        assertThat(transport.timeToLive("lock")).isEmpty();
    }

    // --------------------------------------------------------------- lifecycle

    @Test
    void callsAfterCloseFail() {
        Transport closed = openTransport(serverUrl());
        closed.close();

        assertThatThrownBy(() -> closed.get("k")).isInstanceOf(TransportException.class);
        assertThatThrownBy(() -> closed.set("k", "v", null)).isInstanceOf(TransportException.class);
        assertThatThrownBy(() -> closed.append(new Append("s", null, fields("v", "x"), 0)))
                .isInstanceOf(TransportException.class);
        assertThatThrownBy(() -> closed.readGroup("g", "c", Map.of("s", ">"), 10, Duration.ofMillis(100)))
                .isInstanceOf(TransportException.class);
        assertThatThrownBy(() -> closed.setIfAbsent("k", "v", Duration.ofSeconds(1)))
                .isInstanceOf(TransportException.class);
        assertThatCode(closed::close).as("closing twice").doesNotThrowAnyException();
    }

    @Test
    void closeEndsABlockedRead() throws Exception {
        awaitNoBlockedClients();
        Transport closing = openTransport(serverUrl());
        try {
            closing.createGroup(List.of("s"), "g", "$");
            Future<Map<String, List<StreamEntry>>> read =
                    threads.submit(() -> closing.readGroup("g", "c", Map.of("s", ">"), 10, LONG_BLOCK));
            awaitBlockedClients(1);

            closing.close();

            assertThatThrownBy(() -> read.get(PATIENCE.toMillis(), TimeUnit.MILLISECONDS))
                    .isInstanceOf(ExecutionException.class)
                    .hasCauseInstanceOf(TransportException.class);
        } finally {
            closing.close();
        }
    }

    @Test
    void failuresNeverRevealThePassword() {
        String secret = "s3cret";

        Throwable failure = failureCarryingSecret(secret);

        assertThat(failure).isInstanceOf(TransportException.class);
        assertThat(failure.getMessage()).doesNotContain(secret);
        assertThat(failure.toString()).doesNotContain(secret);
        StringWriter trace = new StringWriter();
        failure.printStackTrace(new PrintWriter(trace));
        assertThat(trace.toString()).as("stack trace with causes").doesNotContain(secret);
    }

    // -------------------------------------------------------------------- hooks

    /**
     * Makes the transport fail in a way whose error could mention a URL holding
     * {@code secret} as its password, and returns that failure. By default: connecting to a
     * server that is not there. A transport with no server to miss overrides it with another
     * failure (for example a refused command) on a URL that holds the secret.
     *
     * @param secret the password the URL holds, which no message may show
     * @return the failure, as thrown
     */
    protected Throwable failureCarryingSecret(String secret) {
        String url = "redis://user:" + secret + "@127.0.0.1:" + FreePort.find();
        return catchFailure(() -> {
            try (Transport unreachable = openTransport(url)) {
                unreachable.get("k");
            }
        });
    }

    /**
     * Takes entries away behind the transport's back, as an operator or another client
     * might: trims stream {@code key} to its newest {@code maxLen} entries, exactly. By
     * default {@code XTRIM key MAXLEN maxLen} on the server; a transport with no server
     * overrides it.
     *
     * @param key    the stream, as the test names it
     * @param maxLen how many entries to keep
     */
    protected void trimBehindTheTransport(String key, long maxLen) {
        redis.server().call("XTRIM", key, "MAXLEN", Long.toString(maxLen));
    }

    /**
     * Deletes one entry behind the transport's back: by default {@code XDEL key id}.
     *
     * @param key the stream, as the test names it
     * @param id  the entry's id
     */
    protected void deleteBehindTheTransport(String key, String id) {
        redis.server().call("XDEL", key, id);
    }
}
