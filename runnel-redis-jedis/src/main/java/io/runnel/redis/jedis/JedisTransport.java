// SPDX-License-Identifier: Apache-2.0

package io.runnel.redis.jedis;

import io.runnel.api.transport.Append;
import io.runnel.api.transport.ConnectionUrl;
import io.runnel.api.transport.Fence;
import io.runnel.api.transport.FencedAck;
import io.runnel.api.transport.FencedRead;
import io.runnel.api.transport.GroupInfo;
import io.runnel.api.transport.NotReplicated;
import io.runnel.api.transport.ParkStep;
import io.runnel.api.transport.ParkingKeys;
import io.runnel.api.transport.RetentionPass;
import io.runnel.api.transport.RetentionResult;
import io.runnel.api.transport.ServerMemory;
import io.runnel.api.transport.StreamEntry;
import io.runnel.api.transport.Transport;
import io.runnel.api.transport.TransportArgs;
import io.runnel.api.transport.TransportException;
import io.runnel.redis.common.CommandTimeout;
import io.runnel.redis.common.FencedCommands;
import io.runnel.redis.common.GroupInfoScript;
import io.runnel.redis.common.KeyPlacement;
import io.runnel.redis.common.LuaScript;
import io.runnel.redis.common.MemoryInfo;
import io.runnel.redis.common.OpenState;
import io.runnel.redis.common.ParkingCommands;
import io.runnel.redis.common.RedisFailures;
import io.runnel.redis.common.RedisReplies;
import io.runnel.redis.common.RetentionScript;
import io.runnel.redis.common.ServerMode;
import io.runnel.redis.common.SlotGroups;
import java.time.Duration;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Optional;
import java.util.function.Function;
import org.apache.commons.pool2.impl.GenericObjectPoolConfig;
import redis.clients.jedis.CommandArguments;
import redis.clients.jedis.Connection;
import redis.clients.jedis.Protocol.Command;
import redis.clients.jedis.exceptions.JedisDataException;
import redis.clients.jedis.providers.ClusterConnectionProvider;
import redis.clients.jedis.providers.ConnectionProvider;

/**
 * The {@link Transport} on Jedis. Jedis connections serve one caller at a time, so ordinary
 * commands borrow a connection from a pool for a single round trip: a batch (appends, acks,
 * lock operations) is written in full before any reply is read. Blocking reads borrow from
 * a second, unbounded pool, so they never hold up, or wait for, ordinary commands. Lock
 * checks run as Lua scripts, atomic per key. It behaves as the Lettuce transport does.
 *
 * <p>Accepts {@code redis://[user:password@]host:port[/db]}, {@code rediss://},
 * {@code redis-sentinel://[user:password@]host:port[,host2:port2]/db#masterName} (or
 * {@code ?sentinelMasterId=masterName}) and
 * {@code redis-cluster://[user:password@]host:port[,host2:port2...]} ({@code rediss-cluster://}
 * for TLS) URLs, with Lettuce's query parameters; the {@code timeout} parameter (default
 * 60 s, and it must be positive) bounds every command, plus the block time for blocking
 * reads. Create it through {@link JedisTransportProvider} or directly.
 *
 * <p>On a Redis Cluster both pools are kept per node, each command goes to the master of its
 * key's hash slot (see {@code ClusterPipeline}), a batch is split by node and sent to every
 * node before any reply is read, and the multi-key commands are split by slot
 * ({@code SlotSplits}); a blocking read over streams of several slots is refused.
 */
public final class JedisTransport implements Transport {
    private static final String NO_ENTRY = "0-0";

    private final RedisFailures failures;
    private final OpenState state;
    private final Duration timeout;
    private final CallFailures calls;
    /** On a cluster: a pool per node, and the slot map. */
    private final ConnectionProvider commands;
    private final BlockingConnections blocking;
    /** How commands reach a cluster's nodes; null on a single server. */
    private final ClusterPipeline cluster;
    private final KeyPlacement placement;

