// SPDX-License-Identifier: Apache-2.0

package io.runnel.cli;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.runnel.api.transport.ServerMemory;
import io.runnel.engine.Halted;
import io.runnel.engine.MemberStatus;
import io.runnel.engine.PartitionStatus;
import io.runnel.engine.Status;
import io.runnel.engine.StatusFixtures;
import org.junit.jupiter.api.Test;

import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.Optional;
import java.util.OptionalInt;
import java.util.OptionalLong;

import static org.assertj.core.api.Assertions.assertThat;

/** How `runnel status` shows a partition whose failure halted a worker, and Redis's memory, as tables and as JSON. */
class StatusRenderingTest {
    private static final Instant AT = Instant.parse("2026-12-04T10:00:00Z");
    private static final Halted HALT = StatusFixtures.halted(AT.minusSeconds(5), "worker-1",
            List.of("1700000000000-3"), "com.example.Poison", "poison 3");

    private static final ServerMemory FULL = new ServerMemory("127.0.0.1:7001", 3 * 1_048_576L + 1, 3 * 1_048_576L,
            "noeviction");

    private static Status status() {
        return status(List.of(new ServerMemory("127.0.0.1:7000", 1_048_576, 0, "noeviction"), FULL));
    }

    private static Status status(List<ServerMemory> memory) {
        List<PartitionStatus> partitions = List.of(
                partition(0, Optional.empty()),
                partition(1, Optional.of(HALT)));
        return StatusFixtures.status("shop", AT, Optional.empty(),
                List.of(StatusFixtures.processor("printer", "orders", "acked", 3, List.of(), partitions)), memory);
    }

    private static PartitionStatus partition(int p, Optional<Halted> halted) {
        return StatusFixtures.partition(p, Optional.empty(), 10, 1, Optional.empty(), OptionalLong.of(9),
                Optional.empty(), 0, false, Optional.empty(), halted, List.of());
    }

    /** Every field set and absent somewhere: members, an owner, ages, a stuck delivery, parked keys, a halt. */
    private static Status everything() {
        MemberStatus alive = StatusFixtures.member("w1-printer", AT.minusSeconds(90),
                Optional.of(Duration.ofMillis(1_250)), List.of(0, 1));
        MemberStatus dead = StatusFixtures.member("w2-printer", AT.minusSeconds(4_000), Optional.empty(),
                List.of());
        PartitionStatus owned = StatusFixtures.partition(0, Optional.of("w1-printer"), 42, 3,
                Optional.of(Duration.ofMillis(75_500)), OptionalLong.of(7), Optional.of(Duration.ofHours(2)), 5, false,
                Optional.of(AT.minusSeconds(30)), Optional.empty(), List.of("ada", "ken"), OptionalInt.of(12),
                Optional.of(Duration.ofMillis(3_500)));
        PartitionStatus poisoned = StatusFixtures.partition(1, Optional.empty(), 0, 0, Optional.empty(),
                OptionalLong.empty(), Optional.empty(), 0, true, Optional.empty(), Optional.of(HALT), List.of());
        return StatusFixtures.status("shop", AT, Optional.of("w1"),
                List.of(StatusFixtures.processor("printer", "orders", "maxlen 1000", 4, List.of(alive, dead),
                        List.of(owned, poisoned))), List.of(FULL));
    }

