// SPDX-License-Identifier: Apache-2.0

package io.runnel.cli;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.runnel.engine.Status;
import org.junit.jupiter.api.Test;

import java.time.Instant;
import java.util.List;
import java.util.Optional;
import java.util.OptionalLong;

import static org.assertj.core.api.Assertions.assertThat;

/** How `runnel status` shows a partition whose failure halted a worker, as tables and as JSON. */
class StatusRenderingTest {
    private static final Instant AT = Instant.parse("2026-12-04T10:00:00Z");
    private static final Status.Halted HALT = new Status.Halted(AT.minusSeconds(5), "worker-1",
            List.of("1700000000000-3"), "com.example.Poison", "poison 3");

    private static Status status() {
        List<Status.PartitionStatus> partitions = List.of(
                partition(0, Optional.empty()),
                partition(1, Optional.of(HALT)));
        return new Status("shop", AT, Optional.empty(),
                List.of(new Status.ProcessorStatus("printer", "orders", "acked", 3, List.of(), partitions)));
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