    /**
     * Connects to the server.
     *
     * @param url a {@code redis://}, {@code rediss://}, {@code redis-sentinel://},
     *            {@code redis-cluster://} or {@code rediss-cluster://} URL
     * @throws TransportException if the URL is invalid or the server cannot be reached or
     *                            refuses the credentials; the message shows the URL redacted
     */
    public JedisTransport(ConnectionUrl url) {
        Objects.requireNonNull(url, "url");
        this.failures = new RedisFailures(url, Failures::kind);
        this.state = new OpenState(failures::closed);
        this.calls = new CallFailures(failures, state);
        RedisAddress address = parse(url);
        this.timeout = address.timeout();
        this.commands = open(address, Pools.forCommands(timeout));
        try {
            this.blocking = new BlockingConnections(open(address, Pools.forBlockingReads()), failures::closed);
        } catch (RuntimeException e) {
            Pools.close(commands);
            throw e;
        }
        ClusterRouting routing = address.cluster() ? new ClusterRouting((ClusterConnectionProvider) commands, blocking) : null;
        this.cluster = routing != null ? new ClusterPipeline(routing, calls) : null;
        this.placement = routing != null ? routing.placement() : KeyPlacement.SINGLE_SERVER;
        try {
            // Pools connect lazily; an unreachable server or wrong password should fail here, not later.
            checkConnection();
        } catch (RuntimeException e) {
            close();
            throw e;
        }
    }

    // ---------------------------------------------------------------- streams

    @Override
    public List<String> append(List<Append> appends) {
        state.ensureOpen();
        List<CommandArguments> adds = new ArrayList<>(appends.size());
        for (Append append : appends) {
            adds.add(Commands.xadd(append));
        }
        return callAll("XADD", adds).stream().map(Replies::text).toList();
    }

    @Override
    public List<String> appendDurably(List<Append> appends, int replicas, Duration timeout) {
        state.ensureOpen();
        TransportArgs.requireReplicas(replicas, timeout);
        List<CommandArguments> commands = new ArrayList<>(appends.size() + 1);
        for (Append append : appends) {
            commands.add(Commands.xadd(append));
        }
        if (cluster != null) {
            return appendDurablyOnCluster(commands, replicas, timeout);
        }
        // WAIT answers for the writes of its own connection, and holds it meanwhile: a blocking one.
        commands.add(Commands.waitForReplicas(replicas, timeout));
        List<Object> replies = onBlockingConnection("XADD and WAIT", timeout, commands);
        for (Object reply : replies) {
            if (reply instanceof JedisDataException error) {
                throw failures.translate("XADD", error);
            }
        }
        List<String> ids = replies.subList(0, appends.size()).stream().map(Replies::text).toList();
        return replicated(ids, (int) (long) (Long) replies.get(appends.size()), replicas, timeout);
    }

    /**
     * Each master answers for the writes it took, on the connection they went through: the
     * XADDs are split by node, each node's followed by a WAIT, all nodes at once.
     */
    private List<String> appendDurablyOnCluster(List<CommandArguments> adds, int replicas, Duration timeout) {
        ClusterPipeline.Written written = cluster.writeThenWait("XADD and WAIT", adds,
                Commands.waitForReplicas(replicas, timeout), CommandTimeout.forBlockingRead(this.timeout, timeout));
        for (Object reply : written.replies()) {
            if (reply instanceof JedisDataException error) {
                throw failures.translate("XADD", error);
            }
        }
        int confirmed = Integer.MAX_VALUE; // no master written to (no appends): nothing to confirm
        for (Object reply : written.waits()) {
            if (reply instanceof JedisDataException error) {
                throw failures.translate("WAIT", error);
            }
            confirmed = Math.min(confirmed, (int) (long) (Long) reply);
        }
        return replicated(written.replies().stream().map(Replies::text).toList(), confirmed, replicas, timeout);
    }

    /** The ids of a durable append, or NotReplicated when fewer replicas than asked confirmed it. */
    private List<String> replicated(List<String> ids, int confirmed, int replicas, Duration timeout) {
        int appends = ids.size();
        if (confirmed < replicas) {
            throw new NotReplicated(TransportArgs.notReplicated(appends, confirmed, replicas, timeout)
                    + " (" + failures.where() + ")", confirmed, ids);
        }
        return ids;
    }

    @Override
    public long length(String key) {
        state.ensureOpen();
        return Replies.integer(call("XLEN", Commands.xlen(key)));
    }

