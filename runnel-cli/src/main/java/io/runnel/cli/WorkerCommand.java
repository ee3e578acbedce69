// SPDX-License-Identifier: Apache-2.0

package io.runnel.cli;

import io.runnel.engine.App;
import io.runnel.engine.Worker;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;

import java.util.List;
import java.util.concurrent.Callable;

/** {@code runnel worker <AppClass> [--processors a,b]}: runs a worker until SIGTERM or SIGINT. */
@Command(name = "worker", description = {
        "Runs a worker until SIGTERM or SIGINT.",
        "It runs the app's processors (all, or those named) and its tasks; on the signal it drains within the",
        "grace period, flushes acks, releases its partitions, leaves and exits 0.",
        "Exits 1 if a processor halts the worker."})
final class WorkerCommand implements Callable<Integer> {
    private final RunnelCommand root;

    @Mixin
    private AppClassParameter appClass;

    @Option(names = "--processors", split = ",", paramLabel = "NAME", description = "only these processors (comma-separated)")
    private List<String> processors = List.of();

    WorkerCommand(RunnelCommand root) {
        this.root = root;
    }

    @Override
    public Integer call() throws InterruptedException {
        try (App app = root.loadApp(appClass.name)) {
            RunnelCommand.checkProcessors(app, processors);
            Worker worker = app.worker(processors.toArray(String[]::new));
            if (!SignalStop.install(worker::stop)) {
                Runtime.getRuntime().addShutdownHook(new Thread(worker::stop, "runnel-shutdown"));
            }
            worker.start();
            try {
                worker.await();
            } catch (RuntimeException e) {
                throw new CliFailure(Exit.FAILURE, "worker " + worker.id() + " stopped with an error: " + e);
            }
            return Exit.OK.code;
        }
    }
}
