// SPDX-License-Identifier: Apache-2.0

package io.runnel.engine;

import com.codahale.metrics.Meter;
import com.codahale.metrics.MetricRegistry;
import io.runnel.api.transport.Append;
import io.runnel.api.transport.Commit;
import io.runnel.api.transport.Fence;
import io.runnel.api.transport.StreamEntry;
import io.runnel.api.transport.Transport;
import io.runnel.api.transport.TransportException;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.params.ParameterizedTest;

import java.lang.reflect.InvocationTargetException;
import java.lang.reflect.Proxy;
import java.nio.charset.StandardCharsets;
import java.time.Clock;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.atomic.AtomicBoolean;

import static io.runnel.engine.TestApps.Order;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatCode;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

/** The acknowledger against a real server: what it keeps for a retry and what it gives up on. */
@Tag("redis")
class AckerTest extends RedisBackedTest {

    @ParameterizedTest
    @TransportKind.Every
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
        ProcessorMetrics metrics = new ProcessorMetrics(registry, Clock.systemUTC(), app.name(), orders.keys(), "proc",
                app::transport);
        Meter acked = registry.meter("runnel." + app.name() + ".proc.acked");
        Acker acker = new Acker(transport, "proc", metrics, Map.of(), lost::add);

        acker.add(lease(transport, 0, healthy, "t", LONG), healthyIds);
        acker.add(lease(transport, 1, broken, "t", LONG), brokenIds);

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

    @ParameterizedTest
    @TransportKind.Every
    void acks_under_a_token_the_lock_no_longer_holds_are_refused_by_the_server_and_reported(TransportKind kind) {
        App app = apps.app(kind, TestApps.uniqueName("acker"), b -> { });
        Stream<Order> orders = app.stream("orders", Order.class, Order::key);
        Transport transport = app.transport();
        String key = orders.partitionKey(0);
        List<String> ids = deliveredIds(transport, key, 3);
        Lease former = lease(transport, 0, key, "executor-a:1", LONG);
        transport.set(lockKey(key), "executor-b:2", Duration.ofSeconds(60)); // taken over meanwhile
        Acker acker = new Acker(transport, "proc", metrics(app, orders), Map.of(), lost::add);

        acker.add(former, ids);
        acker.flush();

        assertThat(transport.pendingCount(key, "proc")).as("the new owner's events stay pending").isEqualTo(3);
        assertThat(lost).containsExactly(former);
    }

    @ParameterizedTest
    @TransportKind.Memory
    void acks_of_a_lease_past_its_deadline_are_not_sent(TransportKind kind) {
        App app = apps.app(kind, TestApps.uniqueName("acker"), b -> { });
        Stream<Order> orders = app.stream("orders", Order.class, Order::key);
        Transport transport = app.transport();
        String key = orders.partitionKey(0);
        List<String> ids = deliveredIds(transport, key, 2);
        // The server would still take them (the lock holds the token), but this process can no
        // longer be sure no one else owns the partition: its lease ran out.
        Lease expired = lease(transport, 0, key, "t", Duration.ZERO);
        Acker acker = new Acker(transport, "proc", metrics(app, orders), Map.of(), lost::add);

        acker.add(expired, ids);
        acker.flush();

        assertThat(transport.pendingCount(key, "proc")).isEqualTo(2);
    }

    /**
     * A partition whose commit gets no answer (its Redis Cluster master is down) keeps it for a
     * retry, under its marker; the other partitions' commits go through meanwhile.
     */
    @ParameterizedTest
    @TransportKind.Every
    void a_commit_without_an_answer_waits_and_holds_back_no_other_partitions(TransportKind kind) {
        App app = apps.app(kind, TestApps.uniqueName("acker"), b -> { });
        Stream<Order> orders = app.stream("orders", Order.class, Order::key);
        app.processor(orders, "proc", ProcessorFunction.<Order>eachRecordWithContext((order, context) -> { }));
        Processor<?> proc = app.processor("proc");
        Transport real = app.transport();
        String healthy = orders.partitionKey(0);
        String unreachable = orders.partitionKey(1);
        AtomicBoolean down = new AtomicBoolean(true);
        Transport transport = (Transport) Proxy.newProxyInstance(Transport.class.getClassLoader(),
                new Class<?>[] {Transport.class}, (proxy, method, args) -> {
                    if (method.getName().equals("commitFenced") && down.get()
                            && ((Commit) args[2]).streamKey().equals(unreachable)) {
                        throw new TransportException("commit failed on redis://127.0.0.1:1: connection refused");
                    }
                    try {
                        return method.invoke(real, args);
                    } catch (InvocationTargetException e) {
                        throw e.getCause();
                    }
                });
        Acker acker = new Acker(transport, "proc", metrics(app, orders), Map.of(), lost::add);
        for (int p : new int[] {1, 0}) { // the unreachable one first: the acker sends in the order they came
            String key = orders.partitionKey(p);
            CommitBatch batch = new CommitBatch(PartitionCommit.of(proc, p, System::currentTimeMillis));
            deliveredIds(real, key, 2).forEach(id -> batch.add(id, DeliveryContext.Effects.NONE, 0));
            acker.commit(lease(real, p, key, "t:1", LONG), batch);
        }

        assertThatThrownBy(acker::flush).isInstanceOf(TransportException.class);
        assertThat(real.pendingCount(healthy, "proc")).as("committed although the other got no answer").isZero();
        assertThat(real.pendingCount(unreachable, "proc")).isEqualTo(2);

        down.set(false);
        acker.flush();
        assertThat(real.pendingCount(unreachable, "proc")).as("kept, and sent again").isZero();
        assertThat(lost).isEmpty();
    }

    private final List<Lease> lost = new CopyOnWriteArrayList<>();
    private static final Duration LONG = Duration.ofMinutes(1);

    /** A lease on the partition whose lock (keyed after its stream key) holds {@code token}. */
    private static Lease lease(Transport transport, int partition, String key, String token, Duration lifetime) {
        transport.set(lockKey(key), token, Duration.ofSeconds(60));
        return new Lease(partition, key, new Fence(lockKey(key), token), System.nanoTime(), lifetime.toNanos());
    }

    private static String lockKey(String streamKey) {
        return "lock-of-" + streamKey;
    }

    private static ProcessorMetrics metrics(App app, Stream<Order> orders) {
        return new ProcessorMetrics(new MetricRegistry(), Clock.systemUTC(), app.name(), orders.keys(), "proc", app::transport);
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