    @Override
    public List<StreamEntry> range(String key, String start, String end, int count) {
        state.ensureOpen();
        return Replies.entries(call("XRANGE", Commands.xrange(key, start, end, count)));
    }

    @Override
    public String lastId(String key) {
        state.ensureOpen();
        List<StreamEntry> newest = Replies.entries(call("XREVRANGE", Commands.newest(key)));
        return newest.isEmpty() ? NO_ENTRY : newest.get(0).id();
    }

    @Override
    public List<StreamEntry> read(String key, String afterId, int count, Duration block) {
        state.ensureOpen();
        long blockMillis = TransportArgs.blockMillis(block);
        CommandArguments xread = Commands.xread(key, afterId, count, blockMillis);
        Object reply = blockMillis > 0 ? onBlockingConnection("XREAD", block, xread) : call("XREAD", xread);
        return Replies.onlyStream(reply);
    }

    @Override
    public void delete(List<String> keys) {
        state.ensureOpen();
        if (keys.isEmpty()) {
            return;
        }
        if (cluster != null) {
            SlotSplits.del(keys, SlotSplits.bySlot(keys), this::callAll);
            return;
        }
        call("DEL", Commands.del(keys));
    }

    // --------------------------------------------------------- consumer groups

    @Override
    public void createGroup(List<String> keys, String group, String startId) {
        state.ensureOpen();
        List<CommandArguments> creates = new ArrayList<>(keys.size());
        for (String key : keys) {
            creates.add(Commands.xgroupCreate(key, group, startId));
        }
        for (Object created : pipeline("XGROUP CREATE", creates)) {
            // BUSYGROUP: the group exists and must be left as it is (its offset included).
            if (created instanceof JedisDataException error && !RedisReplies.groupExists(error)) {
                throw failures.translate("XGROUP CREATE", error);
            }
        }
    }

    @Override
    public void destroyGroup(List<String> keys, String group) {
        state.ensureOpen();
        List<CommandArguments> destroys = new ArrayList<>(keys.size());
        for (String key : keys) {
            destroys.add(Commands.xgroupDestroy(key, group));
        }
        for (Object destroyed : pipeline("XGROUP DESTROY", destroys)) {
            // A missing key has no group to destroy; Redis calls that an error, we do not.
            if (destroyed instanceof JedisDataException error && !RedisReplies.keyMissing(error)) {
                throw failures.translate("XGROUP DESTROY", error);
            }
        }
    }

    @Override
    public boolean groupExists(String key, String group) {
        state.ensureOpen();
        return runPerKey(LuaScript.GROUP_EXISTS, "group check", List.of(key), Commands.utf8(group)).get(0) == 1L;
    }

    @Override
    public Map<String, List<StreamEntry>> readGroup(String group, String consumer, Map<String, String> idsByKey,
                                                    int count, Duration block) {
        state.ensureOpen();
        if (idsByKey.isEmpty()) {
            return Map.of(); // XREADGROUP needs a stream: nothing to ask the server
        }
        long blockMillis = TransportArgs.blockMillis(block);
        if (cluster != null) {
            Map<Integer, List<Integer>> bySlot = SlotSplits.bySlot(List.copyOf(idsByKey.keySet()));
            if (bySlot.size() > 1) {
                if (blockMillis > 0) {
                    throw SlotGroups.blockingAcrossSlots(bySlot.keySet());
                }
                return SlotSplits.readGroup(group, consumer, idsByKey, bySlot, count, this::callAll);
            }
        }
        CommandArguments xreadgroup = Commands.xreadgroup(group, consumer, idsByKey, count, blockMillis);
        Object reply = blockMillis > 0
                ? onBlockingConnection("XREADGROUP", block, xreadgroup)
                : call("XREADGROUP", xreadgroup);
        return Replies.byKey(idsByKey.keySet(), reply);
    }

    @Override
    public void ack(String group, Map<String, List<String>> idsByKey) {
        state.ensureOpen();
        List<CommandArguments> acks = new ArrayList<>(idsByKey.size());
        idsByKey.forEach((key, ids) -> {
            if (!ids.isEmpty()) {
                acks.add(Commands.xack(key, group, ids));
            }
        });
        callAll("XACK", acks);
    }

