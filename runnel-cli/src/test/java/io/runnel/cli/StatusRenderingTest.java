// SPDX-License-Identifier: Apache-2.0

package io.runnel.cli;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.runnel.api.transport.ServerMemory;
import io.runnel.engine.Status;
import org.junit.jupiter.api.Test;

import java.time.Instant;
import java.util.List;
import java.util.Optional;
import java.util.OptionalLong;

import static org.assertj.core.api.Assertions.assertThat;

/** How `runnel status` shows a partition whose failure halted a worker, and Redis's memory, as tables and as JSON. */
class StatusRenderingTest {
    private static final Instant AT = Instant.parse("2026-12-04T10:00:00Z");
    private static final Status.Halted HALT = new Status.Halted(AT.minusSeconds(5), "worker-1",
            List.of("1700000000000-3"), "com.example.Poison", "poison 3");

    private static final ServerMemory FULL = new ServerMemory("127.0.0.1:7001", 3 * 1_048_576L + 1, 3 * 1_048_576L,
            "noeviction");

    private static Status status() {
        return status(List.of(new ServerMemory("127.0.0.1:7000", 1_048_576, 0, "noeviction"), FULL));
    }

    private static Status status(List<ServerMemory> memory) {
        List<Status.PartitionStatus> partitions = List.of(
                partition(0, Optional.empty()),
                partition(1, Optional.of(HALT)));
        return new Status("shop", AT, Optional.empty(),
                List.of(new Status.ProcessorStatus("printer", "orders", "acked", 3, List.of(), partitions)), memory);
    }

    private static Status.PartitionStatus partition(int p, Optional<Status.Halted> halted) {
        return new Status.PartitionStatus(p, Optional.empty(), 10, 1, Optional.empty(), OptionalLong.of(9),
                Optional.empty(), 0, false, Optional.empty(), halted, List.of());
    }

    @Test
    void tablesShowAHaltedPartitionOnALineOfItsOwn() {
        String table = StatusTable.render(status());

        assertThat(table).contains("  partition 1 halted worker worker-1 at 2026-12-04T09:59:55Z on events "
                + "1700000000000-3: com.example.Poison: poison 3");
        assertThat(table).doesNotContain("partition 0 halted");
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
