// SPDX-License-Identifier: Apache-2.0

package io.runnel.cli;

import io.runnel.console.Console;
import io.runnel.engine.App;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;

import java.util.concurrent.Callable;
import java.util.concurrent.CountDownLatch;

/** {@code runnel console <AppClass>}: serves the web console until SIGTERM or SIGINT. */
@Command(name = "console", description = {
        "Serves the web console until SIGTERM or SIGINT: partitions, owners, lag and stuck work, history",
        "charts, members, dead letters and parked keys. It needs only the app's definition and Redis.",
        "Read-only unless --actions (or console_actions=on); actions need the token (console_token, or the",
        "one printed at start). Listens on console_host (127.0.0.1) and console_port (8090)."})
final class ConsoleCommand implements Callable<Integer> {
    private final RunnelCommand root;

    @Mixin
    private AppClassParameter appClass;

    @Option(names = "--port", paramLabel = "PORT", description = "the port (console_port; 0: any free port)")
    private Integer port;

    @Option(names = "--host", paramLabel = "ADDRESS",
            description = "the address to listen on (console_host; 127.0.0.1: this machine only)")
    private String host;

    @Option(names = "--actions", description = "offer replays, purges and drops to a signed-in user (console_actions=on)")
    private boolean actions;

    ConsoleCommand(RunnelCommand root) {
        this.root = root;
    }

    @Override
    public Integer call() throws InterruptedException {
        try (App app = root.loadApp(appClass.name)) {
            Console.Builder builder = Console.builder(app);
            if (port != null) {
                builder.port(port);
            }
            if (host != null) {
                builder.host(host);
            }
            if (actions) {
                builder.actions(true);
            }
            CountDownLatch stopped = new CountDownLatch(1);
            try (Console console = builder.start()) {
                root.out().println("runnel console of app " + app.name() + " at " + console.uri());
                if (actions || app.settings().consoleActions()) {
                    console.generatedToken().ifPresentOrElse(
                            token -> root.out().println("actions on; sign in with this token (shown once): " + token),
                            () -> root.out().println("actions on; sign in with console_token"));
                } else {
                    root.out().println("read-only (--actions, or console_actions=on, to replay, purge and drop)");
                }
                root.out().flush();
                if (!SignalStop.install(stopped::countDown)) {
                    Runtime.getRuntime().addShutdownHook(new Thread(stopped::countDown, "runnel-console-stop"));
                }
                stopped.await();
            }
            return Exit.OK.code;
        }
    }
}
