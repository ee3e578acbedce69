// SPDX-License-Identifier: Apache-2.0

package io.runnel.engine;

import io.runnel.api.RunnelException;
import io.runnel.api.transport.Append;
import io.runnel.api.transport.ServerOutOfMemory;
import io.runnel.api.transport.Transport;
import io.runnel.api.transport.TransportException;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.time.Clock;
import java.time.LocalDateTime;
import java.time.ZoneOffset;
import java.time.format.DateTimeFormatter;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.ThreadLocalRandom;
import java.util.function.Supplier;

/**
 * The members of one processor and their partitions, stored as JSON in
 * {@code __memb:<app>.<stream>.<processor>} in the Python original's shape:
 * {@code {"<executor>": {"joined_at": "<iso>", "partitions": [..]}}}. Every change happens
 * under the admin lock and is announced on the control stream, where every executor
 * listens and rebalances.
 */
final class Membership {
    private static final Logger log = LoggerFactory.getLogger(Membership.class);
    /** Python's {@code datetime.isoformat()} with microseconds: sorts as text in time order. */
    private static final DateTimeFormatter JOINED_AT = DateTimeFormatter.ofPattern("yyyy-MM-dd'T'HH:mm:ss.SSSSSS");
    private static final int CONTROL_MAXLEN = 256;

    enum Reason {
        JOIN, LEAVE, DEAD;

        String wire() {
            return name().toLowerCase(Locale.ROOT);
        }
    }

    /** One member: when it joined and what it was assigned. */
    record Member(String joinedAt, List<Integer> partitions) {
    }

    private final Processor<?> processor;
    private final Transport transport;
    private final AssignmentStrategy strategy;
    private final Clock clock;

    Membership(Processor<?> processor, Transport transport, AssignmentStrategy strategy, Clock clock) {
        this.processor = processor;
        this.transport = transport;
        this.strategy = strategy;
        this.clock = clock;
    }

    /** Current members, oldest first. */
    Map<String, Member> read() {
        return parse(transport.get(processor.membersKey()));
    }

    /** Adds an executor and reassigns partitions; announced as {@code join}. */
    void join(String executorId) {
        boolean changed = withAdminLock(() -> {
            Map<String, Member> members = read();
            if (members.containsKey(executorId)) {
                return false;
            }
            Map<String, String> joined = joinTimes(members);
            joined.put(executorId, LocalDateTime.now(clock.withZone(ZoneOffset.UTC)).format(JOINED_AT));
            write(assign(joined, members));
            return true;
        });
        if (changed) {
            announce(Reason.JOIN, List.of(executorId));
        }
    }

    /** Removes an executor and reassigns its partitions; announced as {@code leave}. */
    void leave(String executorId) {
        boolean changed = withAdminLock(() -> {
            Map<String, Member> members = read();
            if (!members.containsKey(executorId)) {
                return false;
            }
            Map<String, String> joined = joinTimes(members);
            joined.remove(executorId);
            write(assign(joined, members));
            return true;
        });
        if (changed) {
            announce(Reason.LEAVE, List.of(executorId));
        }
    }

    /**
     * Removes members whose heartbeat expired and reassigns their partitions; announced
     * as {@code dead} on the control stream (where every executor listens).
     *
     * @return the executors found dead
     */
    /** The ids of the processor's members, read without the admin lock. */
    List<String> memberIds() {
        return new ArrayList<>(read().keySet());
    }

    /**
     * Whether one of {@code ids} looks dead, read without the admin lock: its heartbeat is gone
     * and it holds no static member's reservation. Cheap enough to ask every second, so that
     * {@link #reap()}, which takes the lock, runs soon after a death and seldom otherwise.
     */
    boolean anyGone(List<String> ids) {
        if (ids.isEmpty()) {
            return false;
        }
        List<Optional<String>> beats = transport.getAll(ids.stream().map(processor::heartbeatKey).toList());
        List<String> silent = new ArrayList<>();
        for (int i = 0; i < ids.size(); i++) {
            if (beats.get(i).isEmpty()) {
                silent.add(ids.get(i));
            }
        }
        return !silent.isEmpty() && transport.getAll(silent.stream().map(processor::reservationKey).toList()).stream()
                .anyMatch(Optional::isEmpty);
    }

    List<String> reap() {
        List<String> dead = withAdminLock(() -> {
            Map<String, Member> members = read();
            if (members.isEmpty()) {
                return List.<String>of();
            }
            List<String> ids = new ArrayList<>(members.keySet());
            List<Optional<String>> beats = transport.getAll(ids.stream().map(processor::heartbeatKey).toList());
            // A static member away (stopped or crashed) keeps its place while its reservation lasts.
            List<Optional<String>> reserved = transport.getAll(ids.stream().map(processor::reservationKey).toList());
            Map<String, String> alive = joinTimes(members);
            List<String> gone = new ArrayList<>();
            for (int i = 0; i < ids.size(); i++) {
                if (beats.get(i).isEmpty() && reserved.get(i).isEmpty()) {
                    alive.remove(ids.get(i));
                    gone.add(ids.get(i));
                }
            }
            if (!gone.isEmpty()) {
                write(assign(alive, members));
            }
            return gone;
        });
        if (!dead.isEmpty()) {
            log.warn("executors {} of processor {} stopped beating; their partitions are reassigned", dead, processor.name());
            announce(Reason.DEAD, dead);
        }
        return dead;
    }

