package io.runnel.engine;

import com.codahale.metrics.Meter;
import com.codahale.metrics.MetricRegistry;
import io.runnel.api.transport.Append;
import io.runnel.api.transport.StreamEntry;
import io.runnel.api.transport.Transport;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.EnumSource;

import java.nio.charset.StandardCharsets;
import java.time.Clock;
import java.util.List;
import java.util.Map;

import static io.runnel.engine.TestApps.Order;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatCode;

/** The acknowledger against a real server: what it keeps for a retry and what it gives up on. */
class AckerTest extends RedisBackedTest {

    @ParameterizedTest
    @EnumSource(TransportKind.class)
    void acks_of_a_key_that_no_longer_holds_a_stream_are_dropped_and_the_others_go_through(TransportKind kind) {
        App app = apps.app(kind, TestApps.uniqueName("acker"), b -> { });
        Stream<Order> orders = app.stream("orders", Order.class, Order::key);
        Transport transport = app.transport();
        String healthy = orders.partitionKey(0);
        String broken = orders.partitionKey(1);
        List<String> healthyIds = deliveredIds(transport, healthy, 3);
        List<String> brokenIds = deliveredIds(transport, broken, 2);
        transport.set(broken, "not a stream any more", null);
        MetricRegistry registry = new MetricRegistry();
        ProcessorMetrics metrics = new ProcessorMetrics(registry, Clock.systemUTC(), app.name(), orders, "proc",
                app::transport);
        Meter acked = registry.meter("runnel." + app.name() + ".proc.acked");
        Acker acker = new Acker(transport, "proc", metrics, Map.of());

        acker.add(healthy, healthyIds);
        acker.add(broken, brokenIds);

        // Kept for a retry, the broken key's acks would be refused forever and hold back the rest.
        assertThatCode(acker::flush).doesNotThrowAnyException();
        assertThat(transport.pendingCount(healthy, "proc")).isZero();
        assertThat(acked.getCount()).isEqualTo(healthyIds.size());

        // Had the broken key's acks been kept, the next flush would send them now that it is a stream again.
        transport.delete(List.of(broken));
        transport.createGroup(List.of(broken), "proc", "0");
        acker.flush();
        assertThat(acked.getCount()).as("nothing was kept for a retry").isEqualTo(healthyIds.size());
    }

    /** Appends entries to a partition key and delivers them to group {@code proc}, unacknowledged. */
    private static List<String> deliveredIds(Transport transport, String key, int n) {
        transport.createGroup(List.of(key), "proc", "0");
        for (int i = 0; i < n; i++) {
            transport.append(new Append(key, null, Map.of("data", ("e" + i).getBytes(StandardCharsets.UTF_8)), 1000));
        }
        List<StreamEntry> read = transport.readGroup("proc", "c", Map.of(key, ">"), n, null).get(key);
        assertThat(transport.pendingCount(key, "proc")).isEqualTo(n);
        return read.stream().map(StreamEntry::id).toList();
    }
}
