// SPDX-License-Identifier: Apache-2.0

package io.runnel.engine;

import com.fasterxml.jackson.databind.PropertyNamingStrategies;
import io.runnel.api.Compressor;
import io.runnel.api.transport.Append;
import io.runnel.api.transport.StreamEntry;
import io.runnel.serde.json.JsonSerializer;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;

import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.time.Instant;
import java.util.HexFormat;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CopyOnWriteArrayList;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

/**
 * The wire format shared with Python runnel, pinned: JSON in the field {@code data}
 * (optionally gzip-compressed), snake_case names, ISO-8601 date-times, and partitions by
 * {@link PythonHasher}. The Python side of each vector was produced with Python runnel's own
 * code path, standard library only: {@code json.dumps(record.dict(), default=isoformat,
 * separators=(",", ":"))} of
 * {@code {"user_id": "user-1", "seq": 1, "created_at": datetime(2024, 1, 2, 3, 4, 5, tzinfo=timezone.utc), "amount": 1.5}},
 * then {@code gzip.compress(..., mtime=0)}. The values that need care (non-finite floats,
 * orjson's nulls, microseconds, primitive records) are pinned in {@link PythonEdgeValuesInteropTest}.
 */
@Tag("redis")
class HasherPythonInteropTest extends RedisBackedTest {
    /** Python: {@code class Payment(Record): user_id: str; seq: int; created_at: datetime; amount: float}. */
    record Payment(String userId, int seq, Instant createdAt, double amount) {
    }

    static final Payment PAYMENT = new Payment("user-1", 1, Instant.parse("2024-01-02T03:04:05Z"), 1.5);
    /** What Python runnel's JSONSerializer writes for it (aware datetimes get "+00:00"). */
    static final String PYTHON_JSON =
            "{\"user_id\":\"user-1\",\"seq\":1,\"created_at\":\"2024-01-02T03:04:05+00:00\",\"amount\":1.5}";
    /** {@code gzip.compress(PYTHON_JSON, mtime=0)}, as Python runnel's Gzip compressor writes it. */
    static final String PYTHON_GZIP_HEX = "1f8b0800000000000203ab562a2d4e2d8acf4c51b202b3740d9574948a530b95ac0c7594928b5213"
            + "4b5253e2134b80b246064626ba0686ba06462106c65606265606a6da0606560606400d89b9f9a5794045867aa6b50064866cdd52000000";
    /** Python: {@code int(md5(repr("user-1").encode()).hexdigest(), 16) % 4}. */
    static final int PYTHON_PARTITION_OF_USER_1 = 1;

    /** The JSON serializer configured for Python's snake_case field names. */
    static JsonSerializer snakeCase() {
        return new JsonSerializer(JsonSerializer.defaultObjectMapper()
                .setPropertyNamingStrategy(PropertyNamingStrategies.SNAKE_CASE));
    }

    private Stream<Payment> payments(App app, Compressor compressor) {
        return app.stream("payments", Payment.class, Payment::userId, o -> {
            o.serializer(snakeCase());
            if (compressor != null) {
                o.compressor(compressor);
            }
        });
    }

    @Test
    void java_writes_what_python_runnel_reads() {
        String name = TestApps.uniqueName("pyout");
        App app = apps.app(name, b -> b.setting("default_hasher", "python"));
        Stream<Payment> payments = payments(app, null);

        payments.send(PAYMENT);

        String key = "__strm:" + name + ".payments." + PYTHON_PARTITION_OF_USER_1;
        assertThat(payments.partitionKey(PYTHON_PARTITION_OF_USER_1)).isEqualTo(key);
        List<StreamEntry> entries = app.transport().range(key, "-", "+", 10);
        assertThat(entries).hasSize(1);
        assertThat(entries.get(0).fields()).containsOnlyKeys("data");
        // Python's json.loads + pydantic read this: same names, ISO-8601 time (Z is UTC), numbers as numbers.
        assertThat(new String(entries.get(0).fields().get("data"), StandardCharsets.UTF_8))
                .isEqualTo("{\"user_id\":\"user-1\",\"seq\":1,\"created_at\":\"2024-01-02T03:04:05Z\",\"amount\":1.5}");
    }

    @Test
    void java_reads_what_python_runnel_writes_plain_and_gzipped() {
        String name = TestApps.uniqueName("pyin");
        App app = apps.app(name, b -> b.setting("default_hasher", "python"));
        Stream<Payment> plain = payments(app, null);
        Stream<Payment> gzipped = app.stream("gzipped", Payment.class, Payment::userId,
                o -> o.serializer(snakeCase()).compressor(new GzipCompressor()));
        // A Python producer appends to the partition its md5hash picks.
        app.transport().append(new Append("__strm:" + name + ".payments." + PYTHON_PARTITION_OF_USER_1, null,
                Map.of("data", PYTHON_JSON.getBytes(StandardCharsets.UTF_8)), 0));
        app.transport().append(new Append("__strm:" + name + ".gzipped." + PYTHON_PARTITION_OF_USER_1, null,
                Map.of("data", HexFormat.of().parseHex(PYTHON_GZIP_HEX)), 0));
        List<Payment> seen = new CopyOnWriteArrayList<>();
        app.processor(plain, "plain", events -> events.records().forEach(seen::add));
        app.processor(gzipped, "gzipped", events -> events.records().forEach(seen::add));

        Worker worker = app.worker().start();

        await().atMost(Duration.ofSeconds(30)).until(() -> seen.size() == 2);
        worker.stop();
        assertThat(worker.failure()).isEmpty();
        assertThat(seen).containsExactly(PAYMENT, PAYMENT);
    }
}
