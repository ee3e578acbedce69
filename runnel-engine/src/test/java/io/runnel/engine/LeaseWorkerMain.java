// SPDX-License-Identifier: Apache-2.0

package io.runnel.engine;

import io.runnel.api.transport.TransportException;
import org.slf4j.MDC;

import java.util.Set;

/**
 * A worker run as its own JVM by {@link FrozenWorkerTest}. Settings come from RUNNEL_*
 * environment variables; args: app name, milliseconds of work per event, and optionally a
 * max_in_flight above 1 for the per-record form. Each processed order goes to the stream
 * "seen" (as in {@link WorkerProcessMain}) before the work, and every hand-out and rebalance
 * callback is printed as one line:
 * <pre>
 * HANDOUT &lt;wall ms when the function asked for it&gt; &lt;consumer thread id&gt; &lt;partition&gt; &lt;key&gt; &lt;seq&gt; &lt;lease&gt;
 * ASSIGNED|REVOKED|LOST &lt;wall ms&gt; &lt;partitions&gt;
 * </pre>
 * A hand-out's time is taken just before the loop asks for the event, so it is no later than
 * the consumer's lease check for it. (Taken when the event arrived, a freeze between the check
 * and the clock reading would date a hand-out checked before the freeze after the resume.)
 * A partition's consumer thread lives for one ownership of the partition, so the thread id
 * tells which lease an event was handed out under. In the per-record form a hand-out is dated
 * when the handler begins (after the engine's lease check), its thread is the delivery's lane
 * (one per key at a time), and the lease is the MDC's.
 */
public final class LeaseWorkerMain {

    private LeaseWorkerMain() {
    }

    static App define(App.Builder builder, long workMillis) {
        return define(builder, workMillis, 1);
    }

    static App define(App.Builder builder, long workMillis, int maxInFlight) {
        App app = builder.build();
        Stream<TestApps.Order> orders = app.stream("orders", TestApps.Order.class, TestApps.Order::key);
        Stream<WorkerProcessMain.Seen> seen = app.stream("seen", WorkerProcessMain.Seen.class, WorkerProcessMain.Seen::key,
                o -> o.partitionCount(1));
        long pid = ProcessHandle.current().pid();
        RebalanceListener listener = new RebalanceListener() {
            @Override
            public void onPartitionsAssigned(String processor, Set<Integer> partitions) {
                print("ASSIGNED", partitions);
            }

            @Override
            public void onPartitionsRevoked(String processor, Set<Integer> partitions) {
                print("REVOKED", partitions);
            }

            @Override
            public void onPartitionsLost(String processor, Set<Integer> partitions) {
                print("LOST", partitions);
            }
        };
        if (maxInFlight > 1) {
            app.processor(orders, "proc", o -> o.rebalanceListener(listener).maxInFlight(maxInFlight),
                    ProcessorFunction.<TestApps.Order>eachRecord(order -> {
                        handedOut(System.currentTimeMillis(), orders.partitionOf(order), order);
                        record(seen, new WorkerProcessMain.Seen(order.key(), order.seq(), pid));
                        if (workMillis > 0) {
                            Thread.sleep(workMillis);
                        }
                    }));
            return app;
        }
        app.processor(orders, "proc", o -> o.rebalanceListener(listener), events -> {
            long askedAt = System.currentTimeMillis();
            for (TestApps.Order order : events.records()) {
                handedOut(askedAt, events.partition(), order);
                record(seen, new WorkerProcessMain.Seen(order.key(), order.seq(), pid));
                if (workMillis > 0) {
                    Thread.sleep(workMillis);
                }
                askedAt = System.currentTimeMillis(); // the loop asks for the next event right after this
            }
        });
        return app;
    }

    /** Sends the record, trying again while Redis is away (a restart): the record must not be lost. */
    private static void record(Stream<WorkerProcessMain.Seen> seen, WorkerProcessMain.Seen record)
            throws InterruptedException {
        for (int attempt = 0; ; attempt++) {
            try {
                seen.send(record);
                return;
            } catch (TransportException e) {
                if (attempt >= 600) {
                    throw e;
                }
                Thread.sleep(100);
            }
        }
    }

    private static void handedOut(long at, int partition, TestApps.Order order) {
        System.out.println("HANDOUT " + at + " " + Thread.currentThread().threadId() + " " + partition + " "
                + order.key() + " " + order.seq() + " " + MDC.get("lease"));
    }

    private static void print(String what, Set<Integer> partitions) {
        System.out.println(what + " " + System.currentTimeMillis() + " " + partitions.toString().replace(" ", ""));
    }

    public static void main(String[] args) throws Exception {
        App app = define(App.builder(args[0]), Long.parseLong(args[1]), args.length > 2 ? Integer.parseInt(args[2]) : 1);
        System.out.println("worker starting in pid " + ProcessHandle.current().pid());
        app.run();
    }
}
