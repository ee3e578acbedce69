// SPDX-License-Identifier: Apache-2.0

package io.runnel.cli;

import io.runnel.api.transport.TransportException;
import io.runnel.engine.App;
import io.runnel.engine.Stream;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Parameters;

import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStreamReader;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.Callable;

/**
 * {@code runnel sendmany <AppClass> <stream> <file.jsonl|->}: validates every line, then
 * sends them all — or, if any line is bad, nothing.
 */
@Command(name = "sendmany", description = {
        "Sends records from a file of JSON lines (or standard input, '-').",
        "Each line holds one record as 'send' takes it; blank lines are skipped.",
        "Every line is checked first: if any is not a record of the stream, each bad line is reported and nothing is sent."})
final class SendManyCommand implements Callable<Integer> {
    /** Pipelined batches: large files go out in a few round trips without holding one huge batch. */
    private static final int BATCH = 1000;
    /** Enough bad lines to see a pattern, without flooding the terminal. */
    private static final int MAX_REPORTED = 20;

    private final RunnelCommand root;

    @Mixin
    private AppClassParameter appClass;

    @Parameters(index = "1", paramLabel = "<stream>", description = "the stream's name")
    private String streamName;

    @Parameters(index = "2", paramLabel = "<file.jsonl|->", description = "a file of JSON lines, or '-' for standard input")
    private String source;

    SendManyCommand(RunnelCommand root) {
        this.root = root;
    }

    @Override
    public Integer call() {
        try (App app = root.loadApp(appClass.name)) {
            return sendAll(RunnelCommand.stream(app, streamName));
        }
    }

    private <T> int sendAll(Stream<T> stream) {
        List<T> records = validate(stream, readLines());
        int sent = 0;
        try {
            for (int from = 0; from < records.size(); from += BATCH) {
                List<T> batch = records.subList(from, Math.min(records.size(), from + BATCH));
                stream.sendAll(batch);
                sent += batch.size();
            }
        } catch (TransportException e) {
            throw new CliFailure(Exit.UNAVAILABLE, "sending to stream " + stream.name() + " failed after " + sent + " of "
                    + records.size() + " records were sent: " + e.getMessage());
        }
        root.out().println("sent " + sent + " records to stream " + stream.name());
        return Exit.OK.code;
    }

    private <T> List<T> validate(Stream<T> stream, List<String> lines) {
        RecordReader<T> reader = new RecordReader<>(stream);
        List<T> records = new ArrayList<>(lines.size());
        List<String> problems = new ArrayList<>();
        int bad = 0;
        for (int i = 0; i < lines.size(); i++) {
            String line = lines.get(i);
            if (line.isBlank()) {
                continue;
            }
            try {
                records.add(reader.read(line));
            } catch (IllegalArgumentException e) {
                if (++bad <= MAX_REPORTED) {
                    problems.add(describe(i + 1) + ": " + e.getMessage());
                }
            }
        }
        if (bad > 0) {
            StringBuilder message = new StringBuilder(bad == 1 ? "1 line is" : bad + " lines are")
                    .append(" not a record of stream ").append(stream.name()).append("; nothing was sent");
            problems.forEach(p -> message.append(System.lineSeparator()).append("  ").append(p));
            if (bad > MAX_REPORTED) {
                message.append(System.lineSeparator()).append("  ... and ").append(bad - MAX_REPORTED).append(" more");
            }
            throw CliFailure.usage(message.toString());
        }
        return records;
    }

    private String describe(int lineNumber) {
        return (source.equals("-") ? "stdin" : source) + " line " + lineNumber;
    }

    private List<String> readLines() {
        try {
            if (source.equals("-")) {
                BufferedReader reader = new BufferedReader(new InputStreamReader(root.in(), StandardCharsets.UTF_8));
                return reader.lines().toList();
            }
            return Files.readAllLines(Path.of(source), StandardCharsets.UTF_8);
        } catch (NoSuchFileException e) {
            throw CliFailure.usage("no such file: " + source);
        } catch (IOException | java.io.UncheckedIOException e) {
            throw CliFailure.usage("cannot read " + source + ": " + e.getMessage());
        }
    }
}
