// SPDX-License-Identifier: Apache-2.0

package io.runnel.cli;

import io.runnel.engine.App;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;

import java.util.concurrent.Callable;

/** {@code runnel status <AppClass> [--json]}: members, owners, backlogs and the leader. */
@Command(name = "status", description = {
        "Shows who owns what and how far behind each partition is.",
        "For each processor: members (join time, heartbeat age, assigned partitions) and partitions (owner,",
        "length, pending, oldest pending age, lag, poisoned, stuck since); and the leader. Changes nothing."})
final class StatusCommand implements Callable<Integer> {
    private final RunnelCommand root;

    @Mixin
    private AppClassParameter appClass;

    @Option(names = "--json", description = "print JSON instead of tables")
    private boolean json;

    StatusCommand(RunnelCommand root) {
        this.root = root;
    }

    @Override
    public Integer call() {
        try (App app = root.loadApp(appClass.name)) {
            var status = app.status();
            root.out().print(json ? StatusJson.render(status) : StatusTable.render(status));
            root.out().flush();
            return Exit.OK.code;
        }
    }
}
