package io.runnel.testkit;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.InetAddress;
import java.net.ServerSocket;

/** Picks a loopback TCP port that nothing listens on right now. */
final class FreePort {
    private FreePort() {
    }

    /**
     * Another process may take the port before the caller binds it; callers that start a
     * server retry with a new port when that happens.
     */
    static int find() {
        try (ServerSocket socket = new ServerSocket(0, 1, InetAddress.getLoopbackAddress())) {
            return socket.getLocalPort();
        } catch (IOException e) {
            throw new UncheckedIOException("cannot find a free loopback port", e);
        }
    }
}
