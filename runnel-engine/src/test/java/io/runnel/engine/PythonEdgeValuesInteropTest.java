// SPDX-License-Identifier: Apache-2.0

package io.runnel.engine;

import io.runnel.api.ExceptionPolicy;
import io.runnel.api.Primitive;
import io.runnel.api.transport.Append;
import io.runnel.api.transport.StreamEntry;
import io.runnel.serde.json.JsonSerializer;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;

import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.time.Instant;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CopyOnWriteArrayList;

import static io.runnel.engine.HasherPythonInteropTest.PYTHON_PARTITION_OF_USER_1;
import static io.runnel.engine.HasherPythonInteropTest.Payment;
import static io.runnel.engine.HasherPythonInteropTest.snakeCase;
import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

/**
 * The values that do not cross the wire to and from Python runnel unchanged by themselves,
 * pinned with bytes as Python runnel writes them (the plain vectors are in
 * {@link HasherPythonInteropTest}). Made with python3 3.11 and the standard library, on
 * Python runnel's own code path, since runnel, orjson and aredis cannot be installed here:
 * <ul>
 *   <li>Python runnel's {@code JSONSerializer} (used when orjson is not installed):
 *       {@code json.dumps(record.dict(), default=lambda o: o.isoformat(), separators=(",", ":"))},
 *       which writes a non-finite float as the bare token {@code Infinity}, {@code -Infinity}
 *       or {@code NaN}, and an aware UTC datetime as {@code 2024-01-02T03:04:05+00:00}
 *       ({@code .123456} when it has microseconds).</li>
 *   <li>Its {@code FastJSONSerializer} ({@code orjson.dumps(record.dict())}, the default
 *       whenever orjson is installed, e.g. by {@code runnel[fast]}): the same compact bytes,
 *       except that orjson writes NaN and both infinities as {@code null} (documented orjson
 *       behaviour); it writes aware UTC datetimes with {@code +00:00} and microseconds only
 *       when non-zero, like {@code isoformat()}. The vector is the stdlib output with the
 *       non-finite value replaced by {@code None}.</li>
 *   <li>Primitive records: {@code {k.encode(): v for k, v in record.dict().items()}} handed
 *       to aredis's {@code XADD}, whose encoder writes an int or bool as {@code str(v)}
 *       ({@code 3}, {@code True}) and a float as {@code repr(v)} ({@code inf},
 *       {@code -inf}, {@code nan}). Python reads fields back through pydantic, which calls
 *       {@code float()} on the bytes: {@code float(b"Infinity")}, {@code float(b"-Infinity")}
 *       and {@code float(b"NaN")} are the values Java's spellings name (checked with python3).</li>
 *   <li>Partitions: {@code int(md5(repr(key).encode()).hexdigest(), 16) % 4}.</li>
 * </ul>
 */
@Tag("redis")
class PythonEdgeValuesInteropTest extends RedisBackedTest {
    /** Python: {@code Payment(user_id="user-1", seq=1, created_at=..., amount=float("inf"))} through orjson. */
    static final String ORJSON_INFINITY =
            "{\"user_id\":\"user-1\",\"seq\":1,\"created_at\":\"2024-01-02T03:04:05+00:00\",\"amount\":null}";
    /** The same record with seq 2, 3, 4 and amount inf, -inf, nan through Python's json module. */
    static final List<String> JSON_NON_FINITE = List.of(
            "{\"user_id\":\"user-1\",\"seq\":2,\"created_at\":\"2024-01-02T03:04:05+00:00\",\"amount\":Infinity}",
            "{\"user_id\":\"user-1\",\"seq\":3,\"created_at\":\"2024-01-02T03:04:05+00:00\",\"amount\":-Infinity}",
            "{\"user_id\":\"user-1\",\"seq\":4,\"created_at\":\"2024-01-02T03:04:05+00:00\",\"amount\":NaN}");
    /** seq 5, amount 1.5, {@code created_at=datetime(2024, 1, 2, 3, 4, 5, 123456, tzinfo=timezone.utc)}. */
    static final String JSON_MICROSECONDS =
            "{\"user_id\":\"user-1\",\"seq\":5,\"created_at\":\"2024-01-02T03:04:05.123456+00:00\",\"amount\":1.5}";

    /** Python: {@code class Reading(Record, primitive=True): sensor_id: str; value: float; low: float; error: float; count: int; ok: bool}. */
    @Primitive(fieldNames = Primitive.FieldNames.SNAKE_CASE)
    record Reading(String sensorId, double value, double low, float error, long count, boolean ok) {
    }

