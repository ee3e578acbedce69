// SPDX-License-Identifier: Apache-2.0

package io.runnel.redis.lettuce;

import java.time.Duration;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionStage;
import java.util.concurrent.RejectedExecutionException;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.function.BooleanSupplier;
import java.util.function.Supplier;

/**
 * Has a Redis Cluster's layout read again when a call suggests it is out of date (a node
 * did not answer, a command was redirected), without ever making the caller wait for it.
 *
 * <p>Lettuce reads the layout again on its own after such events, but at most once per
 * adaptive-refresh timeout (30 s by default): the reading it does when a master dies comes
 * before the replica's promotion, so the promotion would go unseen for up to 30 s, and every
 * call for the dead master's slots would keep going to the dead node. Here one reading runs
 * at a time and the next waits at least {@code gap}; and while the layout still names a
 * failing master for some slots, or none at all, it is read again every {@code gap}, so a
 * promotion is seen within {@code gap} of it whether or not calls keep failing.
 */
final class LayoutRefresh implements AutoCloseable {

    /** Runs a task once, after a delay, on another thread. */
    @FunctionalInterface
    interface Timer {
        /** @throws RejectedExecutionException once the timer is shut down */
        void schedule(Runnable task, Duration delay);
    }

    /** 0: idle; 1: a reading runs, or its gap; 2: the same, and another was asked for meanwhile. */
    private final AtomicInteger state = new AtomicInteger();
    private final Supplier<CompletionStage<?>> reading;
    private final BooleanSupplier unsettled;
    private final Timer timer;
    private final Duration gap;
    private volatile boolean closed;

    /**
     * @param reading   starts reading the layout (Lettuce's {@code refreshPartitionsAsync})
     * @param unsettled whether the layout, as last read, names a failing master or leaves slots without one
     * @param timer     runs the wait between readings
     * @param gap       the least time between the end of one reading and the start of the next
     */
    LayoutRefresh(Supplier<CompletionStage<?>> reading, BooleanSupplier unsettled, Timer timer, Duration gap) {
        this.reading = reading;
        this.unsettled = unsettled;
        this.timer = timer;
        this.gap = gap;
    }

    /** Asks for a reading: now if none runs or waits out its gap, else right after that gap. Returns at once. */
    void requestSoon() {
        if (!closed && state.getAndUpdate(n -> Math.min(n + 1, 2)) == 0) {
            read();
        }
    }

    private void read() {
        CompletionStage<?> running;
        try {
            running = reading.get();
        } catch (RuntimeException e) {
            running = CompletableFuture.failedFuture(e); // no node answered: the gap applies all the same
        }
        running.whenComplete((done, failed) -> {
            try {
                timer.schedule(this::gapOver, gap);
            } catch (RejectedExecutionException e) {
                // The client's resources are shutting down: the transport is closing.
            }
        });
    }

    private void gapOver() {
        if (closed) {
            return;
        }
        // Idle again only if nobody asked meanwhile and the layout looks settled.
        if (!unsettled.getAsBoolean() && state.compareAndSet(1, 0)) {
            return;
        }
        state.set(1);
        read();
    }

    /** Stops reading; a reading under way finishes on its own. */
    @Override
    public void close() {
        closed = true;
    }
}
