// SPDX-License-Identifier: Apache-2.0

package io.runnel.bench;

import io.runnel.engine.App;
import io.runnel.engine.Worker;

import java.util.concurrent.atomic.LongAdder;
import java.util.stream.Collectors;

/**
 * The worker {@link Failover} runs in a child JVM and then SIGKILLs. Settings come from
 * {@code RUNNEL_*} variables; the only argument is the app name. It reports its owned
 * partitions and processed count on stdout ({@code STATUS owned=0,1 processed=42}) every
 * 20 ms, and exits when its stdin closes, so it never outlives a parent that died. On SIGTERM
 * it stops its worker gracefully and reports a last time, owning nothing.
 */
public final class FailoverChild {
    static final String STATUS = "STATUS";

    private FailoverChild() {
    }

    public static void main(String[] args) throws Exception {
        LongAdder processed = new LongAdder();
        App app = Failover.define(App.builder(args[0]), (partition, nanos) -> processed.increment());
        Worker worker = app.worker().start();
        // SIGTERM (RollingRestart): stop as a deploy would, then report the final count.
        Runtime.getRuntime().addShutdownHook(new Thread(() -> {
            worker.stop();
            System.out.println(STATUS + " owned= processed=" + processed.sum());
            System.out.flush();
        }));
        Thread.ofPlatform().daemon().name("stdin-watch").start(() -> {
            try {
                while (System.in.read() >= 0) {
                    // keep reading until the parent's end of the pipe closes
                }
            } catch (Exception ignored) {
                // same: the parent is gone
            }
            Runtime.getRuntime().halt(1);
        });
        while (true) {
            String owned = worker.ownedPartitions(Failover.PROCESSOR).stream().sorted().map(String::valueOf)
                    .collect(Collectors.joining(","));
            System.out.println(STATUS + " owned=" + owned + " processed=" + processed.sum());
            System.out.flush();
            Thread.sleep(20); // reporting interval
        }
    }
}
