// SPDX-License-Identifier: Apache-2.0

package io.runnel.serde.avro;

import io.runnel.api.transport.StreamEntry;
import io.runnel.engine.App;
import io.runnel.engine.Stream;
import io.runnel.engine.Worker;
import io.runnel.testkit.FastCoordination;
import io.runnel.testkit.RedisExtension;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.extension.RegisterExtension;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;

import java.math.BigDecimal;
import java.time.Duration;
import java.util.HexFormat;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CopyOnWriteArrayList;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

/**
 * Every serializer with every compressor, on a real Redis: each combination round-trips,
 * and a record that evolved (v1 → v2: a component removed, three added) is read by the
 * other version in both directions, through two apps sharing the streams.
 */
@Tag("redis")
class SerializerCompressorMatrixTest {
    @RegisterExtension
    static RedisExtension redis = new RedisExtension();

    static java.util.stream.Stream<Arguments> combinations() {
        return java.util.stream.Stream.of("json", "avro").flatMap(serializer ->
                java.util.stream.Stream.of("none", "gzip", "lz4", "zstd").map(c -> Arguments.of(serializer, c)));
    }

    private static App app(String name, String serializer, String compressor) {
        App.Builder b = App.builder(name).environment(Map.of()).redisUrl(redis.url())
                .setting("default_serializer", serializer)
                .setting("default_partition_count", 2);
        FastCoordination.settings().forEach(b::setting);
        if (!compressor.equals("none")) {
            b.setting("default_compressor", compressor);
        }
        return b.build();
    }

    @ParameterizedTest(name = "{0} + {1}")
    @MethodSource("combinations")
    void every_combination_round_trips_and_evolves_both_ways(String serializer, String compressor) throws Exception {
        String name = "matrix-" + serializer + "-" + compressor + "-" + System.nanoTime();
        try (App oldApp = app(name, serializer, compressor); App newApp = app(name, serializer, compressor)) {
            Stream<io.runnel.serde.avro.v1.Order> oldOrders =
                    oldApp.stream("orders", io.runnel.serde.avro.v1.Order.class, io.runnel.serde.avro.v1.Order::id);
            Stream<io.runnel.serde.avro.v2.Order> newOrders =
                    newApp.stream("orders", io.runnel.serde.avro.v2.Order.class, io.runnel.serde.avro.v2.Order::id);
            List<io.runnel.serde.avro.v1.Order> seenByOld = new CopyOnWriteArrayList<>();
            List<io.runnel.serde.avro.v2.Order> seenByNew = new CopyOnWriteArrayList<>();
            oldApp.processor(oldOrders, "old-reader", events -> events.records().forEach(seenByOld::add));
            newApp.processor(newOrders, "new-reader", events -> events.records().forEach(seenByNew::add));

            oldOrders.send(new io.runnel.serde.avro.v1.Order("a", 1, "written by v1"));
            newOrders.send(new io.runnel.serde.avro.v2.Order("b", 2, new BigDecimal("9.990"), List.of("x", "y"), 7L));
            Worker oldWorker = oldApp.worker().start();
            Worker newWorker = newApp.worker().start();

            await().atMost(Duration.ofSeconds(30)).until(() -> seenByOld.size() == 2 && seenByNew.size() == 2);
            oldWorker.stop();
            newWorker.stop();
            assertThat(seenByOld).containsExactlyInAnyOrder(
                    new io.runnel.serde.avro.v1.Order("a", 1, "written by v1"),
                    new io.runnel.serde.avro.v1.Order("b", 2, null));
            assertThat(seenByNew).containsExactlyInAnyOrder(
                    new io.runnel.serde.avro.v2.Order("a", 1, null, null, 0L),
                    new io.runnel.serde.avro.v2.Order("b", 2, new BigDecimal("9.990"), List.of("x", "y"), 7L));
            assertThat(firstBytes(oldApp, oldOrders)).startsWith(expectedPrefix(serializer, compressor));
        }
    }

    /** The stored payload really went through the serializer and the compressor. */
    private static String expectedPrefix(String serializer, String compressor) {
        return switch (compressor) {
            case "gzip" -> "1f8b";
            case "lz4" -> "04224d18";
            case "zstd" -> "28b52ffd";
            default -> serializer.equals("avro") ? "c301" : "7b"; // single-object encoding / '{'
        };
    }

    private static String firstBytes(App app, Stream<?> stream) {
        try (io.runnel.api.transport.Transport transport = new io.runnel.redis.lettuce.LettuceTransportProvider()
                .open(io.runnel.api.transport.ConnectionUrl.parse(redis.url()))) {
            for (int p = 0; p < stream.partitionCount(); p++) {
                List<StreamEntry> entries = transport.range(stream.partitionKey(p), "-", "+", 1);
                if (!entries.isEmpty()) {
                    return HexFormat.of().formatHex(entries.get(0).fields().get("data"));
                }
            }
        }
        throw new AssertionError("no event stored");
    }
}
