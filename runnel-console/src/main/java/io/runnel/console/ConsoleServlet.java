// SPDX-License-Identifier: Apache-2.0

package io.runnel.console;

import io.runnel.api.Misconfigured;
import io.runnel.console.internal.ConsoleHandler;
import io.runnel.engine.App;
import jakarta.servlet.http.HttpServlet;
import jakarta.servlet.http.HttpServletRequest;
import jakarta.servlet.http.HttpServletResponse;

import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.io.Serial;
import java.nio.charset.StandardCharsets;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.Map;

/**
 * The web console mounted in a running servlet application, under the path it is mapped to
 * ({@code /runnel/*}): what the Spring Boot starter registers when {@code console_path} is
 * set. Its settings are the app's: {@code console_actions} and {@code console_token}; in a
 * service, actions need {@code console_token} set, since a generated token could be shown to
 * no one.
 */
public final class ConsoleServlet extends HttpServlet {
    @Serial
    private static final long serialVersionUID = 1L;
    /** The largest request body read: forms only, so small. */
    private static final int MAX_BODY = 256 * 1024;

    private final transient App app;
    private final transient boolean actions;
    private final transient String token;
    private transient volatile ConsoleHandler handler;

    /**
     * The console of {@code app}.
     *
     * @param app the app
     * @throws Misconfigured when {@code console_actions} is on and {@code console_token} is not set
     */
    public ConsoleServlet(App app) {
        this.app = app;
        this.actions = app.settings().consoleActions();
        if (actions && app.settings().consoleToken().isEmpty()) {
            throw new Misconfigured("console_actions=on in a service needs console_token: set it (runnel.console-token "
                    + "or RUNNEL_CONSOLE_TOKEN), so that operators can sign in; a generated token would be shown to no one");
        }
        this.token = app.settings().consoleToken().orElseGet(ConsoleTokens::generate);
    }

    /** Its handler, made at the first request, which tells where the console is mounted. */
    private ConsoleHandler handler(HttpServletRequest request) {
        ConsoleHandler h = handler;
        if (h == null) {
            synchronized (this) {
                if (handler == null) {
                    handler = new ConsoleHandler(app, request.getContextPath() + request.getServletPath() + "/", actions,
                            token, Console.HISTORY_INTERVAL);
                }
                h = handler;
            }
        }
        return h;
    }

    @Override
    protected void service(HttpServletRequest request, HttpServletResponse response) throws IOException {
        String method = request.getMethod();
        if (!method.equals("GET") && !method.equals("POST") && !method.equals("HEAD")) {
            response.sendError(405);
            return;
        }
        String body = null;
        if (method.equals("POST")) {
            try (InputStream in = request.getInputStream()) {
                byte[] bytes = in.readNBytes(MAX_BODY + 1);
                if (bytes.length > MAX_BODY) {
                    response.sendError(413);
                    return;
                }
                body = new String(bytes, StandardCharsets.UTF_8);
            }
        }
        Map<String, String> headers = new LinkedHashMap<>();
        for (String name : Collections.list(request.getHeaderNames())) {
            headers.put(name, String.join(", ", Collections.list(request.getHeaders(name))));
        }
        String path = request.getPathInfo() == null ? "/" : request.getPathInfo();
        ConsoleHandler.Answer answer = handler(request).handle(method.equals("HEAD") ? "GET" : method, path,
                request.getQueryString(), body, headers, request.getRemoteAddr());
        response.setStatus(answer.status());
        response.setContentType(answer.contentType());
        answer.headers().forEach(response::addHeader);
        if (!method.equals("HEAD") && answer.body().length > 0) {
            response.setContentLength(answer.body().length);
            try (OutputStream out = response.getOutputStream()) {
                out.write(answer.body());
            }
        }
    }

    /** Stops the history's sampling. */
    @Override
    public void destroy() {
        ConsoleHandler h = handler;
        if (h != null) {
            h.close();
        }
    }
}
