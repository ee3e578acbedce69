// SPDX-License-Identifier: Apache-2.0

package io.runnel.redis.common;

import io.runnel.api.transport.Append;
import io.runnel.api.transport.Commit;
import io.runnel.api.transport.Fence;
import io.runnel.api.transport.FencedAck;
import io.runnel.api.transport.FencedRead;
import io.runnel.api.transport.NotReplicated;
import io.runnel.api.transport.ParkStep;
import io.runnel.api.transport.ParkingKeys;
import io.runnel.api.transport.StateValue;
import io.runnel.api.transport.StreamEntry;
import io.runnel.api.transport.Transport;
import io.runnel.api.transport.TransportArgs;
import io.runnel.api.transport.TransportException;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.function.Function;
import java.util.function.IntConsumer;

/**
 * The half of a Redis {@link Transport} that is Lua scripts, the same whatever client sends
 * them: the lock and coordination-key writes and the group check ({@link LuaScript}), the
 * fenced commands ({@link FencedCommands}), the parking commands ({@link ParkingCommands}) and
 * the commit commands ({@link CommitCommands});
 * also the key's hash slot, closing and {@code toString}. A client's transport extends it and
 * supplies the connection the scripts run on ({@link Client}) and the one fenced step that is
 * not a script, the reads before a fenced check; it implements the rest of {@link Transport}
 * with its client's own commands.
 *
 * <p>Every command here fails with the closed transport's error once the transport is
 * closed, and names its operation ("lock extension", "fenced XADD"...) in its failures.
 */
public abstract class ScriptedTransport implements Transport {

    /**
     * A client's connection to the server, as far as the scripted commands need it: what its
     * failures say, whether it is still open, where the server keeps keys, how it sends
     * script runs, and how it closes.
     */
    public abstract static class Client {
        private final RedisFailures failures;
        private final OpenState state;

        /**
         * For a client's connection, open until {@link #close()}.
         *
         * @param failures how failures read for the transport's URL; calls made once the
         *                 connection is closed fail with its {@link RedisFailures#closed()}
         */
        protected Client(RedisFailures failures) {
            this.failures = failures;
            this.state = new OpenState(failures::closed);
        }

        /**
         * How the transport's failures read: an error reply of an operation becomes
         * {@link RedisFailures#translate(String, Throwable)}.
         *
         * @return the failures of the transport's URL
         */
        public final RedisFailures failures() {
            return failures;
        }

        /**
         * Whether the connection is still open; {@link #close()} closes it through
         * {@link OpenState#close(Runnable...)}.
         *
         * @return the state
         */
        public final OpenState state() {
            return state;
        }

        /**
         * Fails once the connection is closed; every command checks it first.
         *
         * @throws TransportException the closed transport's error
         */
        public final void ensureOpen() {
            state.ensureOpen();
        }

        /**
         * Where the server keeps keys: one server, or the slots of a Redis Cluster.
         *
         * @return the placement
         */
        public abstract KeyPlacement placement();

        /**
         * Sends runs of a script on the client's connection, pipelined, error replies in place.
         *
         * @param operation names the runs in failures
         * @return the runner
         */
        public abstract LuaScript.Runner scripts(String operation);

        /**
         * Runs of a script on a connection of its own (on a cluster, to the master of the runs'
         * slot), each call followed there by {@code WAIT replicas timeout}, whose answer goes to
         * {@code confirmed}: WAIT answers for the writes of its own connection, and holds it.
         *
         * @param operation what the runs do, for errors
         * @param replicas  the replicas WAIT asks for
         * @param timeout   how long WAIT waits
         * @param confirmed gets the number of replicas that confirmed, after each call
         * @return the runner
         */
        public abstract LuaScript.Runner scriptsThenWait(String operation, int replicas, Duration timeout,
                                                         IntConsumer confirmed);

        /** Closes the connection, once; blocked calls end with a {@link TransportException}. */
        public abstract void close();
    }

    /** For a client's transport. */
    protected ScriptedTransport() {
    }

    /**
     * The connection the scripts run on. Called on every command, so it must be cheap.
     *
     * @return the client's connection
     */
    protected abstract Client client();

