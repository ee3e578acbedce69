// SPDX-License-Identifier: Apache-2.0

package io.runnel.cli;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.runnel.api.transport.Append;
import io.runnel.api.transport.Fence;
import io.runnel.api.transport.ParkStep;
import io.runnel.api.transport.ParkingKeys;
import io.runnel.api.transport.StreamEntry;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;

import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

/** {@code runnel dead list|replay|purge} and {@code runnel parked list|replay|drop}, run as processes. */
@Tag("redis")
@Tag("process")
class FailureCommandsTest extends CliTestBase {
    private static final String APP = ShopApp.class.getName();
    private static final ObjectMapper JSON = new ObjectMapper();
    private static final String DEAD = "__strm:shop.dead.orders.0";

    private static byte[] utf8(String s) {
        return s.getBytes(StandardCharsets.UTF_8);
    }

    private static String text(byte[] b) {
        return b == null ? null : new String(b, StandardCharsets.UTF_8);
    }

    /** Dead letters as the dead-letter middleware writes them: the event's fields, then where and why it failed. */
    private List<String> deadLetters(int count, String error) {
        // An order as the stream holds it: its encoded fields.
        ShopApp.Order order = new ShopApp.Order(1, "customer-1", 1, Instant.parse("2024-01-02T03:04:05Z"));
        int partition = orders().partitionOf(order);
        String sent = orders().send(order);
        Map<String, byte[]> encoded = redisView.range(orders().partitionKey(partition), sent, sent, 1).get(0).fields();
        List<Append> appends = new ArrayList<>();
        for (int i = 0; i < count; i++) {
            Map<String, byte[]> fields = new LinkedHashMap<>(encoded);
            fields.put("dead_failed_at", utf8("2024-01-02T03:04:06Z"));
            fields.put("dead_partition", utf8(Integer.toString(partition)));
            fields.put("dead_id", utf8("1700000000000-" + i));
            fields.put("dead_processor", utf8("printer"));
            fields.put("dead_error", utf8(error + ": order " + i));
            appends.add(new Append(DEAD, null, fields, 0));
        }
        return redisView.append(appends);
    }

    /** Every entry re-sent into the partitions so far, as {@code replay_of} values. */
    private List<String> resent() {
        List<String> replayed = new ArrayList<>();
        for (int p = 0; p < 4; p++) {
            for (StreamEntry e : redisView.range(orders().partitionKey(p), "-", "+", 0)) {
                if (e.fields().containsKey("replay_of")) {
                    assertThat(text(e.fields().get("replay_for"))).isEqualTo("printer");
                    replayed.add(text(e.fields().get("replay_of")));
                }
            }
        }
        return replayed;
    }

    @Test
    void dead_list_replay_and_purge_select_what_they_act_on() throws Exception {
        List<String> broken = deadLetters(3, "java.lang.IllegalStateException");
        List<String> undecodable = deadLetters(1, "io.runnel.api.SerializationException");

        CliProcess.Result list = cli.run("dead", "list", APP, "orders", "--json");
        assertThat(list.exit()).as(list.stderr()).isZero();
        JsonNode listed = JSON.readTree(list.stdout());
        assertThat(listed).hasSize(4);
        assertThat(listed.get(0).path("id").asText()).isEqualTo(broken.get(0));
        assertThat(listed.get(0).path("processor").asText()).isEqualTo("printer");

        CliProcess.Result dry = cli.run("dead", "replay", APP, "orders", "--error", "SerializationException", "--dry-run");
        assertThat(dry.exit()).as(dry.stderr()).isZero();
        assertThat(dry.stdout()).contains(undecodable.get(0)).contains("would replay 1 dead letter(s) (dry run)");
        assertThat(resent()).isEmpty();

        CliProcess.Result unknownId = cli.run("dead", "replay", APP, "orders", "--ids", "1-1");
        CliProcess.Result badId = cli.run("dead", "replay", APP, "orders", "--ids", "yesterday");
        CliProcess.Result badStream = cli.run("dead", "list", APP, "ordres");
        assertThat(unknownId.exit()).isEqualTo(2);
        assertThat(unknownId.stderr()).contains("no dead letter with id 1-1");
        assertThat(badId.exit()).isEqualTo(2);
        assertThat(badId.stderr()).contains("'yesterday' is not a stream id");
        assertThat(badStream.exit()).isEqualTo(2);
        assertThat(badStream.stderr()).contains("has no stream 'ordres'");
        assertThat(redisView.length(DEAD)).isEqualTo(4);

        CliProcess.Result replay = cli.run("dead", "replay", APP, "orders", "--error", "java.lang.IllegalStateException");
        assertThat(replay.exit()).as(replay.stderr()).isZero();
        assertThat(replay.stdout()).contains("replayed 3 dead letter(s)");
        assertThat(resent()).containsExactlyInAnyOrder("1700000000000-0", "1700000000000-1", "1700000000000-2");

        CliProcess.Result again = cli.run("dead", "replay", APP, "orders", "--error", "IllegalStateException");
        assertThat(again.exit()).as(again.stderr()).isZero();
        assertThat(again.stdout()).contains("no dead letters match; nothing to replay");

        CliProcess.Result purge = cli.run("dead", "purge", APP, "orders");
        assertThat(purge.exit()).as(purge.stderr()).isZero();
        assertThat(purge.stdout()).contains("purged 1 dead letter(s)");
        assertThat(redisView.length(DEAD)).isZero();
        assertThat(cli.run("dead", "list", APP, "orders").stdout()).contains("no dead letters in dead.orders");
        assertThat(resent()).hasSize(3);
    }