    @Test
    void jsonKeepsItsFormatByteForByte() {
        assertThat(StatusJson.render(everything()).replace(System.lineSeparator(), "\n")).isEqualTo("""
                {
                  "app" : "shop",
                  "at" : "2026-12-04T10:00:00Z",
                  "leader" : "w1",
                  "redis_memory" : [ {
                    "server" : "127.0.0.1:7001",
                    "used_bytes" : 3145729,
                    "max_bytes" : 3145728,
                    "policy" : "noeviction",
                    "full" : true
                  } ],
                  "processors" : [ {
                    "name" : "printer",
                    "stream" : "orders",
                    "retention" : "maxlen 1000",
                    "assignment_generation" : 4,
                    "members" : [ {
                      "executor" : "w1-printer",
                      "joined_at" : "2026-12-04T09:58:30Z",
                      "heartbeat_age_ms" : 1250,
                      "partitions" : [ 0, 1 ]
                    }, {
                      "executor" : "w2-printer",
                      "joined_at" : "2026-12-04T08:53:20Z",
                      "heartbeat_age_ms" : null,
                      "partitions" : [ ]
                    } ],
                    "partitions" : [ {
                      "partition" : 0,
                      "owner" : "w1-printer",
                      "length" : 42,
                      "pending" : 3,
                      "oldest_pending_age_ms" : 75500,
                      "lag" : 7,
                      "oldest_entry_age_ms" : 7200000,
                      "trimmed_unprocessed" : 5,
                      "poisoned" : false,
                      "stuck_since" : "2026-12-04T09:59:30Z",
                      "halted" : null,
                      "parked_keys" : [ "ada", "ken" ],
                      "in_flight" : 12,
                      "oldest_in_flight_age_ms" : 3500
                    }, {
                      "partition" : 1,
                      "owner" : null,
                      "length" : 0,
                      "pending" : 0,
                      "oldest_pending_age_ms" : null,
                      "lag" : null,
                      "oldest_entry_age_ms" : null,
                      "trimmed_unprocessed" : 0,
                      "poisoned" : true,
                      "stuck_since" : null,
                      "halted" : {
                        "at" : "2026-12-04T09:59:55Z",
                        "worker" : "worker-1",
                        "events" : [ "1700000000000-3" ],
                        "error" : "com.example.Poison",
                        "message" : "poison 3"
                      },
                      "parked_keys" : [ ],
                      "in_flight" : null,
                      "oldest_in_flight_age_ms" : null
                    } ]
                  } ]
                }
                """);
    }

    @Test
    void tablesShowAHaltedPartitionOnALineOfItsOwn() {
        String table = StatusTable.render(status());

        assertThat(table).contains("  partition 1 halted worker worker-1 at 2026-12-04T09:59:55Z on events "
                + "1700000000000-3: com.example.Poison: poison 3");
        assertThat(table).doesNotContain("partition 0 halted");
    }

    @Test
    void tablesShowWhatEachOwnerHasInFlight() {
        String table = StatusTable.render(everything());

        assertThat(table).contains("IN FLIGHT");
        assertThat(table.lines().filter(l -> l.startsWith("  0 ")).findFirst().orElseThrow())
                .endsWith("12, oldest " + StatusTable.age(Duration.ofMillis(3_500)));
        assertThat(table.lines().filter(l -> l.startsWith("  1 ")).findFirst().orElseThrow().strip()).endsWith("-");
    }

    @Test
    void tablesShowEachServersMemoryOrThatItIsUnknown() {
        String table = StatusTable.render(status());

        assertThat(table).contains("redis memory: 127.0.0.1:7000 used 1.0 MB, no maxmemory, noeviction" + System.lineSeparator());
        assertThat(table).contains("redis memory: 127.0.0.1:7001 used 3.0 MB of 3.0 MB (100 %), noeviction, over maxmemory");
        assertThat(StatusTable.render(status(List.of()))).contains("redis memory: unknown");
    }

    @Test
    void jsonGivesEachServersMemory() throws Exception {
        JsonNode memory = new ObjectMapper().readTree(StatusJson.render(status())).path("redis_memory");

        assertThat(memory).hasSize(2);
        assertThat(memory.get(1).path("server").asText()).isEqualTo("127.0.0.1:7001");
        assertThat(memory.get(1).path("used_bytes").asLong()).isEqualTo(FULL.usedBytes());
        assertThat(memory.get(1).path("max_bytes").asLong()).isEqualTo(FULL.maxBytes());
        assertThat(memory.get(1).path("policy").asText()).isEqualTo("noeviction");
        assertThat(memory.get(1).path("full").asBoolean()).isTrue();
        assertThat(memory.get(0).path("full").asBoolean()).isFalse();
    }

    @Test
    void jsonGivesTheHaltOrNull() throws Exception {
        JsonNode partitions = new ObjectMapper().readTree(StatusJson.render(status()))
                .path("processors").get(0).path("partitions");

        assertThat(partitions.get(0).path("halted").isNull()).isTrue();
        JsonNode halted = partitions.get(1).path("halted");
        assertThat(halted.path("at").asText()).isEqualTo("2026-12-04T09:59:55Z");
        assertThat(halted.path("worker").asText()).isEqualTo("worker-1");
        assertThat(halted.path("events").toString()).isEqualTo("[\"1700000000000-3\"]");
        assertThat(halted.path("error").asText()).isEqualTo("com.example.Poison");
        assertThat(halted.path("message").asText()).isEqualTo("poison 3");
    }
}
