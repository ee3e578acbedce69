// SPDX-License-Identifier: Apache-2.0

package io.runnel.engine;

import io.runnel.api.Misconfigured;
import io.runnel.api.transport.Append;
import io.runnel.api.transport.StreamEntry;
import io.runnel.api.transport.Transport;

import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeMap;
import java.util.regex.Pattern;

/**
 * An operator's view of a stream's dead letters ({@code dead.<stream>}, written by
 * {@link ProcessorOptions#deadLetters()}), from {@link App#deadLetters(String)}: list them,
 * replay a selection (each is re-sent to the partition it failed on, for the processor that
 * failed it only, and deleted once re-sent) or purge a selection. Safe to use while workers
 * run.
 *
 * <p>A replay is idempotent: each re-send is recorded, atomically with it, in the target
 * partition's replay journal ({@code __drep:<app>.<stream>.<partition>}, kept for
 * {@link #JOURNAL_TTL}), so a replay that was cut short and is run again re-sends nothing
 * twice.
 */
public final class DeadLetters {
    /** How long a partition's replay journal outlives its last dead-letter replay. */
    public static final Duration JOURNAL_TTL = Duration.ofDays(7);
    /** Dead letters re-sent, then deleted, at a time: bounds a script run's size and what a crash leaves to redo. */
    private static final int REPLAY_CHUNK = 100;
    private static final Pattern STREAM_ID = Pattern.compile("\\d+(-\\d+)?");
    private static final Set<String> DEAD_FIELDS = Set.of("dead_failed_at", "dead_partition", "dead_id",
            "dead_processor", "dead_error");

    private final Stream<?> stream;
    private final Transport transport;

    DeadLetters(Stream<?> stream, Transport transport) {
        this.stream = stream;
        this.transport = transport;
    }

    /**
     * One dead letter.
     *
     * @param id        its id in the dead-letter stream
     * @param partition the partition it failed on
     * @param eventId   its id there
     * @param processor the processor that failed it
     * @param error     the failure: exception class and message
     * @param failedAt  when, as ISO-8601 text
     * @param fields    the event's own fields, as they were
     */
    public record DeadLetter(String id, int partition, String eventId, String processor, String error, String failedAt,
                             Map<String, byte[]> fields) {
    }

    /**
     * Which dead letters a replay or purge takes; the criteria set must all hold.
     *
     * @param ids        only these dead-letter ids, or null for any
     * @param since      only dead letters from this dead-letter id on, or null
     * @param errorClass only failures with this exception class (full or simple name), or null
     */
    public record Selection(List<String> ids, String since, String errorClass) {
        /**
         * Checks the ids and copies {@code ids}.
         *
         * @throws Misconfigured if an id or {@code since} is not a stream id
         */
        public Selection {
            ids = ids == null ? null : List.copyOf(ids);
            for (String id : ids == null ? List.<String>of() : ids) {
                checkId("dead-letter id", id);
            }
            if (since != null) {
                checkId("--since", since);
            }
        }

        /**
         * Every dead letter.
         *
         * @return a selection with no criteria
         */
        public static Selection all() {
            return new Selection(null, null, null);
        }

        boolean matches(DeadLetter d) {
            if (ids != null && !ids.contains(d.id())) {
                return false;
            }
            if (errorClass != null) {
                String thrown = d.error() == null ? "" : d.error().split(":", 2)[0];
                return thrown.equals(errorClass) || thrown.endsWith("." + errorClass);
            }
            return true;
        }
    }

    /**
     * The dead-letter stream's key.
     *
     * @return the Redis key of {@code dead.<stream>}'s one partition
     */
    public String key() {
        return stream.deadLetters().partitionKey(0);
    }

    /**
     * How many dead letters the stream holds.
     *
     * @return the dead-letter stream's length
     */
    public long count() {
        return transport.length(key());
    }

    /**
     * Up to {@code limit} dead letters, oldest first.
     *
     * @param limit the most dead letters to return, at least 1
     * @return the dead letters
     * @throws Misconfigured if {@code limit} is below 1
     */
    public List<DeadLetter> list(int limit) {
        if (limit < 1) {
            throw new Misconfigured("limit must be at least 1, got " + limit);
        }
        return StreamPages.from(transport, key(), "-", limit).stream().map(DeadLetters::deadLetter).toList();
    }

