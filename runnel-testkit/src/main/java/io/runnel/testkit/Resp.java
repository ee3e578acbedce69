// SPDX-License-Identifier: Apache-2.0

package io.runnel.testkit;

import java.io.BufferedInputStream;
import java.io.ByteArrayOutputStream;
import java.io.EOFException;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.InetSocketAddress;
import java.net.Socket;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import javax.net.ssl.SSLSocketFactory;

/**
 * A minimal RESP2 client for administering test servers (PING, AUTH, FLUSHALL, SHUTDOWN,
 * ACL ...). It exists so the testkit does not depend on Lettuce or Jedis, which are the
 * very clients under test. One short-lived socket per command keeps it stateless.
 */
final class Resp {

    /** Where to send commands and how to authenticate first. */
    record Endpoint(String host, int port, boolean tls, String user, String password) {
        static Endpoint plain(String host, int port) {
            return new Endpoint(host, port, false, null, null);
        }

        Endpoint withPassword(String user, String password) {
            return new Endpoint(host, port, tls, user, password);
        }

        @Override
        public String toString() {
            // Never show credentials: these show up in test failure messages.
            return host + ":" + port;
        }
    }

    /** The server answered with an error reply ({@code -ERR ...}). */
    static final class ErrorReply extends RuntimeException {
        private static final long serialVersionUID = 1L;

        ErrorReply(String message) {
            super(message);
        }
    }

    private Resp() {
    }

    /**
     * Sends one command, authenticating first when the endpoint has a password.
     *
     * @return {@code String} for simple and bulk strings, {@code Long} for integers,
     *     {@code List<Object>} for arrays, {@code null} for nil; {@code null} as well when
     *     the server closed the connection without answering (as SHUTDOWN does)
     * @throws ErrorReply   on an error reply
     * @throws IOException  when the server cannot be reached
     */
    static Object call(Endpoint endpoint, Duration timeout, String... command) throws IOException {
        return call(endpoint, timeout, 0, command);
    }

    /**
     * Sends one command to a database other than 0, selecting it first on the same
     * connection (the selection ends with the connection).
     *
     * @see #call(Endpoint, Duration, String...)
     */
    static Object call(Endpoint endpoint, Duration timeout, int database, String... command) throws IOException {
        try (Socket socket = open(endpoint, timeout)) {
            OutputStream out = socket.getOutputStream();
            InputStream in = new BufferedInputStream(socket.getInputStream());
            if (endpoint.password() != null) {
                if (endpoint.user() != null && !endpoint.user().isEmpty()) {
                    write(out, "AUTH", endpoint.user(), endpoint.password());
                } else {
                    write(out, "AUTH", endpoint.password());
                }
                read(in);
            }
            if (database != 0) {
                write(out, "SELECT", Integer.toString(database));
                read(in);
            }
            write(out, command);
            try {
                return read(in);
            } catch (EOFException closedByServer) {
                return null;
            }
        }
    }

    /** Whether anything answers RESP at the endpoint; an error reply (e.g. NOAUTH) counts. */
    static boolean answers(Endpoint endpoint, Duration timeout) {
        try {
            call(endpoint.withPassword(null, null), timeout, "PING");
            return true;
        } catch (ErrorReply e) {
            return true;
        } catch (IOException | RuntimeException e) {
            return false;
        }
    }

    private static Socket open(Endpoint endpoint, Duration timeout) throws IOException {
        int millis = (int) Math.max(1, timeout.toMillis());
        Socket socket = new Socket();
        try {
            socket.connect(new InetSocketAddress(endpoint.host(), endpoint.port()), millis);
            socket.setSoTimeout(millis);
            if (endpoint.tls()) {
                return ((SSLSocketFactory) SSLSocketFactory.getDefault())
                        .createSocket(socket, endpoint.host(), endpoint.port(), true);
            }
            return socket;
        } catch (IOException e) {
            socket.close();
            throw e;
        }
    }

    private static void write(OutputStream out, String... args) throws IOException {
        ByteArrayOutputStream buffer = new ByteArrayOutputStream();
        buffer.writeBytes(("*" + args.length + "\r\n").getBytes(StandardCharsets.US_ASCII));
        for (String arg : args) {
            byte[] bytes = arg.getBytes(StandardCharsets.UTF_8);
            buffer.writeBytes(("$" + bytes.length + "\r\n").getBytes(StandardCharsets.US_ASCII));
            buffer.writeBytes(bytes);
            buffer.writeBytes(new byte[] {'\r', '\n'});
        }
        out.write(buffer.toByteArray());
        out.flush();
    }

    private static Object read(InputStream in) throws IOException {
        int type = in.read();
        if (type < 0) {
            throw new EOFException("connection closed by the server");
        }
        String line = readLine(in);
        return switch (type) {
            case '+' -> line;
            case '-' -> throw new ErrorReply(line);
            case ':' -> Long.parseLong(line);
            case '$' -> readBulk(in, Integer.parseInt(line));
            case '*' -> readArray(in, Integer.parseInt(line));
            default -> throw new IOException("unexpected RESP type byte " + type);
        };
    }

    private static String readBulk(InputStream in, int length) throws IOException {
        if (length < 0) {
            return null;
        }
        byte[] bytes = in.readNBytes(length);
        if (bytes.length < length) {
            throw new EOFException("connection closed inside a bulk string");
        }
        readLine(in);
        return new String(bytes, StandardCharsets.UTF_8);
    }

    private static List<Object> readArray(InputStream in, int length) throws IOException {
        if (length < 0) {
            return null;
        }
        List<Object> items = new ArrayList<>(length);
        for (int i = 0; i < length; i++) {
            try {
                items.add(read(in));
            } catch (ErrorReply e) {
                // An error nested in an array (e.g. inside EXEC) is data, not a failure of the call.
                items.add(e);
            }
        }
        return items;
    }

    private static String readLine(InputStream in) throws IOException {
        ByteArrayOutputStream line = new ByteArrayOutputStream();
        int previous = -1;
        while (true) {
            int b = in.read();
            if (b < 0) {
                throw new EOFException("connection closed inside a reply");
            }
            if (previous == '\r' && b == '\n') {
                byte[] bytes = line.toByteArray();
                return new String(bytes, 0, bytes.length - 1, StandardCharsets.UTF_8);
            }
            line.write(b);
            previous = b;
        }
    }
}
