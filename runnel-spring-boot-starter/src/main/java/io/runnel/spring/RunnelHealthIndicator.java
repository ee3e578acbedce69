// SPDX-License-Identifier: Apache-2.0

package io.runnel.spring;

import io.runnel.engine.App;
import io.runnel.engine.PartitionStatus;
import io.runnel.engine.ProcessorStatus;
import io.runnel.engine.Status;
import io.runnel.engine.Worker;
import org.springframework.boot.health.contributor.AbstractHealthIndicator;
import org.springframework.boot.health.contributor.Health;

import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Optional;

/**
 * Actuator health from {@link App#status()}: UP while Redis answers and the worker (if any)
 * runs, with each processor's owned partitions, pending events and lag as details; DOWN when
 * Redis cannot be read or the worker stopped with an error.
 */
final class RunnelHealthIndicator extends AbstractHealthIndicator {
    private final App app;
    private final WorkerLifecycle lifecycle;

    RunnelHealthIndicator(App app, WorkerLifecycle lifecycle) {
        super("Runnel health check failed");
        this.app = app;
        this.lifecycle = lifecycle;
    }

    @Override
    protected void doHealthCheck(Health.Builder builder) {
        Optional<Throwable> failure = lifecycle == null ? Optional.empty()
                : lifecycle.worker().flatMap(Worker::failure);
        if (failure.isPresent()) {
            builder.down().withDetail("worker", "stopped: " + failure.get());
            return;
        }
        Status status = app.status(); // throws when Redis cannot be read: DOWN with the error
        Map<String, Object> processors = new LinkedHashMap<>();
        for (ProcessorStatus p : status.processors()) {
            Map<String, Object> detail = new LinkedHashMap<>();
            detail.put("members", p.members().size());
            detail.put("owned", p.partitions().stream().filter(s -> s.owner().isPresent()).count());
            detail.put("pending", p.partitions().stream().mapToLong(PartitionStatus::pending).sum());
            detail.put("lag", p.partitions().stream().mapToLong(s -> s.lag().orElse(0)).sum());
            detail.put("parkedKeys", p.parkedKeys().size());
            processors.put(p.name(), detail);
        }
        builder.up().withDetail("app", app.name()).withDetail("processors", processors);
    }
}