    /**
     * The dead letters a selection takes, oldest first.
     *
     * @param selection which dead letters to take
     * @return the dead letters it takes; changes nothing
     */
    public List<DeadLetter> select(Selection selection) {
        String start = selection.since() != null ? selection.since() : "-";
        return StreamPages.from(transport, key(), start, Integer.MAX_VALUE).stream().map(DeadLetters::deadLetter)
                .filter(selection::matches).toList();
    }

    /**
     * Re-sends the selected dead letters, oldest first, each to the partition it failed on
     * with its own fields plus {@code replay_for} (its processor, the only one that processes
     * it again) and {@code replay_of} (its event's id), then deletes them from the dead-letter
     * stream. Run again after a crash, it re-sends nothing twice.
     *
     * @param selection which dead letters to replay
     * @return the dead letters re-sent
     * @throws Misconfigured if a selected dead letter failed on a partition the stream no
     *                       longer has (nothing is re-sent then)
     */
    public List<DeadLetter> replay(Selection selection) {
        List<DeadLetter> chosen = select(selection);
        for (DeadLetter d : chosen) {
            if (d.partition() < 0 || d.partition() >= stream.partitionCount()) {
                throw new Misconfigured("dead letter " + d.id() + " failed on partition " + d.partition()
                        + ", which stream " + stream.name() + " (" + stream.partitionCount() + " partitions) does not have");
            }
        }
        for (int from = 0; from < chosen.size(); from += REPLAY_CHUNK) {
            List<DeadLetter> chunk = chosen.subList(from, Math.min(chosen.size(), from + REPLAY_CHUNK));
            Map<Integer, List<DeadLetter>> byPartition = new TreeMap<>();
            for (DeadLetter d : chunk) {
                byPartition.computeIfAbsent(d.partition(), p -> new ArrayList<>()).add(d);
            }
            byPartition.forEach(this::resend);
            // Only once re-sent: a replay cut short before this leaves them to the next run, whose
            // re-sends the journal turns into no-ops.
            transport.deleteEntries(key(), chunk.stream().map(DeadLetter::id).toList());
        }
        return chosen;
    }

    /** Re-sends dead letters to one partition, in order, each once whatever happened before. */
    private void resend(int partition, List<DeadLetter> dead) {
        List<Append> appends = new ArrayList<>(dead.size());
        List<String> tokens = new ArrayList<>(dead.size());
        for (DeadLetter d : dead) {
            Map<String, byte[]> fields = new LinkedHashMap<>(d.fields());
            fields.put(Parking.REPLAY_FOR, utf8(d.processor()));
            fields.put(Parking.REPLAY_OF, utf8(d.eventId()));
            appends.add(new Append(stream.partitionKey(partition), null, fields, 0));
            tokens.add(d.id());
        }
        String journal = Keys.deadReplays(stream.host().name(), stream.name(), partition) + stream.keyTag(partition);
        transport.appendOnce(journal, JOURNAL_TTL, appends, tokens);
    }

    /**
     * Deletes the selected dead letters.
     *
     * @param selection which dead letters to delete
     * @return the dead letters deleted
     */
    public List<DeadLetter> purge(Selection selection) {
        List<DeadLetter> chosen = select(selection);
        transport.deleteEntries(key(), chosen.stream().map(DeadLetter::id).toList());
        return chosen;
    }

    private static DeadLetter deadLetter(StreamEntry e) {
        Map<String, byte[]> own = new LinkedHashMap<>();
        e.fields().forEach((name, value) -> {
            if (!DEAD_FIELDS.contains(name) && !name.startsWith("replay_")) {
                own.put(name, value);
            }
        });
        int partition;
        try {
            partition = Integer.parseInt(text(e.fields().get("dead_partition")));
        } catch (NumberFormatException notANumber) {
            partition = -1;
        }
        return new DeadLetter(e.id(), partition, text(e.fields().get("dead_id")), text(e.fields().get("dead_processor")),
                text(e.fields().get("dead_error")), text(e.fields().get("dead_failed_at")), own);
    }

    private static void checkId(String what, String id) {
        if (id == null || !STREAM_ID.matcher(id).matches()) {
            throw new Misconfigured(what + " '" + id + "' is not a stream id (<millis>-<seq>)");
        }
    }

    private static String text(byte[] value) {
        return value == null ? null : new String(value, StandardCharsets.UTF_8);
    }

    private static byte[] utf8(String text) {
        return text.getBytes(StandardCharsets.UTF_8);
    }
}
