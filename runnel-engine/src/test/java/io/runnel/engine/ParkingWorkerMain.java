// SPDX-License-Identifier: Apache-2.0

package io.runnel.engine;

import io.runnel.api.ExceptionPolicy;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Set;

/**
 * A worker run as its own JVM by {@link ParkCrashTest}: processor "proc" under the PARK
 * policy fails the events of {@link #FAILING} keys from seq {@link #FAIL_FROM} on while the
 * flag file exists. Settings come from RUNNEL_* environment variables; args: app name,
 * milliseconds of work per event, flag file. Every processed order is recorded in the
 * stream "seen", with the pid of the process.
 */
public final class ParkingWorkerMain {
    static final Set<String> FAILING = Set.of("key-0", "key-5", "key-10");
    static final int FAIL_FROM = 10;

    private ParkingWorkerMain() {
    }

    /** The app every process of the test defines the same way. */
    static App define(App.Builder builder, long workMillis, Path flag) {
        App app = builder.build();
        Stream<TestApps.Order> orders = app.stream("orders", TestApps.Order.class, TestApps.Order::key);
        Stream<WorkerProcessMain.Seen> seen = app.stream("seen", WorkerProcessMain.Seen.class,
                WorkerProcessMain.Seen::key, o -> o.partitionCount(1));
        long pid = ProcessHandle.current().pid();
        app.processor(orders, "proc", o -> o.exceptionPolicy(ExceptionPolicy.PARK), events -> {
            for (TestApps.Order order : events.records()) {
                if (workMillis > 0) {
                    Thread.sleep(workMillis);
                }
                if (FAILING.contains(order.key()) && order.seq() >= FAIL_FROM && Files.exists(flag)) {
                    throw new IllegalStateException("cannot take " + order.key() + "/" + order.seq());
                }
                seen.send(new WorkerProcessMain.Seen(order.key(), order.seq(), pid));
            }
        });
        return app;
    }

    public static void main(String[] args) throws Exception {
        App app = define(App.builder(args[0]), Long.parseLong(args[1]), Path.of(args[2]));
        System.out.println("worker starting in pid " + ProcessHandle.current().pid());
        app.run();
    }
}