    /** {@code Reading(sensor_id="s-1", value=float("inf"), low=float("-inf"), error=float("nan"), count=3, ok=True)} as aredis writes it. */
    static final Map<String, String> PYTHON_READING = orderedMap(
            "sensor_id", "s-1", "value", "inf", "low", "-inf", "error", "nan", "count", "3", "ok", "True");
    static final Reading READING = new Reading("s-1", Double.POSITIVE_INFINITY, Double.NEGATIVE_INFINITY, Float.NaN, 3, true);
    /** Python: {@code int(md5(repr("s-1").encode()).hexdigest(), 16) % 4}. */
    static final int PYTHON_PARTITION_OF_S_1 = 3;

    record NullablePayment(String userId, int seq, Instant createdAt, Double amount) {
    }

    private static Map<String, String> orderedMap(String... namesAndValues) {
        Map<String, String> map = new LinkedHashMap<>();
        for (int i = 0; i < namesAndValues.length; i += 2) {
            map.put(namesAndValues[i], namesAndValues[i + 1]);
        }
        return map;
    }

    private static Map<String, byte[]> utf8(Map<String, String> fields) {
        Map<String, byte[]> bytes = new LinkedHashMap<>();
        fields.forEach((k, v) -> bytes.put(k, v.getBytes(StandardCharsets.UTF_8)));
        return bytes;
    }

    private static Map<String, String> text(StreamEntry entry) {
        Map<String, String> text = new LinkedHashMap<>();
        entry.fields().forEach((k, v) -> text.put(k, new String(v, StandardCharsets.UTF_8)));
        return text;
    }

    private App app(String prefix) {
        return apps.app(TestApps.uniqueName(prefix), b -> b.setting("default_hasher", "python"));
    }

    /** What a Python producer does: append to the partition its md5hash picks. */
    private static void appendJson(App app, String stream, String json) {
        app.transport().append(new Append("__strm:" + app.name() + "." + stream + "." + PYTHON_PARTITION_OF_USER_1, null,
                Map.of("data", json.getBytes(StandardCharsets.UTF_8)), 0));
    }

    /** Runs a worker until {@code processed} records were seen and one event went to dead letters; that letter. */
    private static Map<String, String> runUntilOneDeadLetter(App app, Stream<?> stream, List<?> seen, int processed) {
        Worker worker = app.worker().start();
        Stream<?> dead = stream.deadLetters();
        await().atMost(Duration.ofSeconds(30)).until(() -> seen.size() == processed
                && app.transport().length(dead.partitionKey(0)) == 1);
        worker.stop();
        assertThat(worker.failure()).isEmpty();
        return text(app.transport().range(dead.partitionKey(0), "-", "+", 10).get(0));
    }

    @Test
    void orjsons_null_for_a_double_fails_under_the_policy_and_the_events_behind_it_arrive_unchanged() {
        App app = app("pynull");
        Stream<Payment> payments = app.stream("payments", Payment.class, Payment::userId, o -> o.serializer(snakeCase()));
        List<Payment> seen = new CopyOnWriteArrayList<>();
        app.processor(payments, "proc", o -> o.exceptionPolicy(ExceptionPolicy.IGNORE).deadLetters(),
                events -> events.records().forEach(seen::add));
        appendJson(app, "payments", ORJSON_INFINITY);
        JSON_NON_FINITE.forEach(json -> appendJson(app, "payments", json));
        appendJson(app, "payments", JSON_MICROSECONDS);

        Map<String, String> letter = runUntilOneDeadLetter(app, payments, seen, 4);

        Instant created = Instant.parse("2024-01-02T03:04:05Z");
        assertThat(seen).containsExactly(
                new Payment("user-1", 2, created, Double.POSITIVE_INFINITY),
                new Payment("user-1", 3, created, Double.NEGATIVE_INFINITY),
                new Payment("user-1", 4, created, Double.NaN),
                new Payment("user-1", 5, Instant.parse("2024-01-02T03:04:05.123456Z"), 1.5));
        assertThat(letter.get("data")).isEqualTo(ORJSON_INFINITY);
        assertThat(letter.get("dead_error"))
                .contains("SerializationException")
                .contains("null cannot be a double")
                .contains("(at amount)");
    }

    @Test
    void orjsons_null_reads_as_null_into_a_boxed_double() {
        App app = app("pyboxed");
        Stream<NullablePayment> payments = app.stream("payments", NullablePayment.class, NullablePayment::userId,
                o -> o.serializer(snakeCase()));
        List<NullablePayment> seen = new CopyOnWriteArrayList<>();
        app.processor(payments, "proc", events -> events.records().forEach(seen::add));
        appendJson(app, "payments", ORJSON_INFINITY);

        Worker worker = app.worker().start();

        await().atMost(Duration.ofSeconds(30)).until(() -> seen.size() == 1);
        worker.stop();
        assertThat(worker.failure()).isEmpty();
        assertThat(seen).containsExactly(new NullablePayment("user-1", 1, Instant.parse("2024-01-02T03:04:05Z"), null));
    }

