// SPDX-License-Identifier: Apache-2.0

package io.runnel.cli;

import io.runnel.engine.App;
import io.runnel.engine.Stream;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Parameters;

import java.util.concurrent.Callable;

/** {@code runnel send <AppClass> <stream> <json>}: sends one record and prints its id. */
@Command(name = "send", description = {
        "Sends one record and prints its stream id.",
        "The record is JSON with every component of the stream's record type (null for none)."})
final class SendCommand implements Callable<Integer> {
    private final RunnelCommand root;

    @Mixin
    private AppClassParameter appClass;

    @Parameters(index = "1", paramLabel = "<stream>", description = "the stream's name")
    private String streamName;

    @Parameters(index = "2", paramLabel = "<json>", description = "the record, e.g. '{\"orderId\": 1, \"amount\": 9.99}'")
    private String json;

    SendCommand(RunnelCommand root) {
        this.root = root;
    }

    @Override
    public Integer call() {
        try (App app = root.loadApp(appClass.name)) {
            root.out().println(send(RunnelCommand.stream(app, streamName)));
            return Exit.OK.code;
        }
    }

    private <T> String send(Stream<T> stream) {
        T record;
        try {
            record = new RecordReader<>(stream).read(json);
        } catch (IllegalArgumentException e) {
            throw CliFailure.usage("not a record of stream " + stream.name() + ": " + e.getMessage());
        }
        return stream.send(record);
    }
}
