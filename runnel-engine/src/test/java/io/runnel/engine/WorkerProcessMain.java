package io.runnel.engine;

import io.runnel.api.Primitive;

/**
 * A worker run as its own JVM by {@link ProcessCrashTest}. Settings come from RUNNEL_*
 * environment variables; args: app name, milliseconds of work per event. Every processed
 * order is recorded in the stream "seen" so the test can check what was processed.
 */
public final class WorkerProcessMain {

    /** What was processed, and by which JVM. */
    @Primitive
    public record Seen(String key, int seq, long pid) {
    }

    private WorkerProcessMain() {
    }

    static App define(String appName) {
        App app = App.create(appName);
        Stream<TestApps.Order> orders = app.stream("orders", TestApps.Order.class, TestApps.Order::key);
        app.stream("seen", Seen.class, Seen::key, o -> o.partitionCount(1));
        return app;
    }

    public static void main(String[] args) throws Exception {
        String appName = args[0];
        long workMillis = Long.parseLong(args[1]);
        App app = define(appName);
        @SuppressWarnings("unchecked")
        Stream<TestApps.Order> orders = (Stream<TestApps.Order>) app.streamNamed("orders");
        @SuppressWarnings("unchecked")
        Stream<Seen> seen = (Stream<Seen>) app.streamNamed("seen");
        long pid = ProcessHandle.current().pid();
        app.processor(orders, "proc", events -> {
            for (TestApps.Order order : events.records()) {
                if (workMillis > 0) {
                    Thread.sleep(workMillis);
                }
                seen.send(new Seen(order.key(), order.seq(), pid));
            }
        });
        System.out.println("worker starting in pid " + pid);
        app.run();
    }
}
