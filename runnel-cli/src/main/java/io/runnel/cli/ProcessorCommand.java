// SPDX-License-Identifier: Apache-2.0

package io.runnel.cli;

import io.runnel.api.Misconfigured;
import io.runnel.engine.App;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.ParameterException;
import picocli.CommandLine.Parameters;
import picocli.CommandLine.Spec;

import java.util.List;
import java.util.concurrent.Callable;

/** {@code runnel processor COMMAND}: operations on one processor (for now, reset). */
@Command(name = "processor", description = "Operations on a processor.", synopsisSubcommandLabel = "COMMAND")
final class ProcessorCommand implements Runnable {
    @Spec
    private CommandSpec spec;

    @Override
    public void run() {
        throw new ParameterException(spec.commandLine(), "name a processor command: reset");
    }

    /** {@code runnel processor reset <AppClass> <processor> [--start ID]}. */
    @Command(name = "reset", description = {
            "Moves the processor's consumer group on every partition to start after ID, dropping its pending entries.",
            "Run it while no worker runs the processor."})
    static final class Reset implements Callable<Integer> {
        private final RunnelCommand root;

        @Mixin
        private AppClassParameter appClass;

        @Parameters(index = "1", paramLabel = "<processor>", description = "the processor's name")
        private String processor;

        @Option(names = "--start", paramLabel = "ID", defaultValue = "0",
                description = "a stream id: 0 replays the whole stream, $ skips to new events, <millis>-<seq> "
                        + "starts after that event (default: ${DEFAULT-VALUE})")
        private String start;

        Reset(RunnelCommand root) {
            this.root = root;
        }

        @Override
        public Integer call() {
            try (App app = root.loadApp(appClass.name)) {
                RunnelCommand.checkProcessors(app, List.of(processor));
                try {
                    app.resetProcessor(processor, start);
                } catch (Misconfigured e) {
                    throw CliFailure.usage(e.getMessage());
                }
                root.out().println("reset processor " + processor + " to start after " + start);
                return Exit.OK.code;
            }
        }
    }
}
