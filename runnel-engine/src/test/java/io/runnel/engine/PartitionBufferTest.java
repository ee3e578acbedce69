// SPDX-License-Identifier: Apache-2.0

package io.runnel.engine;

import io.runnel.api.transport.Fence;
import io.runnel.api.transport.StreamEntry;
import org.junit.jupiter.api.Test;

import java.nio.charset.StandardCharsets;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;

import static org.assertj.core.api.Assertions.assertThat;

/** What a partition's buffer tells the fetcher about how to read it next. */
class PartitionBufferTest {

    @Test
    void a_partition_counts_as_backlogged_only_after_a_read_that_succeeded_and_filled_its_count() {
        Lease lease = new Lease(0, "s", new Fence("lock", "t"), System.nanoTime(), TimeUnit.SECONDS.toNanos(30));
        PartitionBuffer buffer = new PartitionBuffer("orders", lease, 2, b -> { }, () -> { });
        assertThat(buffer.backlogged()).isFalse();

        assertThat(buffer.beginFetch()).isTrue();
        buffer.endFetch(List.of(entry("1-0"), entry("1-1")), true);
        assertThat(buffer.backlogged()).as("a read that filled its count of 2").isTrue();

        // A read that failed (its master down, say) puts the partition back to a read of its own slot.
        assertThat(buffer.beginFetch()).isTrue();
        buffer.endFetch(List.of(), false);
        assertThat(buffer.backlogged()).isFalse();

        assertThat(buffer.beginFetch()).isTrue();
        buffer.endFetch(List.of(entry("2-0"), entry("2-1")), true);
        assertThat(buffer.backlogged()).isTrue();
        drain(buffer);
        assertThat(buffer.beginFetch()).isTrue();
        buffer.endFetch(List.of(entry("3-0")), true);
        assertThat(buffer.backlogged()).as("a read that found fewer than its count").isFalse();
        drain(buffer);
        assertThat(buffer.beginFetch()).isTrue();
        buffer.endFetch(List.of(), true);
        assertThat(buffer.backlogged()).as("a read that found nothing").isFalse();
    }

    private static StreamEntry entry(String id) {
        return new StreamEntry(id, Map.of("data", id.getBytes(StandardCharsets.UTF_8)));
    }

    private static void drain(PartitionBuffer buffer) {
        while (buffer.poll() != null) {
            // taken
        }
    }
}
