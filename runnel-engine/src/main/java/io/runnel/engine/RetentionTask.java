// SPDX-License-Identifier: Apache-2.0

package io.runnel.engine;

import io.runnel.api.transport.Transport;

import java.util.Set;
import java.util.function.Supplier;

/** Trims the partitions an executor holds, every retention interval (see {@link Retainer}). */
final class RetentionTask implements Runnable {
    private final Processor<?> processor;
    private final Retainer retainer;
    private final Supplier<Set<Integer>> held;
    private final StopSignal stop;

    RetentionTask(Processor<?> processor, Transport transport, Acker acker, Supplier<Set<Integer>> held, StopSignal stop) {
        this.processor = processor;
        this.retainer = new Retainer(processor, transport, acker::ackedSinceAsked);
        this.held = held;
        this.stop = stop;
    }

    @Override
    public void run() {
        try {
            while (!stop.await(processor.stream().retention().interval())) {
                retainer.trim(held.get());
            }
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }
}
