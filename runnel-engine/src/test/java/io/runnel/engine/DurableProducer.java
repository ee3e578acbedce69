// SPDX-License-Identifier: Apache-2.0

package io.runnel.engine;

import io.runnel.api.RunnelException;
import io.runnel.api.transport.NotReplicated;

import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CopyOnWriteArrayList;

import static io.runnel.engine.TestApps.Order;

/**
 * Sends each key's orders in sequence from a thread of its own, one record per send, as an
 * at-least-once producer does: a send that fails is made again with the same sequence number;
 * one that fails with {@code NotReplicated} was appended, and the next number follows. Keeps
 * what became of every send, with the wall-clock time it returned.
 */
final class DurableProducer implements AutoCloseable {

    /** What a send that returned or failed with NotReplicated did. */
    enum Outcome { CONFIRMED, NOT_REPLICATED }

    /** A record appended: its sequence number, the outcome, and when the send returned (epoch ms). */
    record Sent(int seq, Outcome outcome, long at) {
    }

    /** A send that failed without appending for sure, and when (epoch ms). */
    record Failure(long at, String message) {
    }

    private final Map<String, List<Sent>> sent = new ConcurrentHashMap<>();
    private final Map<String, List<Failure>> failures = new ConcurrentHashMap<>();
    private final List<Thread> threads = new ArrayList<>();
    private volatile boolean running = true;

    /** @param pause between two sends of one key, so the others' records keep arriving at a steady rate */
    DurableProducer(Stream<Order> orders, List<String> keys, Duration pause) {
        for (String key : keys) {
            sent.put(key, new CopyOnWriteArrayList<>());
            failures.put(key, new CopyOnWriteArrayList<>());
            threads.add(Thread.ofVirtual().name("producer-" + key).start(() -> produce(orders, key, pause)));
        }
    }

    private void produce(Stream<Order> orders, String key, Duration pause) {
        int seq = 0;
        while (running) {
            try {
                orders.send(new Order(key, seq));
                sent.get(key).add(new Sent(seq++, Outcome.CONFIRMED, System.currentTimeMillis()));
            } catch (NotReplicated e) {
                sent.get(key).add(new Sent(seq++, Outcome.NOT_REPLICATED, System.currentTimeMillis()));
            } catch (RunnelException e) {
                failures.get(key).add(new Failure(System.currentTimeMillis(), e.getMessage()));
            }
            try {
                Thread.sleep(pause);
            } catch (InterruptedException e) {
                return;
            }
        }
    }

    /** The key's records appended so far, in order. */
    List<Sent> sent(String key) {
        return List.copyOf(sent.get(key));
    }

    /** The key's failed sends so far. */
    List<Failure> failures(String key) {
        return List.copyOf(failures.get(key));
    }

    /** Stops sending and waits for the sends under way. */
    @Override
    public void close() throws InterruptedException {
        running = false;
        for (Thread t : threads) {
            t.join();
        }
    }
}
