// SPDX-License-Identifier: Apache-2.0

package io.runnel.testkit;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.InetAddress;
import java.net.ServerSocket;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ThreadLocalRandom;

/**
 * Picks a loopback TCP port that nothing listens on right now, below the kernel's range of
 * ephemeral ports.
 *
 * <p>Why not below: a server often needs several ports chosen before it starts (its client
 * port, a cluster bus port, a TLS port). A port from the ephemeral range can be taken in
 * that window by any outgoing connection of any process, and test JVMs open thousands; a
 * retry that picks only a new client port then fails every time on the same taken bus port.
 * Outside that range only another test server can take it, and a port is never handed out
 * twice by this JVM.
 */
final class FreePort {
    private static final Path EPHEMERAL_RANGE = Path.of("/proc/sys/net/ipv4/ip_local_port_range");
    /** Linux's default when the range cannot be read. */
    private static final int DEFAULT_EPHEMERAL_LOW = 32768;
    private static final int LOWEST = 10_000;
    private static final int ATTEMPTS = 200;
    private static final Set<Integer> HANDED_OUT = ConcurrentHashMap.newKeySet();

    private FreePort() {
    }

    /**
     * Another process may take the port before the caller binds it; callers that start a
     * server retry with a new port when that happens.
     */
    static int find() {
        int high = ephemeralLow();
        if (high - LOWEST > 1_000) {
            for (int i = 0; i < ATTEMPTS; i++) {
                int port = ThreadLocalRandom.current().nextInt(LOWEST, high);
                if (bindable(port) && HANDED_OUT.add(port)) {
                    return port;
                }
            }
        }
        // The ephemeral range covers nearly everything: let the kernel choose.
        try (ServerSocket socket = new ServerSocket(0, 1, InetAddress.getLoopbackAddress())) {
            HANDED_OUT.add(socket.getLocalPort());
            return socket.getLocalPort();
        } catch (IOException e) {
            throw new UncheckedIOException("cannot find a free loopback port", e);
        }
    }

    private static boolean bindable(int port) {
        try (ServerSocket socket = new ServerSocket(port, 1, InetAddress.getLoopbackAddress())) {
            return true;
        } catch (IOException e) {
            return false;
        }
    }

    private static int ephemeralLow() {
        try {
            String[] range = Files.readString(EPHEMERAL_RANGE).trim().split("\\s+");
            return Integer.parseInt(range[0]);
        } catch (IOException | RuntimeException e) {
            return DEFAULT_EPHEMERAL_LOW;
        }
    }
}
