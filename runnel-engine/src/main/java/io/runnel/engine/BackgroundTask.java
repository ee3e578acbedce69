// SPDX-License-Identifier: Apache-2.0

package io.runnel.engine;

import com.cronutils.model.time.ExecutionTime;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.time.Duration;
import java.time.ZoneId;
import java.time.ZonedDateTime;
import java.util.Optional;

/** A task registered on the app, and how a worker runs it. */
sealed interface BackgroundTask {
    Logger log = LoggerFactory.getLogger(BackgroundTask.class);

    String name();

    boolean leaderOnly();

    /** Runs until the worker stops; returns early only for one-shot tasks. */
    void run(Worker worker) throws InterruptedException;

    /** Runs the user's code once, logging (not propagating) its failure so the schedule goes on. */
    static void invoke(String name, Task task) throws InterruptedException {
        try {
            task.run();
        } catch (InterruptedException e) {
            throw e;
        } catch (Exception e) {
            log.error("task {} failed", name, e);
        }
    }

    /** Runs once when the worker starts (on the leader only, once it is elected, if {@code leaderOnly}). */
    record Once(String name, boolean leaderOnly, Task task) implements BackgroundTask {
        @Override
        public void run(Worker worker) throws InterruptedException {
            if (leaderOnly && !worker.awaitLeadership()) {
                return;
            }
            invoke(name, task);
        }
    }

    /** Runs every {@code interval}, at a fixed rate from the worker's start. */
    record Timer(String name, Duration interval, boolean leaderOnly, Task task) implements BackgroundTask {
        @Override
        public void run(Worker worker) throws InterruptedException {
            long next = System.nanoTime() + interval.toNanos();
            while (!worker.pauseUntil(next)) {
                if (!leaderOnly || worker.isLeader()) {
                    invoke(name, task);
                }
                next += interval.toNanos();
                long now = System.nanoTime();
                if (next < now) {
                    // Missed ticks (a slow task) are skipped, not replayed in a burst.
                    next = now + interval.toNanos() - ((now - next) % interval.toNanos());
                }
            }
        }
    }

    /** Runs at the times of a cron schedule, in a time zone. */
    record Cron(String name, String spec, ExecutionTime schedule, ZoneId zone, boolean leaderOnly, Task task)
            implements BackgroundTask {
        @Override
        public void run(Worker worker) throws InterruptedException {
            ZonedDateTime from = ZonedDateTime.now(zone);
            while (true) {
                Optional<ZonedDateTime> fire = schedule.nextExecution(from);
                if (fire.isEmpty()) {
                    log.warn("crontab {} ({}) has no future execution", name, spec);
                    return;
                }
                long waitNanos = Duration.between(ZonedDateTime.now(zone), fire.get()).toNanos();
                if (worker.pauseUntil(System.nanoTime() + Math.max(0, waitNanos))) {
                    return;
                }
                if (!leaderOnly || worker.isLeader()) {
                    invoke(name, task);
                }
                from = fire.get();
            }
        }
    }
}
