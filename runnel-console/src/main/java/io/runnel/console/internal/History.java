// SPDX-License-Identifier: Apache-2.0

package io.runnel.console.internal;

import io.runnel.engine.App;
import io.runnel.engine.PartitionStatus;
import io.runnel.engine.ProcessorStatus;
import io.runnel.engine.Status;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.time.Duration;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.OptionalLong;
import java.util.function.Supplier;

/**
 * What the console saw over the last hour: per processor, its total lag, its delivery rate
 * (the growth of its groups' entries read) and its assignment generation, sampled every
 * {@link #interval} on a thread of its own while the console runs. Nothing is kept in Redis:
 * a console started later starts with an empty history.
 *
 * <p>Thread-safe: the sampler appends, request threads read copies.
 */
final class History implements AutoCloseable {
    private static final Logger log = LoggerFactory.getLogger(History.class);
    /** How far back the history goes. */
    static final Duration KEPT = Duration.ofHours(1);

    private final Supplier<Status> status;
    private final Duration interval;
    private final int capacity;
    private final Map<String, ArrayDeque<Point>> byProcessor = new LinkedHashMap<>();
    private final Thread sampler;
    private volatile boolean closed;

    /**
     * One sample of one processor.
     *
     * @param atMillis     when, epoch millis
     * @param lag          the lag summed over its partitions (those whose lag is known)
     * @param perSecond    entries delivered per second since the sample before; -1 for the first
     * @param generation   its assignment generation
     */
    record Point(long atMillis, long lag, double perSecond, long generation) {
    }

    /** The samples kept before a point; for the rate, what the previous sample read. */
    private final Map<String, Long> lastRead = new LinkedHashMap<>();

    History(Supplier<Status> status, Duration interval) {
        this.status = status;
        this.interval = interval;
        this.capacity = (int) Math.max(2, KEPT.toMillis() / interval.toMillis());
        this.sampler = Thread.ofVirtual().name("runnel-console-history").start(this::run);
    }

    static History of(App app, Duration interval) {
        return new History(app::status, interval);
    }

    private void run() {
        while (!closed) {
            try {
                sample(status.get());
            } catch (RuntimeException e) {
                log.warn("the console could not read the app's status for its history; trying again in {} ms: {}",
                        interval.toMillis(), e.getMessage());
            }
            try {
                Thread.sleep(interval); // the sampling period itself, not a synchronisation
            } catch (InterruptedException e) {
                return;
            }
        }
    }

    /** Adds one sample of every processor. */
    synchronized void sample(Status now) {
        long at = now.at().toEpochMilli();
        for (ProcessorStatus p : now.processors()) {
            long lag = 0;
            long read = 0;
            boolean known = true;
            for (PartitionStatus s : p.partitions()) {
                OptionalLong l = s.lag();
                lag += l.orElse(0);
                OptionalLong r = s.entriesRead();
                if (r.isPresent()) {
                    read += r.getAsLong();
                } else {
                    known = false;
                }
            }
            ArrayDeque<Point> points = byProcessor.computeIfAbsent(p.name(), n -> new ArrayDeque<>());
            Point previous = points.peekLast();
            Long readBefore = lastRead.get(p.name());
            double perSecond = -1;
            if (previous != null && readBefore != null && known && at > previous.atMillis()) {
                perSecond = Math.max(0, read - readBefore) * 1000.0 / (at - previous.atMillis());
            }
            if (known) {
                lastRead.put(p.name(), read);
            } else {
                lastRead.remove(p.name());
            }
            points.addLast(new Point(at, lag, perSecond, p.assignmentGeneration()));
            while (points.size() > capacity) {
                points.removeFirst();
            }
        }
    }

    /** The samples of a processor, oldest first. */
    synchronized List<Point> of(String processor) {
        ArrayDeque<Point> points = byProcessor.get(processor);
        return points == null ? List.of() : new ArrayList<>(points);
    }

    Duration interval() {
        return interval;
    }

    @Override
    public void close() {
        closed = true;
        sampler.interrupt();
    }
}
