// SPDX-License-Identifier: Apache-2.0

package io.runnel.engine;

import io.runnel.api.transport.Fence;
import io.runnel.api.transport.PartlyAnswered;
import io.runnel.api.transport.Transport;
import io.runnel.api.transport.TransportException;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;

import java.util.Arrays;
import java.util.List;
import java.util.concurrent.TimeUnit;

import static io.runnel.engine.TestApps.Order;
import static org.assertj.core.api.Assertions.assertThat;

/**
 * Lock extension when only some of a cluster's masters answer: the locks whose masters
 * answered are renewed or reported lost, the others wait for the next heartbeat.
 */
@Tag("redis")
class PartitionLocksTest extends RedisBackedTest {

    @Test
    void an_extension_answered_in_part_renews_and_loses_what_was_answered_and_leaves_the_rest() {
        App app = apps.app(TransportKind.MEMORY, TestApps.uniqueName("locks"), b -> { });
        Stream<Order> orders = app.stream("orders", Order.class, Order::key);
        app.processor(orders, "proc", events -> { });
        TransportException down = new TransportException("master 127.0.0.1:7002 is down");
        Transport partly = Intercepted.method(app.transport(), "extendFenced", (args, proceed) -> {
            throw new PartlyAnswered(down.getMessage(), Arrays.asList(true, false, null), down);
        });
        PartitionLocks locks = new PartitionLocks(app.processor("proc"), partly, "exec-1");
        long lifetime = TimeUnit.SECONDS.toNanos(10);
        long longAgo = System.nanoTime() - 2 * lifetime;
        List<Lease> leases = List.of(0, 1, 2).stream()
                .map(p -> new Lease(p, orders.partitionKey(p), new Fence("lock" + p, "exec-1:1"), longAgo, lifetime))
                .toList();
        assertThat(leases).noneMatch(Lease::valid);

        PartitionLocks.Extension extension = locks.extend(leases);

        assertThat(leases.get(0).valid()).as("answered: still held, renewed").isTrue();
        assertThat(extension.lost()).containsExactly(leases.get(1));
        assertThat(leases.get(2).valid()).as("unanswered: left to run out").isFalse();
        assertThat(extension.unanswered().orElseThrow()).isInstanceOf(PartlyAnswered.class);
    }
}