    /**
     * How the client sends the reads of a fenced read and then its check on the same
     * connection (see {@link FencedCommands.ReadThenRun}).
     *
     * @return the client's reads
     */
    protected abstract FencedCommands.ReadThenRun readThenRun();

    // ------------------------------------------------------------ keys, locks

    /** As a script that Redis runs at maxmemory too, as every coordination key's write (see {@link Transport}). */
    @Override
    public final void set(String key, String value, Duration ttl) {
        ensureOpen();
        runPerKey(LuaScript.SET, "SET", List.of(key), utf8(value), LuaScript.ttlArgument(TransportArgs.ttlMillisOrZero(ttl)));
    }

    /** As a script that Redis runs at maxmemory too (see {@link Transport}). */
    @Override
    public final List<Boolean> setIfAbsent(List<String> keys, String value, Duration ttl) {
        ensureOpen();
        return runPerKey(LuaScript.SET_IF_ABSENT, "SET NX", keys, utf8(value),
                LuaScript.ttlArgument(TransportArgs.ttlMillisOrZero(ttl))).stream().map(n -> n == 1L).toList();
    }

    @Override
    public final List<Boolean> extendIfOwner(List<String> keys, String owner, Duration ttl) {
        ensureOpen();
        byte[] ttlMillis = utf8(Long.toString(TransportArgs.ttlMillis(ttl)));
        return runPerKey(LuaScript.EXTEND_IF_OWNER, "lock extension", keys, utf8(owner), ttlMillis)
                .stream().map(n -> n == 1L).toList();
    }

    @Override
    public final List<Boolean> deleteIfOwner(List<String> keys, String owner) {
        ensureOpen();
        return runPerKey(LuaScript.DELETE_IF_OWNER, "lock release", keys, utf8(owner))
                .stream().map(n -> n == 1L).toList();
    }

    /** As a script that Redis runs at maxmemory too (see {@link Transport}). */
    @Override
    public final long increment(String key) {
        ensureOpen();
        return runPerKey(LuaScript.INCREMENT, "INCR", List.of(key)).get(0);
    }

    @Override
    public final boolean groupExists(String key, String group) {
        ensureOpen();
        return runPerKey(LuaScript.GROUP_EXISTS, "group check", List.of(key), utf8(group)).get(0) == 1L;
    }

    // ---------------------------------------------------------- fenced commands

    @Override
    public final List<Boolean> extendFenced(List<Fence> fences, Duration ttl) {
        ensureOpen();
        return fenced("lock extension").extend(fences, TransportArgs.ttlMillis(ttl));
    }

    @Override
    public final List<Boolean> releaseFenced(List<Fence> fences) {
        ensureOpen();
        return fenced("lock release").release(fences);
    }

    @Override
    public final List<FencedRead.Result> readGroupFenced(String group, List<FencedRead> reads, int count,
                                                         Duration block) {
        ensureOpen();
        return fenced("fenced XREADGROUP").read(group, reads, count, block, readThenRun());
    }

    @Override
    public final List<Boolean> handOverPending(String group, String to, List<FencedRead> streams) {
        ensureOpen();
        return fenced("pending hand-over").handOver(group, to, streams);
    }

    @Override
    public final List<Boolean> ackFenced(String group, List<FencedAck> acks) {
        ensureOpen();
        return fenced("fenced XACK").ack(group, acks);
    }

    @Override
    public final Optional<List<String>> appendFenced(Fence fence, List<Append> appends) {
        ensureOpen();
        return fenced("fenced XADD").append(fence, appends);
    }

    @Override
    public final boolean setFenced(Fence fence, String key, String value) {
        ensureOpen();
        return fenced("fenced SET").set(fence, key, value);
    }

    // --------------------------------------------------------- parking commands

    @Override
    public final Optional<List<ParkStep.Outcome>> parkFenced(Fence fence, String group, ParkingKeys keys,
                                                             List<ParkStep> steps) {
        ensureOpen();
        return parking("parking").park(fence, group, keys, steps);
    }

    @Override
    public final long releaseParked(ParkingKeys keys, String processor, String key, boolean replay) {
        ensureOpen();
        return parking("parked release").release(keys, processor, key, replay);
    }

