// SPDX-License-Identifier: Apache-2.0

package io.runnel.engine;

import io.runnel.api.RunnelException;

import java.time.Duration;
import java.time.Instant;
import java.time.ZonedDateTime;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.Optional;

/**
 * The test driver's clock: it stands still until the test advances it, and fires the app's timers and crontabs whose times it passes, in
 * time order, on the thread that advances it.
 */
final class DriverClock {
    private Instant now;
    private final List<Scheduled> scheduled = new ArrayList<>();
    private boolean firing;

    /** A timer or crontab and the next time it fires (empty: never again). */
    private static final class Scheduled {
        final BackgroundTask task;
        Optional<Instant> next;

        Scheduled(BackgroundTask task, Optional<Instant> next) {
            this.task = task;
            this.next = next;
        }
    }

    /** @param start the clock's first reading, taken as the worker's start for fixed-rate timers */
    DriverClock(Instant start, List<BackgroundTask> tasks) {
        this.now = start;
        for (BackgroundTask t : tasks) {
            switch (t) {
                case BackgroundTask.Timer timer -> scheduled.add(new Scheduled(t, Optional.of(start.plus(timer.interval()))));
                case BackgroundTask.Cron cron -> scheduled.add(new Scheduled(t, nextCron(cron, start)));
                case BackgroundTask.Once once -> { } // runs at a worker's start, not on a schedule
            }
        }
    }

    Instant now() {
        return now;
    }

    /**
     * Moves the clock forward, running each timer and crontab due on the way at its time. A
     * task's failure is thrown (a worker would log it and go on), so a test sees it.
     */
    void advance(Duration by) {
        if (by.isNegative()) {
            throw new IllegalArgumentException("the clock only moves forward, not by " + by);
        }
        Instant target = now.plus(by);
        if (firing) {
            throw new IllegalStateException("a timer or crontab advanced the driver's clock while it was running");
        }
        firing = true;
        try {
            while (true) {
                Scheduled due = scheduled.stream()
                        .filter(s -> s.next.isPresent() && !s.next.get().isAfter(target))
                        .min(Comparator.comparing((Scheduled s) -> s.next.get()))
                        .orElse(null);
                if (due == null) {
                    break;
                }
                Instant at = due.next.get();
                if (at.isAfter(now)) {
                    now = at;
                }
                due.next = following(due.task, at);
                run(due.task);
            }
            if (target.isAfter(now)) {
                now = target;
            }
        } finally {
            firing = false;
        }
    }

    private static Optional<Instant> following(BackgroundTask task, Instant fired) {
        return switch (task) {
            case BackgroundTask.Timer timer -> Optional.of(fired.plus(timer.interval()));
            case BackgroundTask.Cron cron -> nextCron(cron, fired);
            case BackgroundTask.Once once -> Optional.empty();
        };
    }

    private static Optional<Instant> nextCron(BackgroundTask.Cron cron, Instant after) {
        return cron.schedule().nextExecution(ZonedDateTime.ofInstant(after, cron.zone())).map(ZonedDateTime::toInstant);
    }

    private static void run(BackgroundTask task) {
        Task code = switch (task) {
            case BackgroundTask.Timer timer -> timer.task();
            case BackgroundTask.Cron cron -> cron.task();
            case BackgroundTask.Once once -> once.task();
        };
        try {
            code.run();
        } catch (RuntimeException e) {
            throw e;
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new RunnelException("task " + task.name() + " was interrupted", e);
        } catch (Exception e) {
            throw new RunnelException("task " + task.name() + " failed: " + e, e);
        }
    }
}
