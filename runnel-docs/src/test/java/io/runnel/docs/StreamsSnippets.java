// SPDX-License-Identifier: Apache-2.0

package io.runnel.docs;

import io.runnel.api.Compressor;
import io.runnel.api.Hasher;
import io.runnel.api.Serializer;
import io.runnel.compress.Lz4Compressor;
import io.runnel.engine.App;
import io.runnel.engine.Retention;
import io.runnel.engine.Stream;
import io.runnel.serde.json.JsonSerializer;
import org.junit.jupiter.api.Test;

import java.time.Duration;
import java.util.List;

import static org.assertj.core.api.Assertions.assertThat;

/** The snippets of docs/concepts/streams-and-retention.md, run against the in-memory transport. */
class StreamsSnippets {
    record Order(String customerId, long orderId) {
    }

    /** A hasher of the documentation's own: by the first letter of the key. */
    static final class FirstLetterHasher implements Hasher {
        @Override
        public String name() {
            return "first-letter";
        }

        @Override
        public int partition(Object key, int partitionCount) {
            return Math.floorMod(key.toString().charAt(0), partitionCount);
        }
    }

    @Test
    void defining_and_sending() {
        try (App app = App.builder("docs-streams").build()) {
            Serializer mySerializer = new JsonSerializer();
            Compressor myCompressor = new Lz4Compressor();
            Hasher myHasher = new FirstLetterHasher();
            Order order = new Order("ada", 1);
            Order a = new Order("ada", 2);
            Order b = new Order("ken", 3);
            Order c = new Order("linus", 4);
            // tag::streams[]
            // Partition by a key function or by a component name; options override the settings.
            Stream<Order> orders = app.stream("orders", Order.class, Order::customerId);
            Stream<Order> byName = app.stream("orders2", Order.class, "customerId", o -> o
                    .partitionCount(32)            // default_partition_count
                    .retention(Retention.Policy.ACKED) // default_retention: see Retention below
                    .maxPartitionSize(5_000_000)   // default_max_partition_size: a hard cap, 0 = none
                    .maxAge(Duration.ofDays(7))    // default_max_age: a hard limit by age, 0 = none
                    .partitionSize(100_000)        // MAXLEN ~ on each send, under the maxlen retention only
                    .serializer(mySerializer)      // structured records only
                    .compressor(myCompressor)
                    .hasher(myHasher));

            orders.send(order, "1700000000000-0");                // an explicit id, above the partition's last
            orders.send(order);                                   // one XADD
            orders.sendAll(List.of(a, b, c));                     // one pipelined round trip
            // end::streams[]
            assertThat(byName.partitionCount()).isEqualTo(32);
            assertThat(orders.partitionCount()).isEqualTo(16);
        }
    }
}
