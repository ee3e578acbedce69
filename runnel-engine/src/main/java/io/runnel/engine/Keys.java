// SPDX-License-Identifier: Apache-2.0

package io.runnel.engine;

import io.runnel.api.Misconfigured;

import java.util.regex.Pattern;

/**
 * Redis key names. They are the Python runnel's, so tools and data written by either
 * implementation interoperate. On a Redis Cluster the keys of a partition end with its hash
 * tag ({@link Stream#keyTag}, {@link ClusterLayout}); Python runnel has no cluster support.
 */
final class Keys {
    private static final Pattern SAFE_NAME = Pattern.compile("[A-Za-z0-9_\\-.]{1,200}");

    private Keys() {
    }

    /** Rejects names that would make ambiguous or unsafe keys (spaces, colons, glob characters...). */
    static String checkName(String what, String name) {
        if (name == null || !SAFE_NAME.matcher(name).matches()) {
            throw new Misconfigured(what + " name '" + name + "' is not allowed: use 1 to 200 letters, digits, '_', '-' or '.'");
        }
        return name;
    }

    static String partition(String app, String stream, int partition) {
        return "__strm:" + app + "." + stream + "." + partition;
    }

    static String members(String app, String stream, String processor) {
        return "__memb:" + app + "." + stream + "." + processor;
    }

    static String control(String app, String stream, String processor) {
        return "__ctrl:" + app + "." + stream + "." + processor;
    }

    static String lock(String app, String stream, String processor, int partition) {
        return "__lock:" + app + "." + stream + "." + processor + "." + partition;
    }

    static String adminLock(String app, String stream, String processor) {
        return "__lock:" + app + "." + stream + "." + processor + ".admin";
    }

    static String heartbeat(String app, String stream, String processor, String executorId) {
        return "__beat:" + app + "." + stream + "." + processor + "." + executorId;
    }

    /**
     * What an executor of a per-record processor with max_in_flight above 1 has in flight on
     * each partition it owns, renewed with its heartbeat, for status views in other processes.
     * Not in Python runnel.
     */
    static String inFlight(String app, String stream, String processor, String executorId) {
        return "__infl:" + app + "." + stream + "." + processor + "." + executorId;
    }

    /**
     * Marks a quarantined partition while its poisoning executor holds it, so status views in
     * other processes see it. Not in Python runnel, which keeps poisoned partitions in memory.
     */
    static String poisoned(String app, String stream, String processor, int partition) {
        return "__pois:" + app + "." + stream + "." + processor + "." + partition;
    }

    /**
     * Marks the partition whose failure halted a worker under the HALT policy: the events and
     * the error, so an operator finds them in {@code status} after every worker that met them
     * has halted. Not in Python runnel.
     */
    static String halted(String app, String stream, String processor, int partition) {
        return "__halt:" + app + "." + stream + "." + processor + "." + partition;
    }

    /**
     * The keys a processor parked on a partition under the PARK policy (a hash: key →
     * {@code parked}, or {@code replaying <id>} during a replay). Their events wait in the
     * partition's parked stream, {@link #parked}. Not in Python runnel.
     */
    static String parking(String app, String stream, String processor, int partition) {
        return "__park:" + app + "." + stream + "." + processor + "." + partition;
    }

    /**
     * A processor's keyed state {@code state} on a partition (a hash: key → encoded value),
     * written by the commits of a processor with a context. Not in Python runnel.
     */
    static String state(String app, String stream, String processor, String state, int partition) {
        return "__state:" + app + "." + stream + "." + processor + "." + state + "." + partition;
    }

    /** The sorted set of when the fields of a state with a time to live expire. */
    static String stateExpiries(String app, String stream, String processor, String state, int partition) {
        return "__sttl:" + app + "." + stream + "." + processor + "." + state + "." + partition;
    }

    /**
     * A partition's outbox under exactly_once on a Redis Cluster: what its commits sent to
     * partitions in other hash slots, appended in the commit (in the partition's slot) and then
     * forwarded to the targets once each. Not in Python runnel.
     */
    static String outbox(String app, String stream, String processor, int partition) {
        return "__obox:" + app + "." + stream + "." + processor + "." + partition;
    }

    /**
     * The last outbox entry forwarded to {@code target} from each outbox (a hash: outbox key →
     * entry id), in the target's hash slot (the target key, with its hash tag, is part of it).
     */
    static String forwarded(String target) {
        return "__ofwd:" + target;
    }

    /**
     * The marker of a partition's last commit (the committing lease's token and the commit's
     * number), so a commit sent again after a lost reply is not applied twice. Not in Python runnel.
     */
    static String commitMarker(String app, String stream, String processor, int partition) {
        return "__cmt:" + app + "." + stream + "." + processor + "." + partition;
    }

    /** The parked stream of a stream's partition: {@code parked.<stream>}, partitioned alike. */
    static String parked(String app, String stream, int partition) {
        return partition(app, "parked." + stream, partition);
    }

    /**
     * What a dead-letter replay re-sent into a partition (a hash: dead entry id → new id,
     * expiring), so a replay run again after a crash re-sends nothing twice. Not in Python runnel.
     */
    static String deadReplays(String app, String stream, int partition) {
        return "__drep:" + app + "." + stream + "." + partition;
    }

    /**
     * The fencing epoch of a processor's partition locks: incremented at every acquisition
     * and written into the lock with the executor id, so tokens only grow. Not in Python
     * runnel, whose lock values are bare executor ids.
     */
    static String epoch(String app, String stream, String processor) {
        return "__fenc:" + app + "." + stream + "." + processor;
    }

    /**
     * Marks a partition whose delivery outlived max_processing_time, while its owner holds it,
     * so status views in other processes see it. Not in Python runnel.
     */
    static String stuck(String app, String stream, String processor, int partition) {
        return "__stuck:" + app + "." + stream + "." + processor + "." + partition;
    }

    /**
     * What retention passes found on a partition: per consumer group, the entries removed
     * before the group read them ({@code lost:<group>}) and the last gap seen in Redis's
     * counters ({@code seen:<group>}), and the replication id of the server that made the
     * last pass ({@code origin}). A hash; not in Python runnel.
     */
    static String retention(String app, String stream, int partition) {
        return "__trim:" + app + "." + stream + "." + partition;
    }

    /**
     * The assignment generation of a processor: incremented with every change of its
     * membership record, so status shows how often partitions were reassigned. Not in Python
     * runnel.
     */
    static String assignmentGeneration(String app, String stream, String processor) {
        return "__agen:" + app + "." + stream + "." + processor;
    }

    /**
     * A static member's reservation: while it lives (its time to live is the session timeout,
     * renewed with every heartbeat), the member keeps its place and partitions in the
     * membership even with no heartbeat. Not in Python runnel.
     */
    static String reservation(String app, String stream, String processor, String memberId) {
        return "__resv:" + app + "." + stream + "." + processor + "." + memberId;
    }

    static String leader(String app) {
        return "__lead:" + app;
    }
}