    @Override
    public long pendingCount(String key, String group) {
        state.ensureOpen();
        return Replies.integer(Replies.array(call("XPENDING", Commands.xpending(key, group))).get(0));
    }

    @Override
    public Optional<GroupInfo> groupInfo(String key, String group) {
        state.ensureOpen();
        // Status reads are rare: plain EVAL, not worth caching the script by its SHA-1.
        Object reply = call("group info", Commands.script(Command.EVAL, GroupInfoScript.SOURCE, key, Commands.utf8(group)));
        return GroupInfoScript.parse(Replies.array(reply));
    }

    @Override
    public RetentionResult retain(RetentionPass pass) {
        state.ensureOpen();
        // One run per partition per retention interval: plain EVAL, as for group info.
        Object reply = call("retention", Commands.script(Command.EVAL, RetentionScript.SOURCE,
                RetentionScript.keys(pass), RetentionScript.args(pass)));
        return RetentionScript.parse(Replies.array(reply));
    }

    @Override
    public Map<String, String> getHash(String key) {
        state.ensureOpen();
        List<Object> flat = Replies.array(call("HGETALL", new CommandArguments(Command.HGETALL).key(Commands.utf8(key))));
        Map<String, String> hash = new LinkedHashMap<>();
        for (int i = 0; i + 1 < flat.size(); i += 2) {
            hash.put(Replies.text(flat.get(i)), Replies.text(flat.get(i + 1)));
        }
        return hash;
    }

    // ------------------------------------------------------------ keys, locks

    @Override
    public Optional<String> get(String key) {
        state.ensureOpen();
        return Optional.ofNullable(Replies.text(call("GET", Commands.get(key))));
    }

    @Override
    public List<Optional<String>> getAll(List<String> keys) {
        state.ensureOpen();
        if (keys.isEmpty()) {
            return List.of();
        }
        List<Object> values = cluster != null
                ? SlotSplits.mget(keys, SlotSplits.bySlot(keys), this::callAll)
                : Replies.array(call("MGET", Commands.mget(keys)));
        List<Optional<String>> result = new ArrayList<>(values.size());
        for (Object value : values) {
            result.add(Optional.ofNullable(Replies.text(value)));
        }
        return result;
    }

    /** As a script that Redis runs at maxmemory too, as every coordination key's write (see {@link Transport}). */
    @Override
    public void set(String key, String value, Duration ttl) {
        state.ensureOpen();
        runPerKey(LuaScript.SET, "SET", List.of(key), Commands.utf8(value),
                LuaScript.ttlArgument(TransportArgs.ttlMillisOrZero(ttl)));
    }

    /** As a script that Redis runs at maxmemory too (see {@link Transport}). */
    @Override
    public List<Boolean> setIfAbsent(List<String> keys, String value, Duration ttl) {
        state.ensureOpen();
        return runPerKey(LuaScript.SET_IF_ABSENT, "SET NX", keys, Commands.utf8(value),
                LuaScript.ttlArgument(TransportArgs.ttlMillisOrZero(ttl))).stream().map(n -> n == 1L).toList();
    }

    @Override
    public List<Boolean> extendIfOwner(List<String> keys, String owner, Duration ttl) {
        state.ensureOpen();
        byte[] ttlMillis = Commands.utf8(Long.toString(TransportArgs.ttlMillis(ttl)));
        return runPerKey(LuaScript.EXTEND_IF_OWNER, "lock extension", keys, Commands.utf8(owner), ttlMillis)
                .stream().map(n -> n == 1L).toList();
    }

    @Override
    public List<Boolean> deleteIfOwner(List<String> keys, String owner) {
        state.ensureOpen();
        return runPerKey(LuaScript.DELETE_IF_OWNER, "lock release", keys, Commands.utf8(owner))
                .stream().map(n -> n == 1L).toList();
    }

    @Override
    public Optional<Duration> timeToLive(String key) {
        state.ensureOpen();
        return RedisReplies.timeToLive(Replies.integer(call("PTTL", Commands.pttl(key))));
    }

    /** As a script that Redis runs at maxmemory too (see {@link Transport}). */
    @Override
    public long increment(String key) {
        state.ensureOpen();
        return runPerKey(LuaScript.INCREMENT, "INCR", List.of(key)).get(0);
    }

