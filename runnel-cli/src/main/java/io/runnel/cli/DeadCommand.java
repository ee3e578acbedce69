// SPDX-License-Identifier: Apache-2.0

package io.runnel.cli;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.runnel.api.Misconfigured;
import io.runnel.engine.App;
import io.runnel.engine.DeadLetters;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.ParameterException;
import picocli.CommandLine.Parameters;
import picocli.CommandLine.Spec;

import java.io.PrintWriter;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.Callable;

/** {@code runnel dead COMMAND}: a stream's dead letters (list, replay, purge). */
@Command(name = "dead", description = "Lists, replays or purges a stream's dead letters (dead.<stream>).",
        synopsisSubcommandLabel = "COMMAND")
final class DeadCommand implements Runnable {
    private static final ObjectMapper JSON = new ObjectMapper();

    @Spec
    private CommandSpec spec;

    @Override
    public void run() {
        throw new ParameterException(spec.commandLine(), "name a dead-letter command: list, replay or purge");
    }

    /** The dead letters of {@code stream}; an unknown stream is a usage error. */
    static DeadLetters deadLetters(App app, String stream) {
        try {
            return app.deadLetters(stream);
        } catch (Misconfigured e) {
            throw CliFailure.usage(e.getMessage());
        }
    }

    /** Which dead letters a replay or purge takes. */
    static final class SelectionOptions {
        @Option(names = "--ids", split = ",", paramLabel = "ID", description = "only these dead-letter ids (comma-separated)")
        List<String> ids;

        @Option(names = "--since", paramLabel = "ID", description = "only dead letters from this dead-letter id on")
        String since;

        @Option(names = "--error", paramLabel = "CLASS", description = "only failures with this exception class (full or simple name)")
        String error;

        @Option(names = "--dry-run", description = "show what would be done, and do nothing")
        boolean dryRun;

        DeadLetters.Selection selection() {
            try {
                return new DeadLetters.Selection(ids, since, error);
            } catch (Misconfigured e) {
                throw CliFailure.usage(e.getMessage());
            }
        }

        /** Fails when ids were named that are not dead letters (any more). */
        void checkFound(List<DeadLetters.DeadLetter> selected) {
            if (ids == null) {
                return;
            }
            List<String> missing = new ArrayList<>(ids);
            selected.forEach(d -> missing.remove(d.id()));
            if (!missing.isEmpty()) {
                throw CliFailure.usage("no dead letter with id " + String.join(", ", missing)
                        + " matches (see `runnel dead list`); nothing was done");
            }
        }
    }

    /** {@code runnel dead list <AppClass> <stream> [--limit N] [--json]}. */
    @Command(name = "list", description = "Lists the stream's dead letters, oldest first.")
    static final class ListDead implements Callable<Integer> {
        private final RunnelCommand root;
        @Mixin
        private AppClassParameter appClass;
        @Parameters(index = "1", paramLabel = "<stream>", description = "the stream whose dead letters to use")
        private String stream;
        @Option(names = "--limit", paramLabel = "N", defaultValue = "100", description = "at most N (default: ${DEFAULT-VALUE})")
        private int limit;
        @Option(names = "--json", description = "print JSON")
        private boolean json;

        ListDead(RunnelCommand root) {
            this.root = root;
        }

        @Override
        public Integer call() {
            if (limit < 1) {
                throw CliFailure.usage("--limit must be at least 1, got " + limit);
            }
            try (App app = root.loadApp(appClass.name)) {
                List<DeadLetters.DeadLetter> dead = deadLetters(app, stream).list(limit);
                if (json) {
                    root.out().println(json(dead).toPrettyString());
                } else if (dead.isEmpty()) {
                    root.out().println("no dead letters in dead." + stream);
                } else {
                    dead.forEach(d -> print(root.out(), d));
                }
                return Exit.OK.code;
            }
        }
    }

    /** A command that acts on a selection of dead letters: replay or purge. */
    abstract static class Act implements Callable<Integer> {
        private final RunnelCommand root;
        private final String verb;
        private final String done;
        @Mixin
        private AppClassParameter appClass;
        @Parameters(index = "1", paramLabel = "<stream>", description = "the stream whose dead letters to use")
        private String stream;
        @Mixin
        private SelectionOptions options;

        Act(RunnelCommand root, String verb, String done) {
            this.root = root;
            this.verb = verb;
            this.done = done;
        }

        abstract List<DeadLetters.DeadLetter> act(DeadLetters dead, DeadLetters.Selection selection);

        @Override
        public Integer call() {
            DeadLetters.Selection selection = options.selection();
            try (App app = root.loadApp(appClass.name)) {
                DeadLetters dead = deadLetters(app, stream);
                List<DeadLetters.DeadLetter> selected = dead.select(selection);
                options.checkFound(selected);
                if (selected.isEmpty()) {
                    root.out().println("no dead letters match; nothing to " + verb);
                } else if (options.dryRun) {
                    selected.forEach(d -> print(root.out(), d));
                    root.out().println("would " + verb + " " + selected.size() + " dead letter(s) (dry run)");
                } else {
                    try {
                        root.out().println(done + " " + act(dead, selection).size() + " dead letter(s)");
                    } catch (Misconfigured e) {
                        throw CliFailure.usage(e.getMessage());
                    }
                }
                return Exit.OK.code;
            }
        }
    }

    /** {@code runnel dead replay <AppClass> <stream> [selection] [--dry-run]}. */
    @Command(name = "replay", description = {
            "Re-sends the selected dead letters, oldest first, to the partition each failed on, for the processor "
                    + "that failed it only, and deletes each once re-sent.",
            "Safe to run again after it was cut short: nothing is re-sent twice."})
    static final class Replay extends Act {
        Replay(RunnelCommand root) {
            super(root, "replay", "replayed");
        }

        @Override
        List<DeadLetters.DeadLetter> act(DeadLetters dead, DeadLetters.Selection selection) {
            return dead.replay(selection);
        }
    }

    /** {@code runnel dead purge <AppClass> <stream> [selection] [--dry-run]}. */
    @Command(name = "purge", description = "Deletes the selected dead letters (all of them when no selection is given).")
    static final class Purge extends Act {
        Purge(RunnelCommand root) {
            super(root, "purge", "purged");
        }

        @Override
        List<DeadLetters.DeadLetter> act(DeadLetters dead, DeadLetters.Selection selection) {
            return dead.purge(selection);
        }
    }

    private static void print(PrintWriter out, DeadLetters.DeadLetter d) {
        out.println(d.id() + "  partition " + d.partition() + "  event " + d.eventId() + "  processor " + d.processor()
                + "  failed " + d.failedAt() + "  " + d.error());
    }

    private static ArrayNode json(List<DeadLetters.DeadLetter> dead) {
        ArrayNode all = JSON.createArrayNode();
        for (DeadLetters.DeadLetter d : dead) {
            ObjectNode node = all.addObject();
            node.put("id", d.id());
            node.put("partition", d.partition());
            node.put("event_id", d.eventId());
            node.put("processor", d.processor());
            node.put("error", d.error());
            node.put("failed_at", d.failedAt());
            ObjectNode fields = node.putObject("fields");
            d.fields().forEach((name, value) -> fields.put(name, new String(value, StandardCharsets.UTF_8)));
        }
        return all;
    }
}
