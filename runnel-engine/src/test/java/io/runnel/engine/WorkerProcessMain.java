// SPDX-License-Identifier: Apache-2.0

package io.runnel.engine;

import io.runnel.api.Primitive;

/**
 * A worker run as its own JVM by {@link ProcessCrashTest} and {@link ClusterFailoverTest}. Settings come from RUNNEL_*
 * environment variables; args: app name, milliseconds of work per event, and optionally a
 * max_in_flight above 1 for the per-record form. Every processed
 * order is recorded in the stream "seen" so the test can check what was processed, and by
 * which process.
 */
public final class WorkerProcessMain {

    /** What was processed, and by which JVM. */
    @Primitive
    public record Seen(String key, int seq, long pid) {
    }

    private WorkerProcessMain() {
    }

    /** The app every process of the test defines the same way. */
    static App define(App.Builder builder, long workMillis) {
        return define(builder, workMillis, 1);
    }

    /** The same app; with {@code maxInFlight} above 1, its processor is in the per-record form with that max_in_flight. */
    static App define(App.Builder builder, long workMillis, int maxInFlight) {
        App app = builder.build();
        Stream<TestApps.Order> orders = app.stream("orders", TestApps.Order.class, TestApps.Order::key);
        Stream<Seen> seen = app.stream("seen", Seen.class, Seen::key, o -> o.partitionCount(1));
        long pid = ProcessHandle.current().pid();
        if (maxInFlight > 1) {
            app.processor(orders, "proc", o -> o.maxInFlight(maxInFlight), ProcessorFunction.<TestApps.Order>eachRecord(order -> {
                if (workMillis > 0) {
                    Thread.sleep(workMillis);
                }
                seen.send(new Seen(order.key(), order.seq(), pid));
            }));
            return app;
        }
        app.processor(orders, "proc", events -> {
            for (TestApps.Order order : events.records()) {
                if (workMillis > 0) {
                    Thread.sleep(workMillis);
                }
                seen.send(new Seen(order.key(), order.seq(), pid));
            }
        });
        return app;
    }

    public static void main(String[] args) throws Exception {
        App app = define(App.builder(args[0]), Long.parseLong(args[1]), args.length > 2 ? Integer.parseInt(args[2]) : 1);
        System.out.println("worker starting in pid " + ProcessHandle.current().pid());
        app.run();
    }
}