    // ---------------------------------------------------------- fenced commands

    @Override
    public List<Boolean> extendFenced(List<Fence> fences, Duration ttl) {
        state.ensureOpen();
        return fenced("lock extension").extend(fences, TransportArgs.ttlMillis(ttl));
    }

    @Override
    public List<Boolean> releaseFenced(List<Fence> fences) {
        state.ensureOpen();
        return fenced("lock release").release(fences);
    }

    @Override
    public List<FencedRead.Result> readGroupFenced(String group, List<FencedRead> reads, int count, Duration block) {
        state.ensureOpen();
        return fenced("fenced XREADGROUP").read(group, reads, count, block, this::readThenRun);
    }

    @Override
    public List<Boolean> handOverPending(String group, String to, List<FencedRead> streams) {
        state.ensureOpen();
        return fenced("pending hand-over").handOver(group, to, streams);
    }

    /**
     * Each unit's XREADGROUPs and then its script run, pipelined: a blocking read's own
     * connection, else a pooled one (on a cluster, one per master, where a unit's commands
     * keep their order). Runs' error replies come back in place; a failed read throws.
     */
    private List<FencedCommands.ReadAndRun> readThenRun(String group, String consumer,
                                                        List<FencedCommands.ReadUnit> units, int count, Duration block) {
        long blockMillis = TransportArgs.blockMillis(block);
        List<CommandArguments> batch = new ArrayList<>();
        for (FencedCommands.ReadUnit unit : units) {
            for (Map<String, String> ids : unit.reads()) {
                batch.add(Commands.xreadgroup(group, consumer, ids, count, blockMillis));
            }
            batch.add(Commands.script(Command.EVALSHA, unit.sha(), unit.check().keys(), unit.check().args()));
        }
        List<Object> replies = blockMillis > 0
                ? onBlockingConnection("XREADGROUP", block, batch)
                : pipeline("XREADGROUP", batch);
        List<FencedCommands.ReadAndRun> got = new ArrayList<>(units.size());
        int at = 0;
        for (FencedCommands.ReadUnit unit : units) {
            Map<String, List<StreamEntry>> entries = new LinkedHashMap<>();
            for (Map<String, String> ids : unit.reads()) {
                if (replies.get(at) instanceof JedisDataException error) {
                    throw failures.translate("XREADGROUP", error);
                }
                entries.putAll(Replies.byKey(ids.keySet(), replies.get(at++)));
            }
            got.add(new FencedCommands.ReadAndRun(entries, replies.get(at++)));
        }
        return got;
    }

    @Override
    public List<Boolean> ackFenced(String group, List<FencedAck> acks) {
        state.ensureOpen();
        return fenced("fenced XACK").ack(group, acks);
    }

    @Override
    public Optional<List<String>> appendFenced(Fence fence, List<Append> appends) {
        state.ensureOpen();
        return fenced("fenced XADD").append(fence, appends);
    }

    @Override
    public boolean setFenced(Fence fence, String key, String value) {
        state.ensureOpen();
        return fenced("fenced SET").set(fence, key, value);
    }

    @Override
    public Optional<List<ParkStep.Outcome>> parkFenced(Fence fence, String group, ParkingKeys keys, List<ParkStep> steps) {
        state.ensureOpen();
        return parking("parking").park(fence, group, keys, steps);
    }

    @Override
    public long releaseParked(ParkingKeys keys, String processor, String key, boolean replay) {
        state.ensureOpen();
        return parking("parked release").release(keys, processor, key, replay);
    }

    @Override
    public List<String> appendOnce(String journal, Duration ttl, List<Append> appends, List<String> tokens) {
        state.ensureOpen();
        return parking("journaled XADD").appendOnce(journal, ttl, appends, tokens);
    }

    @Override
    public long deleteEntries(String key, List<String> ids) {
        state.ensureOpen();
        return parking("XDEL").deleteEntries(key, ids);
    }

