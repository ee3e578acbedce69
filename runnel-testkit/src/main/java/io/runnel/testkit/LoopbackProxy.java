// SPDX-License-Identifier: Apache-2.0

package io.runnel.testkit;

import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.ServerSocket;
import java.net.Socket;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;

/**
 * A TCP proxy on a free loopback port that forwards to a server on this machine and can
 * stop forwarding for a while without closing anything: connections stay open, bytes sent
 * meanwhile wait in the proxy and in the kernel's buffers, and reach the other side when
 * forwarding {@link #resume resumes}. So a command sent during a cut arrives late, as
 * through a congested or partitioned network, which a closed connection cannot show.
 */
public final class LoopbackProxy implements AutoCloseable {
    private final ServerSocket server;
    private final InetSocketAddress target;
    private final List<Socket> sockets = new CopyOnWriteArrayList<>();
    private final Object gate = new Object();
    private boolean cut;
    private volatile boolean closed;

    /**
     * Starts forwarding connections to {@code targetPort} on the loopback interface.
     *
     * @param targetPort the port of the server to forward to, on the loopback interface
     * @throws IOException if the proxy cannot listen on a free loopback port
     */
    public LoopbackProxy(int targetPort) throws IOException {
        this.target = new InetSocketAddress(InetAddress.getLoopbackAddress(), targetPort);
        this.server = new ServerSocket(0, 50, InetAddress.getLoopbackAddress());
        Thread.ofVirtual().name("proxy-accept").start(this::accept);
    }

    /**
     * The proxy's port, to connect to instead of the target's.
     *
     * @return the loopback port the proxy listens on
     */
    public int port() {
        return server.getLocalPort();
    }

    /** Stops forwarding, in both directions, until {@link #resume()}. */
    public void cut() {
        synchronized (gate) {
            cut = true;
        }
    }

    /** Forwards again, starting with what waited. */
    public void resume() {
        synchronized (gate) {
            cut = false;
            gate.notifyAll();
        }
    }

    @Override
    public void close() {
        closed = true;
        resume();
        try {
            server.close();
        } catch (IOException e) {
            // closing anyway
        }
        for (Socket s : sockets) {
            try {
                s.close();
            } catch (IOException e) {
                // closing anyway
            }
        }
    }

    private void accept() {
        while (!closed) {
            try {
                Socket client = server.accept();
                Socket upstream = new Socket(target.getAddress(), target.getPort());
                client.setTcpNoDelay(true);
                upstream.setTcpNoDelay(true);
                sockets.add(client);
                sockets.add(upstream);
                Thread.ofVirtual().name("proxy-up").start(() -> pump(client, upstream));
                Thread.ofVirtual().name("proxy-down").start(() -> pump(upstream, client));
            } catch (IOException e) {
                if (closed) {
                    return;
                }
            }
        }
    }

    /** Copies bytes from one socket to the other, holding each chunk while the proxy is cut. */
    private void pump(Socket from, Socket to) {
        byte[] buffer = new byte[64 * 1024];
        try (InputStream in = from.getInputStream(); OutputStream out = to.getOutputStream()) {
            int n;
            while ((n = in.read(buffer)) >= 0) {
                awaitForwarding();
                out.write(buffer, 0, n);
                out.flush();
            }
        } catch (IOException | InterruptedException e) {
            // one side went away: close both, as a proxy does
        } finally {
            closeQuietly(from);
            closeQuietly(to);
        }
    }

    private void awaitForwarding() throws InterruptedException {
        synchronized (gate) {
            while (cut && !closed) {
                gate.wait();
            }
        }
    }

    private static void closeQuietly(Socket socket) {
        try {
            socket.close();
        } catch (IOException e) {
            // already closed
        }
    }
}
