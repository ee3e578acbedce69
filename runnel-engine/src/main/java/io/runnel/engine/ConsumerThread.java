// SPDX-License-Identifier: Apache-2.0

package io.runnel.engine;

import io.runnel.api.ProcessingTimeout;

import java.util.Map;

/**
 * A partition's consumer at work: its buffer, fed by the fetcher, and the virtual thread
 * that runs the processor function over it.
 */
final class ConsumerThread implements RunningPartition {
    private final PartitionBuffer buffer;
    private final PartitionWork consumer;
    private final Thread thread;

    private ConsumerThread(PartitionBuffer buffer, PartitionWork consumer, Thread thread) {
        this.buffer = buffer;
        this.consumer = consumer;
        this.thread = thread;
    }

    /** Starts consuming the partition of {@code lease}, and asks the fetcher to fill its buffer. */
    static <T> ConsumerThread start(Processor<T> processor, Lease lease, Fetcher fetcher, Acker acker,
                                    CoordinatorInbox inbox, Map<String, String> mdc) {
        PartitionBuffer buffer = new PartitionBuffer(processor.stream().name(), lease, processor.prefetchCount(),
                fetcher::schedule, () -> inbox.settled(lease));
        PartitionWork consumer = processor.maxInFlight() > 1
                ? new KeyedConsumer<>(processor, buffer, acker, inbox, mdc)
                : new PartitionConsumer<>(processor, buffer, acker, inbox, mdc);
        Runnable uncount = processor.metrics().countInFlight(lease.partition, consumer::inFlight);
        Thread thread = Thread.ofVirtual().name("runnel-" + processor.name() + "-" + lease.partition).start(() -> {
            try {
                consumer.run();
            } finally {
                uncount.run();
            }
        });
        buffer.scheduleIfRoom();
        return new ConsumerThread(buffer, consumer, thread);
    }

    @Override
    public void close() {
        buffer.close();
        consumer.wake();
    }

    @Override
    public void expire() {
        buffer.expire();
        consumer.wake();
    }

    @Override
    public Holding holding() {
        return consumer.holding();
    }

    @Override
    public int inFlight() {
        return consumer.inFlight();
    }

    @Override
    public boolean isTimedOut() {
        return consumer.isTimedOut();
    }

    @Override
    public boolean timeOut(Holding held, ProcessingTimeout timeout) {
        return consumer.timeOut(held, timeout, thread);
    }

    @Override
    public StackTraceElement[] stackTrace(Holding held) {
        return consumer.threadOf(held, thread).getStackTrace();
    }

    @Override
    public void interrupt() {
        thread.interrupt();
    }

    @Override
    public boolean exited() {
        return consumer.hasExited();
    }

    @Override
    public boolean reading() {
        return buffer.reading();
    }
}