    /** INFO memory of the server, or of each master of a cluster. */
    @Override
    public List<ServerMemory> serverMemory() {
        state.ensureOpen();
        if (cluster != null) {
            List<ServerMemory> memory = new ArrayList<>();
            cluster.onEveryMaster("INFO", Commands.infoMemory())
                    .forEach((node, info) -> memory.add(MemoryInfo.parse(node, Replies.text(info))));
            return memory;
        }
        return List.of(MemoryInfo.parse(failures.where(), Replies.text(call("INFO", Commands.infoMemory()))));
    }

    /** The key's hash slot on a Redis Cluster; 0 for every key on a single server. */
    @Override
    public int hashSlot(String key) {
        return placement.slot(key);
    }

    /** On a Redis Cluster, the master of the key's slot by the slot map as last read; empty on a single server. */
    @Override
    public String nodeOf(String key) {
        return cluster != null ? cluster.nodeOf(key) : "";
    }

    @Override
    public void close() {
        // Disconnecting the blocked reads ends them; the pools go after. On a cluster the
        // layout stops being read first, so a reading under way cannot reopen closed pools.
        state.close(() -> {
            if (cluster != null) {
                cluster.close();
            }
        }, blocking::close, () -> Pools.close(commands));
    }

    @Override
    public String toString() {
        return "JedisTransport[" + failures.where() + "]";
    }

    // ------------------------------------------------------------------ helpers

    /** One command; an error reply fails it. */
    private Object call(String operation, CommandArguments command) {
        return callAll(operation, List.of(command)).get(0);
    }

    /** A pipeline that fails on the first command, in list order, that got an error reply. */
    private List<Object> callAll(String operation, List<CommandArguments> commands) {
        List<Object> replies = pipeline(operation, commands);
        for (Object reply : replies) {
            if (reply instanceof JedisDataException error) {
                throw failures.translate(operation, error);
            }
        }
        return replies;
    }

    /**
     * Sends commands on one pooled connection in one round trip and reads every reply, so
     * the connection goes back to the pool in step. Error replies come back in place as
     * {@link JedisDataException}, for callers that tolerate some (BUSYGROUP, NOSCRIPT).
     */
    private List<Object> pipeline(String operation, List<CommandArguments> batch) {
        if (batch.isEmpty()) {
            return List.of();
        }
        if (cluster != null) {
            return cluster.pipeline(operation, batch);
        }
        Connection connection = borrow(operation);
        RuntimeException failed = null;
        try {
            for (CommandArguments command : batch) {
                connection.sendCommand(command);
            }
            return connection.getMany(batch.size());
        } catch (RuntimeException e) {
            failed = e;
            throw failure(operation, e);
        } finally {
            release(connection, failed);
        }
    }

    private Connection borrow(String operation) {
        try {
            return commands.getConnection();
        } catch (RuntimeException e) {
            throw connectFailure(operation, e);
        }
    }

    /** Back to the pool, which drops it if it broke. */
    private void release(Connection connection, RuntimeException failed) {
        boolean broken = connection.isBroken();
        try {
            connection.close();
        } catch (RuntimeException e) {
            // The pool closed meanwhile; it has disconnected the connection or will.
        }
        if (broken) {
            dropIdleConnectionsAfter(failed);
        }
    }

    /**
     * A connection that broke for any reason but a slow reply suggests the server dropped its
     * clients (a restart, a failover), and then the idle connections of both pools are dead
     * too: each would otherwise fail one more command before the pool noticed. Closing the
     * transport and interrupting a thread also break connections, but only their own.
     */
    private void dropIdleConnectionsAfter(RuntimeException failed) {
        if (calls.serverMayHaveDropped(failed)) {
            Pools.clearIdle(commands);
            blocking.clearIdle();
        }
    }

    /**
     * Runs one blocking command on a connection of its own, whose socket timeout covers the
     * block. A connection whose command did not end with a reply may still be blocked in
     * the server, so it is discarded, not reused.
     */
    private Object onBlockingConnection(String operation, Duration block, CommandArguments command) {
        Object reply = onBlockingConnection(operation, block, List.of(command)).get(0);
        if (reply instanceof JedisDataException error) {
            throw failures.translate(operation, error);
        }
        return reply;
    }