    /**
     * Creates the processor's consumer group, from the start of the stream, on those of
     * {@code keys} that lack it; existing groups are left as they are. Under the admin lock,
     * so it cannot interleave with {@code resetProcessor}, which destroys and recreates the
     * group under the same lock.
     */
    void createGroups(List<String> keys) {
        withAdminLock(() -> {
            try {
                transport.createGroup(keys, processor.group(), "0");
            } catch (ServerOutOfMemory e) {
                // Redis refuses XGROUP CREATE when its memory is full, also where the group
                // exists: a worker that starts then is only stopped by a group that is missing.
                MemoryRefusals.count(processor.metrics().redisOom(), e);
                if (keys.stream().anyMatch(key -> !transport.groupExists(key, processor.group()))) {
                    throw e;
                }
            }
            return null;
        });
    }

    /** Runs an action holding the processor's admin lock. */
    <R> R withAdminLock(Supplier<R> action) {
        String key = processor.adminLockKey();
        String token = Ids.random();
        long deadline = System.nanoTime() + processor.lockExpiry().multipliedBy(2).toNanos();
        long backoffMillis = 2;
        while (!transport.setIfAbsent(key, token, processor.lockExpiry())) {
            if (System.nanoTime() - deadline > 0) { // a difference: nanoTime may wrap
                throw new RunnelException("admin lock " + key + " stayed taken for twice lock_expiry");
            }
            try {
                Thread.sleep(backoffMillis + ThreadLocalRandom.current().nextLong(backoffMillis + 1));
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                throw new RunnelException("interrupted waiting for admin lock " + key, e);
            }
            backoffMillis = Math.min(backoffMillis * 2, 50);
        }
        try {
            return action.get();
        } finally {
            transport.deleteIfOwner(key, token);
        }
    }

    /**
     * Tells the other executors of a change on the control stream, so they rebalance at once.
     * The change is made already: an announcement that fails (Redis refuses the XADD when its
     * memory is full) only delays it until their next periodic check of the membership.
     */
    private void announce(Reason reason, List<String> executorIds) {
        Map<String, byte[]> fields = new LinkedHashMap<>();
        fields.put("reason", reason.wire().getBytes(StandardCharsets.UTF_8));
        fields.put("executor_ids", Json.write(executorIds).getBytes(StandardCharsets.UTF_8));
        try {
            transport.append(new Append(processor.controlKey(), null, fields, CONTROL_MAXLEN));
        } catch (TransportException e) {
            MemoryRefusals.count(processor.metrics().redisOom(), e);
            log.warn("the membership of processor {} changed ({} {}), but announcing it on {} failed; the other "
                            + "executors see the change at their next periodic check (assignment_sleep, {} ms): {}",
                    processor.name(), reason.wire(), executorIds, processor.controlKey(),
                    processor.assignmentSleep().toMillis(), e.getMessage());
        }
    }

    /** The members in {@code joinedAt}, assigned by the strategy from the record's {@code previous} members. */
    private Map<String, Member> assign(Map<String, String> joinedAt, Map<String, Member> previous) {
        List<String> order = new ArrayList<>(joinedAt.keySet());
        order.sort(Comparator.comparing((String id) -> joinedAt.get(id)).thenComparing(id -> id));
        Map<String, List<Integer>> before = new LinkedHashMap<>();
        previous.forEach((id, m) -> {
            if (joinedAt.containsKey(id)) {
                before.put(id, m.partitions());
            }
        });
        Map<String, List<Integer>> assignment = strategy.assign(order, processor.stream().partitionCount(), before);
        Map<String, Member> members = new LinkedHashMap<>();
        for (String id : order) {
            members.put(id, new Member(joinedAt.get(id), List.copyOf(assignment.getOrDefault(id, List.of()))));
        }
        return members;
    }

    private static Map<String, String> joinTimes(Map<String, Member> members) {
        Map<String, String> joined = new LinkedHashMap<>();
        members.forEach((id, m) -> joined.put(id, m.joinedAt()));
        return joined;
    }

    private void write(Map<String, Member> members) {
        Map<String, Object> root = new LinkedHashMap<>();
        members.forEach((id, m) -> {
            Map<String, Object> member = new LinkedHashMap<>();
            member.put("joined_at", m.joinedAt());
            member.put("partitions", m.partitions());
            root.put(id, member);
        });
        transport.set(processor.membersKey(), Json.write(root), null);
        transport.increment(processor.assignmentGenerationKey());
    }

    private static String joinedAt(Object member) {
        return Json.text(Json.member(member, "joined_at"));
    }

    private Map<String, Member> parse(Optional<String> value) {
        Map<String, Member> members = new LinkedHashMap<>();
        if (value.isEmpty() || value.get().isBlank()) {
            return members;
        }
        try {
            List<Map.Entry<String, Object>> entries = new ArrayList<>(Json.readObject(value.get()).entrySet());
            entries.sort(Comparator.comparing((Map.Entry<String, Object> e) -> joinedAt(e.getValue()))
                    .thenComparing(Map.Entry::getKey));
            for (Map.Entry<String, Object> e : entries) {
                List<Integer> partitions = new ArrayList<>();
                for (Object p : Json.list(Json.member(e.getValue(), "partitions"))) {
                    partitions.add(p instanceof Number n ? n.intValue() : Integer.parseInt(Json.text(p)));
                }
                members.put(e.getKey(), new Member(joinedAt(e.getValue()), List.copyOf(partitions)));
            }
            return members;
        } catch (IOException | NumberFormatException e) {
            throw new RunnelException("membership record " + processor.membersKey() + " is not valid JSON", e);
        }
    }
}
