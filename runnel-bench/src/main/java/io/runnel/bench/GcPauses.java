// SPDX-License-Identifier: Apache-2.0

package io.runnel.bench;

import com.sun.management.GarbageCollectionNotificationInfo;

import javax.management.NotificationEmitter;
import javax.management.openmbean.CompositeData;
import java.lang.management.GarbageCollectorMXBean;
import java.lang.management.ManagementFactory;
import java.util.ArrayList;
import java.util.List;
import java.util.Set;
import java.util.TreeSet;

/**
 * The stop-the-world GC pauses of this JVM, as the collectors' MXBeans announce them, so a
 * latency figure can be read next to the pauses of the same time window: a p99.9 of 20 ms
 * next to a 19 ms young pause is the GC, not the engine.
 *
 * <p>Each notification carries the collection's start (JVM uptime) and duration, both in
 * whole milliseconds: a sub-millisecond pause reads as 0 or 1 ms. Beans named
 * {@code … Cycles} (ZGC, Shenandoah) report concurrent cycles, which do not stop the
 * application, and are left out; their {@code … Pauses} beans, G1's young, old and
 * concurrent-cycle (remark and cleanup) beans, and Parallel's and Serial's beans are
 * pauses. Notifications arrive a little after the pause, on a JMX thread; a window is read
 * after it has closed.
 */
final class GcPauses {
    /** One window's pauses: how many, their sum and the longest, in ms. */
    record Summary(int count, long totalMs, long maxMs) {
    }

    /** A pause: JVM uptime at its start and its length, in ms. */
    private record Pause(long startUptimeMs, long durationMs) {
    }

    private final List<Pause> pauses = new ArrayList<>();
    private final Set<String> collectors = new TreeSet<>();

    /** Starts listening to every collector of this JVM. */
    GcPauses() {
        for (GarbageCollectorMXBean gc : ManagementFactory.getGarbageCollectorMXBeans()) {
            collectors.add(gc.getName());
            if (gc.getName().endsWith("Cycles") || !(gc instanceof NotificationEmitter emitter)) {
                continue;
            }
            emitter.addNotificationListener((notification, handback) -> {
                if (GarbageCollectionNotificationInfo.GARBAGE_COLLECTION_NOTIFICATION.equals(notification.getType())) {
                    var info = GarbageCollectionNotificationInfo.from((CompositeData) notification.getUserData()).getGcInfo();
                    record(new Pause(info.getStartTime(), info.getDuration()));
                }
            }, null, null);
        }
    }

    /** The collectors' bean names, e.g. {@code G1 Young Generation}: which GC the JVM ran. */
    List<String> collectors() {
        return List.copyOf(collectors);
    }

    /** This JVM's uptime in ms, the clock pauses are dated by. */
    static long uptimeMs() {
        return ManagementFactory.getRuntimeMXBean().getUptime();
    }

    /** The pauses that started in {@code [fromUptimeMs, toUptimeMs)}. */
    synchronized Summary between(long fromUptimeMs, long toUptimeMs) {
        int count = 0;
        long total = 0;
        long max = 0;
        for (Pause p : pauses) {
            if (p.startUptimeMs() >= fromUptimeMs && p.startUptimeMs() < toUptimeMs) {
                count++;
                total += p.durationMs();
                max = Math.max(max, p.durationMs());
            }
        }
        return new Summary(count, total, max);
    }

    private synchronized void record(Pause p) {
        pauses.add(p);
    }
}
