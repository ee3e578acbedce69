// SPDX-License-Identifier: Apache-2.0

package io.runnel.engine;

import io.runnel.api.transport.StreamEntry;
import io.runnel.api.transport.Transport;
import io.runnel.api.transport.TransportException;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.List;

/**
 * Follows the processor's control stream, where members announce every membership change,
 * and wakes the coordinator at each message, so a rebalance starts at once rather than at
 * the next {@code assignment_sleep}.
 */
final class ControlReader implements Runnable {
    private static final Logger log = LoggerFactory.getLogger(ControlReader.class);

    private final Processor<?> processor;
    private final Transport transport;
    private final String from;
    private final Runnable wake;
    private final StopSignal stop;

    /** @param from the id after which to read: the stream's last id when the executor started */
    ControlReader(Processor<?> processor, Transport transport, String from, Runnable wake, StopSignal stop) {
        this.processor = processor;
        this.transport = transport;
        this.from = from;
        this.wake = wake;
        this.stop = stop;
    }

    @Override
    public void run() {
        Outage outage = new Outage(log, "reading control stream");
        String last = from;
        // Blocks at most a second, so a stop is seen within one.
        Duration block = processor.readTimeout().compareTo(Duration.ofSeconds(1)) < 0 ? processor.readTimeout() : Duration.ofSeconds(1);
        while (!stop.stopped()) {
            try {
                List<StreamEntry> messages = transport.read(processor.controlKey(), last, 16, block);
                outage.succeeded();
                for (StreamEntry m : messages) {
                    last = m.id();
                    byte[] reason = m.fields().get("reason");
                    log.debug("control message {}: {}", m.id(), reason == null ? null : new String(reason, StandardCharsets.UTF_8));
                    wake.run();
                }
            } catch (TransportException e) {
                try {
                    if (stop.stopped() || stop.await(outage.failed(e))) {
                        return;
                    }
                } catch (InterruptedException ie) {
                    return;
                }
            }
        }
    }
}
