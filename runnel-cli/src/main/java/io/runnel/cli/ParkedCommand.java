// SPDX-License-Identifier: Apache-2.0

package io.runnel.cli;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.runnel.engine.App;
import io.runnel.engine.ParkedKeys;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.ParameterException;
import picocli.CommandLine.Parameters;
import picocli.CommandLine.Spec;

import java.util.List;
import java.util.NoSuchElementException;
import java.util.concurrent.Callable;

/** {@code runnel parked COMMAND}: the keys a processor parked under the PARK policy (list, replay, drop). */
@Command(name = "parked", description = "Lists, replays or drops the keys a processor parked (policy PARK).",
        synopsisSubcommandLabel = "COMMAND")
final class ParkedCommand implements Runnable {
    private static final ObjectMapper JSON = new ObjectMapper();

    @Spec
    private CommandSpec spec;

    @Override
    public void run() {
        throw new ParameterException(spec.commandLine(), "name a parked-key command: list, replay or drop");
    }

    /** The keys {@code processor} parked; an unknown processor is a usage error. */
    static ParkedKeys parkedKeys(App app, String processor) {
        RunnelCommand.checkProcessors(app, List.of(processor));
        return app.parkedKeys(processor);
    }

    /** {@code runnel parked list <AppClass> <processor> [--json]}. */
    @Command(name = "list", description = "Lists the processor's parked keys with their waiting events.")
    static final class ListParked implements Callable<Integer> {
        private final RunnelCommand root;
        @Mixin
        private AppClassParameter appClass;
        @Parameters(index = "1", paramLabel = "<processor>", description = "the processor that parked the keys")
        private String processor;
        @Option(names = "--json", description = "print JSON")
        private boolean json;

        ListParked(RunnelCommand root) {
            this.root = root;
        }

        @Override
        public Integer call() {
            try (App app = root.loadApp(appClass.name)) {
                List<ParkedKeys.Parked> parked = parkedKeys(app, processor).list();
                if (json) {
                    ArrayNode all = JSON.createArrayNode();
                    for (ParkedKeys.Parked p : parked) {
                        ObjectNode node = all.addObject();
                        node.put("key", p.key());
                        node.put("partition", p.partition());
                        node.put("state", p.state());
                        node.put("events", p.events());
                        node.put("first_id", p.firstId());
                        node.put("parked_at", p.parkedAt());
                        node.put("error", p.error());
                    }
                    root.out().println(all.toPrettyString());
                } else if (parked.isEmpty()) {
                    root.out().println("processor " + processor + " has no parked keys");
                } else {
                    for (ParkedKeys.Parked p : parked) {
                        root.out().println(p.key() + "  partition " + p.partition() + "  " + p.state() + "  "
                                + p.events() + " event(s)" + (p.firstId() == null ? "" : "  first " + p.firstId()
                                + " parked " + p.parkedAt()) + (p.error() == null ? "" : "  " + p.error()));
                    }
                }
                return Exit.OK.code;
            }
        }
    }

    /** {@code runnel parked replay|drop <AppClass> <processor> <key>}. */
    abstract static class Release implements Callable<Integer> {
        private final RunnelCommand root;
        @Mixin
        private AppClassParameter appClass;
        @Parameters(index = "1", paramLabel = "<processor>", description = "the processor that parked the keys")
        private String processor;
        @Parameters(index = "2", paramLabel = "<key>", description = "the parked key, as `runnel parked list` shows it")
        private String key;

        Release(RunnelCommand root) {
            this.root = root;
        }

        abstract long release(ParkedKeys parked, String key);

        abstract String done(long events, String key);

        @Override
        public Integer call() {
            try (App app = root.loadApp(appClass.name)) {
                ParkedKeys parked = parkedKeys(app, processor);
                try {
                    root.out().println(done(release(parked, key), key));
                } catch (NoSuchElementException e) {
                    throw CliFailure.usage(e.getMessage() + " (see `runnel parked list`)");
                }
                return Exit.OK.code;
            }
        }
    }

    @Command(name = "replay", description = {"Re-sends the key's parked events to its partition, in order, for this "
            + "processor only; the key is released once the last of them is processed."})
    static final class Replay extends Release {
        Replay(RunnelCommand root) {
            super(root);
        }

        @Override
        long release(ParkedKeys parked, String key) {
            return parked.replay(key);
        }

        @Override
        String done(long events, String key) {
            return "replaying " + events + " parked event(s) of key " + key;
        }
    }

    @Command(name = "drop", description = "Deletes the key's parked events and releases the key.")
    static final class Drop extends Release {
        Drop(RunnelCommand root) {
            super(root);
        }

        @Override
        long release(ParkedKeys parked, String key) {
            return parked.drop(key);
        }

        @Override
        String done(long events, String key) {
            return "dropped " + events + " parked event(s) of key " + key + "; the key is released";
        }
    }
}