    @Test
    void a_dead_replay_killed_halfway_then_run_again_resends_every_entry_once() throws Exception {
        // Enough dead letters (400 chunks of re-send then delete) that a kill at the first
        // re-sends lands mid-way; they all go to the partition of customer-1.
        int count = 40_000;
        deadLetters(count, "java.lang.IllegalStateException");
        String target = orders().partitionKey(orders().partitionOf(
                new ShopApp.Order(1, "customer-1", 1, Instant.parse("2024-01-02T03:04:05Z"))));
        long before = redisView.length(target);

        CliProcess.Running first = cli.start("dead", "replay", APP, "orders");
        await().atMost(Duration.ofSeconds(60)).pollInterval(Duration.ofMillis(5))
                .until(() -> redisView.length(target) > before || !first.process().isAlive());
        first.process().destroyForcibly(); // SIGKILL, mid-replay
        first.process().waitFor(30, TimeUnit.SECONDS);
        assertThat(redisView.length(DEAD)).as("the first run was cut short").isPositive();

        CliProcess.Result second = cli.run("dead", "replay", APP, "orders");

        assertThat(second.exit()).as(second.stderr()).isZero();
        assertThat(redisView.length(DEAD)).isZero();
        List<String> replayed = resent();
        Map<String, Integer> times = new HashMap<>();
        replayed.forEach(id -> times.merge(id, 1, Integer::sum));
        assertThat(times).hasSize(count);
        assertThat(times.values()).as("each dead letter re-sent once").containsOnly(1);
    }

    @Test
    void parked_list_replay_and_drop_name_the_key() throws Exception {
        int partition = orders().partitionOf(new ShopApp.Order(0, "customer-1", 1, Instant.now()));
        String lock = "__lock:shop.orders.printer." + partition;
        redisView.set(lock, "token", Duration.ofSeconds(60));
        ParkingKeys keys = new ParkingKeys(orders().partitionKey(partition), "__strm:shop.parked.orders." + partition,
                "__park:shop.orders.printer." + partition);
        List<String> ids = orders().sendAll(List.of(new ShopApp.Order(1, "customer-1", 1, Instant.now()),
                new ShopApp.Order(2, "customer-1", 2, Instant.now())));
        List<ParkStep> steps = new ArrayList<>();
        for (String id : ids) {
            Map<String, byte[]> fields = new LinkedHashMap<>(redisView.range(keys.stream(), id, id, 1).get(0).fields());
            fields.put("parked_processor", utf8("printer"));
            fields.put("parked_key", utf8("customer-1"));
            fields.put("parked_id", utf8(id));
            fields.put("parked_at", utf8("2024-01-02T03:04:06Z"));
            steps.add(new ParkStep(ParkStep.Mode.FAIL, "customer-1", id, false, fields));
        }
        assertThat(redisView.parkFenced(new Fence(lock, "token"), "printer", keys, steps)).isPresent();

        CliProcess.Result list = cli.run("parked", "list", APP, "printer", "--json");
        assertThat(list.exit()).as(list.stderr()).isZero();
        JsonNode listed = JSON.readTree(list.stdout());
        assertThat(listed).hasSize(1);
        assertThat(listed.get(0).path("key").asText()).isEqualTo("customer-1");
        assertThat(listed.get(0).path("events").asInt()).isEqualTo(2);
        assertThat(cli.run("status", APP).stdout()).contains("parked keys (runnel parked list): customer-1");

        CliProcess.Result unknown = cli.run("parked", "replay", APP, "printer", "customer-2");
        CliProcess.Result badProcessor = cli.run("parked", "list", APP, "pinter");
        assertThat(unknown.exit()).isEqualTo(2);
        assertThat(unknown.stderr()).contains("processor printer has no parked key 'customer-2'");
        assertThat(badProcessor.exit()).isEqualTo(2);
        assertThat(badProcessor.stderr()).contains("has no processor 'pinter'");

        CliProcess.Result replay = cli.run("parked", "replay", APP, "printer", "customer-1");
        assertThat(replay.exit()).as(replay.stderr()).isZero();
        assertThat(replay.stdout()).contains("replaying 2 parked event(s) of key customer-1");
        assertThat(resent()).containsExactly(ids.get(0), ids.get(1));
        assertThat(redisView.getHash(keys.marks())).containsOnlyKeys("customer-1");

        CliProcess.Result drop = cli.run("parked", "drop", APP, "printer", "customer-1");
        assertThat(drop.exit()).as(drop.stderr()).isZero();
        assertThat(drop.stdout()).contains("dropped 0 parked event(s) of key customer-1");
        assertThat(cli.run("parked", "list", APP, "printer").stdout()).contains("processor printer has no parked keys");
    }
}