    @Override
    public final List<String> appendOnce(String journal, Duration ttl, List<Append> appends, List<String> tokens) {
        ensureOpen();
        return parking("journaled XADD").appendOnce(journal, ttl, appends, tokens);
    }

    @Override
    public final long deleteEntries(String key, List<String> ids) {
        ensureOpen();
        return parking("XDEL").deleteEntries(key, ids);
    }

    // ---------------------------------------------------------- commit commands

    @Override
    public final boolean commitFenced(Fence fence, String group, Commit commit) {
        ensureOpen();
        return commits("commit").commit(fence, group, commit);
    }

    @Override
    public final boolean commitFencedDurably(Fence fence, String group, Commit commit, int replicas, Duration timeout) {
        ensureOpen();
        TransportArgs.requireReplicas(replicas, timeout);
        String operation = "commit and WAIT";
        AtomicInteger confirmed = new AtomicInteger(Integer.MAX_VALUE);
        boolean held = new CommitCommands(client().scriptsThenWait(operation, replicas, timeout, confirmed::set),
                failure(operation)).commit(fence, group, commit);
        if (held && confirmed.get() < replicas) {
            throw new NotReplicated(TransportArgs.commitNotReplicated(confirmed.get(), replicas, timeout)
                    + " (" + client().failures().where() + ")", confirmed.get(), List.of());
        }
        return held;
    }

    @Override
    public final long forwardOnce(String marks, String source, String target, long maxLen, List<StreamEntry> entries) {
        ensureOpen();
        return commits("forwarding XADD").forwardOnce(marks, source, target, maxLen, entries);
    }

    @Override
    public final List<Optional<byte[]>> hashValues(String key, List<String> fields) {
        ensureOpen();
        return commits("HMGET").hashValues(key, fields);
    }

    @Override
    public final List<Optional<StateValue>> stateValues(String key, String expiryKey, List<String> fields,
                                                        long nowMillis) {
        ensureOpen();
        return commits("HMGET").stateValues(key, expiryKey, fields, nowMillis);
    }

    @Override
    public final Map<String, byte[]> hashEntries(String key) {
        ensureOpen();
        return commits("HSCAN").hashEntries(key);
    }

    /** The key's hash slot on a Redis Cluster; 0 for every key on a single server. */
    @Override
    public final int hashSlot(String key) {
        return client().placement().slot(key);
    }

    /** Closes the client's connection. */
    @Override
    public final void close() {
        client().close();
    }

    /** The transport's class and its URL, redacted. */
    @Override
    public String toString() {
        return getClass().getSimpleName() + "[" + client().failures().where() + "]";
    }

    // ------------------------------------------------------------------ helpers

    private void ensureOpen() {
        client().ensureOpen();
    }

    /**
     * Runs a lock script per key, pipelined on the client's connection; keys whose run found
     * the script unloaded are run again with its source.
     */
    private List<Long> runPerKey(LuaScript script, String operation, List<String> keys, byte[]... args) {
        return script.runPerKey(keys, client().scripts(operation), failure(operation), args);
    }

    /** The parking commands; {@code operation} names them in errors. Each call stays in one hash slot. */
    private ParkingCommands parking(String operation) {
        return new ParkingCommands(client().scripts(operation), failure(operation));
    }

    /** The commit commands; {@code operation} names them in errors. Each call stays in one hash slot. */
    private CommitCommands commits(String operation) {
        return new CommitCommands(client().scripts(operation), failure(operation));
    }

    /** The fenced commands; {@code operation} names them in errors. On a cluster they group their runs by master. */
    private FencedCommands fenced(String operation) {
        Client client = client();
        return new FencedCommands(client.scripts(operation), failure(operation), client.placement());
    }

    /** An error reply of {@code operation} as the exception to throw. */
    private Function<Throwable, TransportException> failure(String operation) {
        RedisFailures failures = client().failures();
        return error -> failures.translate(operation, error);
    }

    private static byte[] utf8(String text) {
        return text.getBytes(StandardCharsets.UTF_8);
    }
}
