// SPDX-License-Identifier: Apache-2.0

package io.runnel.bench;

import io.runnel.engine.Stream;

import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.atomic.AtomicLong;
import java.util.concurrent.locks.LockSupport;
import java.util.function.Consumer;
import java.util.function.LongFunction;

/**
 * Sends records at a fixed offered rate on its own platform thread: every {@code tick} it
 * sends, with one {@code Stream.sendAll} (or another sink), what the schedule says is due by now. A late
 * wake-up (a loaded machine) is made up in the next batch instead of lowering the rate, so
 * the achieved rate only falls short when sending itself cannot keep up.
 *
 * @param <T> the record type
 */
final class PacedProducer<T> implements AutoCloseable {
    private static final int MAX_BATCH = 1000;

    private final Consumer<List<T>> sink;
    private final double rate;
    private final long tickNanos;
    private final LongFunction<T> make;
    private final CountDownLatch done = new CountDownLatch(1);
    private final Thread thread;
    private volatile boolean stopping;
    private volatile long sent;
    private final AtomicLong longestSendNanos = new AtomicLong();
    private volatile Throwable failure;

    /**
     * Starts sending at once.
     *
     * @param make builds the record with the given sequence number (0, 1, 2, …), at send time
     */
    PacedProducer(Stream<T> stream, double eventsPerSecond, Duration tick, LongFunction<T> make) {
        this(stream.name(), stream::sendAll, eventsPerSecond, tick, make);
    }

    /**
     * Starts sending at once, each batch to {@code sink}, which returns once the batch is sent
     * (another client's producer, for instance).
     */
    PacedProducer(String name, Consumer<List<T>> sink, double eventsPerSecond, Duration tick, LongFunction<T> make) {
        this.sink = sink;
        this.rate = eventsPerSecond;
        this.tickNanos = tick.toNanos();
        this.make = make;
        this.thread = Thread.ofPlatform().name("paced-producer-" + name).start(this::loop);
    }

    /** Records sent so far (acknowledged by the server). */
    long sent() {
        return sent;
    }

    /**
     * The longest single {@code sendAll} since the previous call (or the start), and starts
     * a new period: when it is long, a pause seen by the consumers may come from the
     * producer (or the machine), not from the engine.
     */
    long takeLongestSendNanos() {
        return longestSendNanos.getAndSet(0);
    }

    /** Stops after the current batch and waits for it; rethrows a send failure. */
    @Override
    public void close() throws InterruptedException {
        stopping = true;
        done.await();
        if (failure != null) {
            throw new IllegalStateException("producer failed", failure);
        }
    }

    private void loop() {
        try {
            long start = System.nanoTime();
            long next = start;
            long n = 0;
            List<T> batch = new ArrayList<>();
            while (!stopping) {
                long due = (long) ((System.nanoTime() - start) / 1e9 * rate);
                int size = (int) Math.min(MAX_BATCH, due - n);
                if (size > 0) {
                    batch.clear();
                    for (int i = 0; i < size; i++) {
                        batch.add(make.apply(n + i));
                    }
                    long t = System.nanoTime();
                    sink.accept(batch);
                    longestSendNanos.accumulateAndGet(System.nanoTime() - t, Math::max);
                    n += size;
                    sent = n;
                }
                next += tickNanos;
                long wait = next - System.nanoTime();
                if (wait > 0) {
                    LockSupport.parkNanos(wait);
                } else {
                    next = System.nanoTime(); // behind: catch up through the batch size, not a burst of ticks
                }
            }
        } catch (Throwable t) {
            failure = t;
        } finally {
            done.countDown();
        }
    }
}
