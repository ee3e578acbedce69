// SPDX-License-Identifier: Apache-2.0

package io.runnel.spring;

import io.runnel.engine.App;
import io.runnel.engine.Worker;
import org.springframework.context.SmartLifecycle;

import java.util.List;
import java.util.Optional;

/**
 * Runs the app's worker with the application context: it starts once every bean is ready
 * and, on shutdown, stops first among the context's lifecycles, finishing what its
 * partitions hold within the grace period, acknowledging, releasing its partitions and
 * leaving, before the context's beans are destroyed.
 */
final class WorkerLifecycle implements SmartLifecycle {
    /** Late to start, early to stop: the worker uses the application's other beans. */
    static final int PHASE = Integer.MAX_VALUE - 1000;

    private final App app;
    private final List<String> processors;
    private volatile Worker worker;

    WorkerLifecycle(App app, List<String> processors) {
        this.app = app;
        this.processors = processors;
    }

    @Override
    public synchronized void start() {
        if (worker == null) {
            worker = app.worker(processors.toArray(String[]::new)).start();
        }
    }

    @Override
    public synchronized void stop() {
        Worker running = worker;
        if (running != null) {
            running.stop(); // drains within the grace period
            worker = null;
        }
    }

    @Override
    public boolean isRunning() {
        return worker != null;
    }

    @Override
    public int getPhase() {
        return PHASE;
    }

    /** The running worker, if any. */
    Optional<Worker> worker() {
        return Optional.ofNullable(worker);
    }
}
