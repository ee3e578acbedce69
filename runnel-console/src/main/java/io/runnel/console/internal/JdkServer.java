// SPDX-License-Identifier: Apache-2.0

package io.runnel.console.internal;

import com.sun.net.httpserver.HttpExchange;
import com.sun.net.httpserver.HttpServer;

import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.InetSocketAddress;
import java.net.URI;
import java.nio.charset.StandardCharsets;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;

/**
 * Serves a {@link ConsoleHandler} with the JDK's own HTTP server, a virtual thread per
 * request. What {@code runnel console} runs.
 */
public final class JdkServer implements AutoCloseable {
    /** The largest request body read: forms only, so small. */
    static final int MAX_BODY = 256 * 1024;

    private final HttpServer server;
    private final ExecutorService threads = Executors.newVirtualThreadPerTaskExecutor();
    private final ConsoleHandler handler;

    /**
     * Starts serving.
     *
     * @param handler the console
     * @param host    the address to listen on
     * @param port    the port, 0 for any free one
     * @throws IOException when the address cannot be bound
     */
    public JdkServer(ConsoleHandler handler, String host, int port) throws IOException {
        this.handler = handler;
        this.server = HttpServer.create(new InetSocketAddress(host, port), 64);
        server.createContext("/", this::serve);
        server.setExecutor(threads);
        server.start();
    }

    /**
     * Where the console is, as a browser on this machine reaches it.
     *
     * @return the URL of its overview
     */
    public URI uri() {
        InetSocketAddress at = server.getAddress();
        String host = at.getAddress().isAnyLocalAddress() ? "127.0.0.1" : at.getHostString();
        if (host.contains(":")) {
            host = "[" + host + "]";
        }
        return URI.create("http://" + host + ":" + at.getPort() + "/");
    }

    private void serve(HttpExchange exchange) throws IOException {
        try (exchange) {
            String method = exchange.getRequestMethod();
            if (!method.equals("GET") && !method.equals("POST") && !method.equals("HEAD")) {
                exchange.sendResponseHeaders(405, -1);
                return;
            }
            String body = null;
            if (method.equals("POST")) {
                try (InputStream in = exchange.getRequestBody()) {
                    byte[] bytes = in.readNBytes(MAX_BODY + 1);
                    if (bytes.length > MAX_BODY) {
                        exchange.sendResponseHeaders(413, -1);
                        return;
                    }
                    body = new String(bytes, StandardCharsets.UTF_8);
                }
            }
            Map<String, String> headers = new LinkedHashMap<>();
            exchange.getRequestHeaders().forEach((name, values) -> headers.put(name, String.join(", ", values)));
            URI uri = exchange.getRequestURI();
            ConsoleHandler.Answer answer = handler.handle(method.equals("HEAD") ? "GET" : method, uri.getRawPath(),
                    uri.getRawQuery(), body, headers, exchange.getRemoteAddress().getAddress().getHostAddress());
            exchange.getResponseHeaders().set("Content-Type", answer.contentType());
            answer.headers().forEach((name, value) -> exchange.getResponseHeaders().add(name, value));
            boolean noBody = method.equals("HEAD") || answer.body().length == 0;
            exchange.sendResponseHeaders(answer.status(), noBody ? -1 : answer.body().length);
            if (!noBody) {
                try (OutputStream out = exchange.getResponseBody()) {
                    out.write(answer.body());
                }
            }
        }
    }

    /** Stops serving, and the handler's history. */
    @Override
    public void close() {
        server.stop(0);
        threads.close();
        handler.close();
    }
}
