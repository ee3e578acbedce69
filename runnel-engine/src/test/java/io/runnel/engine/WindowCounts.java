// SPDX-License-Identifier: Apache-2.0

package io.runnel.engine;

import io.runnel.api.ProcessingGuarantee;
import io.runnel.api.transport.StreamEntry;

import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;

/**
 * The windowed part of the tests' counting pipeline: processor "per-second" counts each key's
 * orders per one-second window and sends each closed window's count to stream
 * "window-counts". What it should have sent is computed from the orders' stream ids.
 */
final class WindowCounts {
    static final Windows WINDOWS = Windows.tumbling(Duration.ofSeconds(1)).withGrace(Duration.ofMillis(200));

    /** One key's count of orders in the window starting at {@code start} (epoch millis). */
    record WindowCount(String key, long start, long n) {
    }

    private WindowCounts() {
    }

    /** Adds the processor and its output stream to an app that has stream "orders". */
    static void define(App app, ProcessingGuarantee guarantee) {
        define(app, guarantee, WINDOWS, 0);
    }

    /**
     * As {@link #define(App, ProcessingGuarantee)}, with other tumbling windows, and
     * {@code workMillis} of work per event.
     */
    static void define(App app, ProcessingGuarantee guarantee, Windows windows, long workMillis) {
        @SuppressWarnings("unchecked")
        Stream<TestApps.Order> orders = (Stream<TestApps.Order>) app.streamNamed("orders");
        // Kept whole (no retention pass trims it): the test reads all of it.
        Stream<WindowCount> out = app.stream("window-counts", WindowCount.class, WindowCount::key,
                o -> o.partitionSize(10_000_000).retentionInterval(Duration.ofDays(1)));
        app.processor(orders, "per-second", o -> o.processingGuarantee(guarantee),
                ProcessorFunction.<TestApps.Order, Long>aggregateWindows(windows, Long.class,
                        (n, order) -> {
                            if (workMillis > 0) {
                                Thread.sleep(workMillis);
                            }
                            return n == null ? 1L : n + 1;
                        },
                        (window, context) -> context.send(out,
                                new WindowCount(window.key(), window.start().toEpochMilli(), window.value()))));
    }

    /** {@code key@start} → the number of orders of the key whose id time is in the window, for {@link #WINDOWS}. */
    static Map<String, Long> expected(App app) {
        return expected(app, WINDOWS);
    }

    /** As {@link #expected(App)}, for other tumbling windows. */
    static Map<String, Long> expected(App app, Windows windows) {
        @SuppressWarnings("unchecked")
        Stream<TestApps.Order> orders = (Stream<TestApps.Order>) app.streamNamed("orders");
        Map<String, Long> out = new TreeMap<>();
        long size = windows.size().toMillis();
        for (int p = 0; p < orders.partitionCount(); p++) {
            for (StreamEntry e : app.transport().range(orders.partitionKey(p), "-", "+", 0)) {
                long time = Long.parseLong(e.id().substring(0, e.id().indexOf('-')));
                String key = orders.codec().decode(e.fields()).key();
                out.merge(key + "@" + Math.floorDiv(time, size) * size, 1L, Long::sum);
            }
        }
        return out;
    }

    /** {@code key@start} → every count sent for the window, in stream order. */
    static Map<String, List<Long>> sent(App app) {
        @SuppressWarnings("unchecked")
        Stream<WindowCount> out = (Stream<WindowCount>) app.streamNamed("window-counts");
        Map<String, List<Long>> sent = new TreeMap<>();
        for (int p = 0; p < out.partitionCount(); p++) {
            for (StreamEntry e : app.transport().range(out.partitionKey(p), "-", "+", 0)) {
                WindowCount c = out.codec().decode(e.fields());
                sent.computeIfAbsent(c.key() + "@" + c.start(), k -> new ArrayList<>()).add(c.n());
            }
        }
        return sent;
    }

    /** The aggregates of open windows left in the partitions' state: partition → fields. */
    static Map<Integer, Map<String, String>> open(App app) {
        Processor<?> p = app.processor("per-second");
        Map<Integer, Map<String, String>> out = new TreeMap<>();
        for (int partition = 0; partition < p.stream().partitionCount(); partition++) {
            Map<String, String> fields = app.transport().getHash(p.stateKey(WindowedAggregation.STATE, partition));
            if (!fields.isEmpty()) {
                out.put(partition, fields);
            }
        }
        return out;
    }

    /** Whether every window closed: no aggregate left in any partition's state, nothing pending. */
    static boolean allClosed(App app) {
        Processor<?> p = app.processor("per-second");
        for (int partition = 0; partition < p.stream().partitionCount(); partition++) {
            if (!app.transport().getHash(p.stateKey(WindowedAggregation.STATE, partition)).isEmpty()) {
                return false;
            }
        }
        return CommittedEffects.pending(app, "per-second") == 0;
    }
}
