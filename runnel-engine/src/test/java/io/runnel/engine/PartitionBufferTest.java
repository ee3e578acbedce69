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
    void a_partition_counts_as_flowing_only_after_a_read_that_succeeded_and_found_events() {
        Lease lease = new Lease(0, "s", new Fence("lock", "t"), System.nanoTime(), TimeUnit.SECONDS.toNanos(30));
        PartitionBuffer buffer = new PartitionBuffer("orders", lease, 10, b -> { });
        assertThat(buffer.foundEvents()).isFalse();

        assertThat(buffer.beginFetch()).isTrue();
        buffer.endFetch(List.of(new StreamEntry("1-0", Map.of("data", "x".getBytes(StandardCharsets.UTF_8)))), true);
        assertThat(buffer.foundEvents()).isTrue();

        // A read that failed (its master down, say) puts the partition back to a read of its own slot.
        assertThat(buffer.beginFetch()).isTrue();
        buffer.endFetch(List.of(), false);
        assertThat(buffer.foundEvents()).isFalse();

        assertThat(buffer.beginFetch()).isTrue();
        buffer.endFetch(List.of(new StreamEntry("2-0", Map.of("data", "y".getBytes(StandardCharsets.UTF_8)))), true);
        assertThat(buffer.beginFetch()).isTrue();
        buffer.endFetch(List.of(), true);
        assertThat(buffer.foundEvents()).as("a read that found nothing").isFalse();
    }
}
