package io.runnel.bench;

import io.runnel.api.RecordType;
import io.runnel.serde.json.JsonSerializer;
import org.openjdk.jmh.annotations.Benchmark;
import org.openjdk.jmh.annotations.BenchmarkMode;
import org.openjdk.jmh.annotations.Fork;
import org.openjdk.jmh.annotations.Measurement;
import org.openjdk.jmh.annotations.Mode;
import org.openjdk.jmh.annotations.OutputTimeUnit;
import org.openjdk.jmh.annotations.Scope;
import org.openjdk.jmh.annotations.Setup;
import org.openjdk.jmh.annotations.State;
import org.openjdk.jmh.annotations.Warmup;

import java.util.concurrent.TimeUnit;

/** JSON serialization of the benchmark {@link Order} through Runnel's {@link JsonSerializer}. */
@State(Scope.Benchmark)
@BenchmarkMode(Mode.AverageTime)
@OutputTimeUnit(TimeUnit.NANOSECONDS)
@Fork(1)
@Warmup(iterations = 5, time = 2)
@Measurement(iterations = 5, time = 1)
public class SerdeBenchmark {

    private JsonSerializer json;
    private RecordType<Order> type;
    private Order order;
    private byte[] bytes;
    private RecordType<EpochOrder> epochType;
    private byte[] epochBytes;

    /** {@link Order} with the timestamp as epoch millis instead of an {@code Instant}: isolates java.time parsing. */
    public record EpochOrder(long id, String customer, double amount, long atMillis) {}

    @Setup
    public void setup() {
        json = new JsonSerializer();
        type = RecordType.of(Order.class);
        order = Order.sample(123_456);
        bytes = json.serialize(type, order);
        epochType = RecordType.of(EpochOrder.class);
        epochBytes = json.serialize(epochType, new EpochOrder(order.id(), order.customer(), order.amount(),
                order.at().toEpochMilli()));
    }

    @Benchmark
    public byte[] jsonSerialize() {
        return json.serialize(type, order);
    }

    @Benchmark
    public Order jsonDeserialize() {
        return json.deserialize(type, bytes);
    }

    @Benchmark
    public EpochOrder jsonDeserializeEpochMillis() {
        return json.deserialize(epochType, epochBytes);
    }
}
