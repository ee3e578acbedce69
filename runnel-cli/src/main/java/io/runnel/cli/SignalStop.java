// SPDX-License-Identifier: Apache-2.0

package io.runnel.cli;

import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.util.concurrent.atomic.AtomicBoolean;

/**
 * Turns SIGTERM and SIGINT into a graceful stop while the JVM keeps running, so the
 * command can finish its drain and then exit with its own code (0 for a clean stop). With
 * the JVM's default handling a signal starts the shutdown sequence and the process exits
 * with 128 + the signal number, however cleanly the worker stopped.
 */
final class SignalStop {
    private static final Logger log = LoggerFactory.getLogger(SignalStop.class);

    private SignalStop() {
    }

    /**
     * Runs {@code stop} on its own thread at the first SIGTERM or SIGINT.
     *
     * @return false if the signals could not be taken over (e.g. the JVM runs with -Xrs);
     *         the JVM's shutdown hooks then apply
     */
    static boolean install(Runnable stop) {
        AtomicBoolean stopping = new AtomicBoolean();
        try {
            for (String name : new String[] {"TERM", "INT"}) {
                // Named in full rather than imported: javadoc reads imports but skips method
                // bodies, and would report javac's warning about this JDK-internal class as one
                // of its own, which the build's zero-warning javadoc check would refuse.
                sun.misc.Signal.handle(new sun.misc.Signal(name), signal -> {
                    if (stopping.compareAndSet(false, true)) {
                        log.info("received SIG{}; stopping gracefully", signal.getName());
                        Thread.ofPlatform().name("runnel-signal-stop").start(stop);
                    } else {
                        log.info("received SIG{} again; already stopping", signal.getName());
                    }
                });
            }
            return true;
        } catch (IllegalArgumentException | UnsupportedOperationException e) {
            log.warn("cannot handle SIGTERM/SIGINT ({}); relying on shutdown hooks", e.getMessage());
            return false;
        }
    }
}