    @Test
    void a_python_primitive_record_with_inf_and_nan_arrives_as_the_same_doubles() {
        App app = app("pyprim");
        Stream<Reading> readings = app.stream("readings", Reading.class, Reading::sensorId);
        List<Reading> seen = new CopyOnWriteArrayList<>();
        app.processor(readings, "proc", events -> events.records().forEach(seen::add));
        app.transport().append(new Append("__strm:" + app.name() + ".readings." + PYTHON_PARTITION_OF_S_1, null,
                utf8(PYTHON_READING), 0));

        Worker worker = app.worker().start();

        await().atMost(Duration.ofSeconds(30)).until(() -> seen.size() == 1);
        worker.stop();
        assertThat(worker.failure()).isEmpty();
        assertThat(seen).containsExactly(READING);
    }

    @Test
    void a_python_none_in_a_primitive_record_fails_under_the_policy_and_the_next_reading_arrives() {
        App app = app("pyprimnone");
        Stream<Reading> readings = app.stream("readings", Reading.class, Reading::sensorId);
        List<Reading> seen = new CopyOnWriteArrayList<>();
        app.processor(readings, "proc", o -> o.exceptionPolicy(ExceptionPolicy.IGNORE).deadLetters(),
                events -> events.records().forEach(seen::add));
        // Python: count=None, which aredis writes as str(None).
        Map<String, String> none = new LinkedHashMap<>(PYTHON_READING);
        none.put("count", "None");
        String partition = "__strm:" + app.name() + ".readings." + PYTHON_PARTITION_OF_S_1;
        app.transport().append(new Append(partition, null, utf8(none), 0));
        app.transport().append(new Append(partition, null, utf8(PYTHON_READING), 0));

        Map<String, String> letter = runUntilOneDeadLetter(app, readings, seen, 1);

        assertThat(seen).containsExactly(READING);
        assertThat(letter).containsEntry("count", "None");
        assertThat(letter.get("dead_error"))
                .contains("SerializationException")
                .contains("field 'count' of Reading is not a valid long");
    }

    @Test
    void java_writes_primitive_fields_python_reads_as_the_same_values() {
        App app = app("pyprimout");
        Stream<Reading> readings = app.stream("readings", Reading.class, Reading::sensorId);

        readings.send(READING);

        List<StreamEntry> entries = app.transport().range(readings.partitionKey(PYTHON_PARTITION_OF_S_1), "-", "+", 10);
        assertThat(entries).hasSize(1);
        // Python's float() reads Infinity, -Infinity and NaN; pydantic reads "true" as True.
        assertThat(text(entries.get(0))).containsExactlyEntriesOf(orderedMap(
                "sensor_id", "s-1", "value", "Infinity", "low", "-Infinity", "error", "NaN", "count", "3", "ok", "true"));
    }

    @Test
    void java_writes_microseconds_for_python_and_nanoseconds_by_default() {
        App app = app("pymicros");
        Stream<Payment> forPython = app.stream("payments", Payment.class, Payment::userId,
                o -> o.serializer(JsonSerializer.forPython()));
        Stream<Payment> byDefault = app.stream("default", Payment.class, Payment::userId, o -> o.serializer(snakeCase()));
        Payment payment = new Payment("user-1", 5, Instant.parse("2024-01-02T03:04:05.123456789Z"), 1.5);

        forPython.send(payment);
        byDefault.send(payment);

        // Python reads both as datetime(2024, 1, 2, 3, 4, 5, 123456, tzinfo=timezone.utc): it
        // drops the digits beyond microseconds, so only the first says what a Python consumer sees.
        assertThat(text(app.transport().range(forPython.partitionKey(PYTHON_PARTITION_OF_USER_1), "-", "+", 1).get(0)))
                .containsExactly(Map.entry("data",
                        "{\"user_id\":\"user-1\",\"seq\":5,\"created_at\":\"2024-01-02T03:04:05.123456Z\",\"amount\":1.5}"));
        assertThat(text(app.transport().range(byDefault.partitionKey(PYTHON_PARTITION_OF_USER_1), "-", "+", 1).get(0)))
                .containsExactly(Map.entry("data",
                        "{\"user_id\":\"user-1\",\"seq\":5,\"created_at\":\"2024-01-02T03:04:05.123456789Z\",\"amount\":1.5}"));
    }
}