    /**
     * Runs a blocking command and what is pipelined after it on a connection of its own;
     * error replies come back in place, as from {@link #pipeline}.
     */
    private List<Object> onBlockingConnection(String operation, Duration block, List<CommandArguments> commands) {
        if (cluster != null) {
            return cluster.onBlockingConnections(operation, CommandTimeout.forBlockingRead(timeout, block), commands);
        }
        Connection connection;
        try {
            connection = blocking.borrow();
        } catch (RuntimeException e) {
            throw connectFailure(operation, e);
        }
        boolean reusable = false;
        try {
            connection.setSoTimeout(RedisAddress.saturatedMillis(CommandTimeout.forBlockingRead(timeout, block)));
            for (CommandArguments command : commands) {
                connection.sendCommand(command);
            }
            // Error replies are read in place: the connection stays in step, fit for reuse.
            List<Object> replies = connection.getMany(commands.size());
            reusable = true;
            return replies;
        } catch (RuntimeException e) {
            dropIdleConnectionsAfter(e);
            throw failure(operation, e);
        } finally {
            if (reusable) {
                blocking.giveBack(connection);
            } else {
                blocking.discard(connection);
            }
        }
    }

    /** A command that broke off: closing and interruption explain it better than the symptom. */
    private TransportException failure(String operation, RuntimeException error) {
        return calls.broken(operation, error);
    }

    private TransportException connectFailure(String operation, RuntimeException error) {
        return calls.noConnection(operation, error);
    }

    /**
     * Pings the server and checks that it is what the URL says: a cluster node for a cluster
     * URL (any master of it: the layout was read from the seeds already), else a single server.
     */
    private void checkConnection() {
        Connection connection;
        try {
            connection = commands.getConnection();
        } catch (RuntimeException e) {
            throw connectFailure("", e);
        }
        RuntimeException failed = null;
        Object infoCluster;
        try {
            connection.executeCommand(Commands.ping());
            infoCluster = connection.executeCommand(Commands.infoCluster());
        } catch (RuntimeException e) {
            failed = e;
            throw Failures.cannotConnect(failures, "", e);
        } finally {
            release(connection, failed);
        }
        if (cluster != null) {
            ServerMode.requireCluster(RedisReplies.text(infoCluster), failures);
        } else {
            ServerMode.requireStandalone(RedisReplies.text(infoCluster), failures);
        }
    }

    private ConnectionProvider open(RedisAddress address, GenericObjectPoolConfig<Connection> pool) {
        try {
            return address.connect(pool);
        } catch (RuntimeException e) {
            // Sentinel pools ask the sentinels for the master at once, cluster ones the seeds
            // for the layout, which a server not in cluster mode refuses.
            if (address.cluster() && Failures.clusterSupportDisabled(e)) {
                ServerMode.requireCluster("cluster_enabled:0", failures);
            }
            throw Failures.cannotConnect(failures, "", e);
        }
    }

    private RedisAddress parse(ConnectionUrl url) {
        try {
            return RedisAddress.parse(url);
        } catch (RuntimeException e) {
            // Our parser's messages never quote the credentials, but they are scrubbed all the same.
            throw failures.invalidUrl(String.valueOf(e.getMessage()));
        }
    }

    /**
     * Runs a lock script per key, pipelined on one pooled connection; keys whose run found
     * the script unloaded are run again with its source.
     */
    private List<Long> runPerKey(LuaScript script, String operation, List<String> keys, byte[]... args) {
        return script.runPerKey(keys, scripts(operation), error -> failures.translate(operation, error), args);
    }

    /** Sends runs of a script pipelined on one pooled connection, error replies in place. */
    private LuaScript.Runner scripts(String operation) {
        return (command, scriptOrSha, array, runs) -> pipeline(operation, runs.stream()
                .map(run -> Commands.script(Command.valueOf(command), scriptOrSha, run.keys(), run.args()))
                .toList());
    }

    /** The parking commands; {@code operation} names them in errors. Each call stays in one hash slot. */
    private ParkingCommands parking(String operation) {
        return new ParkingCommands(scripts(operation), error -> failures.translate(operation, error));
    }

    /** The fenced commands; {@code operation} names them in errors. On a cluster they group their runs by master. */
    private FencedCommands fenced(String operation) {
        Function<Throwable, TransportException> failure = error -> failures.translate(operation, error);
        return new FencedCommands(scripts(operation), failure, placement);
    }
}
