// SPDX-License-Identifier: Apache-2.0

package io.runnel.engine;

import io.runnel.api.ProcessingGuarantee;

/**
 * A worker of a counting pipeline run as its own JVM by {@link ExactlyOnceCrashTest}: processor
 * "counter" counts each key's orders in keyed state and sends the running count to stream
 * "counts"; processor "last" keeps each key's last count in its own state; processor
 * "per-second" counts each key's orders per second ({@link WindowCounts}). Settings come from
 * RUNNEL_* environment variables; args: app name, the processing guarantee
 * ({@code exactly_once} or {@code at_least_once}), milliseconds of work per event, max_in_flight.
 */
public final class CountingWorkerMain {

    /** What "counter" sends: the key's count after the order {@code seq}. */
    public record Count(String key, long n, int seq) {
    }

    private CountingWorkerMain() {
    }

    /** The app every process of the test defines the same way. */
    static App define(App.Builder builder, ProcessingGuarantee guarantee, long workMillis, int maxInFlight) {
        return define(builder.build(), guarantee, workMillis, maxInFlight);
    }

    /** Defines the pipeline's streams and processors in {@code app}. */
    static App define(App app, ProcessingGuarantee guarantee, long workMillis, int maxInFlight) {
        // Kept whole too: the windows' expected counts are read from it at the end.
        Stream<TestApps.Order> orders = app.stream("orders", TestApps.Order.class, TestApps.Order::key,
                o -> o.partitionSize(10_000_000).retentionInterval(java.time.Duration.ofDays(1)));
        // Kept whole (no retention pass trims what "last" acknowledged): the test reads all of it.
        Stream<Count> counts = app.stream("counts", Count.class, Count::key,
                o -> o.partitionSize(10_000_000).retentionInterval(java.time.Duration.ofDays(1)));
        app.processor(orders, "counter", o -> o.processingGuarantee(guarantee).maxInFlight(maxInFlight),
                ProcessorFunction.<TestApps.Order>eachRecordWithContext((order, context) -> {
                    if (workMillis > 0) {
                        Thread.sleep(workMillis);
                    }
                    long n = context.state("counts", Long.class).merge(order.key(), 1L, Long::sum);
                    context.send(counts, new Count(order.key(), n, order.seq()));
                }));
        app.processor(counts, "last", o -> o.processingGuarantee(guarantee).maxInFlight(maxInFlight),
                ProcessorFunction.<Count>eachRecordWithContext((count, context) ->
                        context.state("last", Long.class).put(count.key(), count.n())));
        WindowCounts.define(app, guarantee, WindowCounts.WINDOWS, workMillis);
        return app;
    }

    public static void main(String[] args) throws Exception {
        App app = define(App.builder(args[0]), ProcessingGuarantee.valueOf(args[1].toUpperCase(java.util.Locale.ROOT)),
                Long.parseLong(args[2]), Integer.parseInt(args[3]));
        System.out.println("counting worker starting in pid " + ProcessHandle.current().pid());
        app.run();
    }
}
