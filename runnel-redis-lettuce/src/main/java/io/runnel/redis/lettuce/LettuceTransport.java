// SPDX-License-Identifier: Apache-2.0

package io.runnel.redis.lettuce;

import io.lettuce.core.resource.ClientResources;
import io.lettuce.core.resource.DefaultClientResources;
import io.lettuce.core.resource.Delay;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;

import io.lettuce.core.AbstractRedisClient;
import io.lettuce.core.ClientOptions;
import io.lettuce.core.Consumer;
import io.lettuce.core.KeyValue;
import io.lettuce.core.Limit;
import io.lettuce.core.Range;
import io.lettuce.core.RedisClient;
import io.lettuce.core.RedisFuture;
import io.lettuce.core.RedisURI;
import io.lettuce.core.ScriptOutputType;
import io.lettuce.core.StreamMessage;
import io.lettuce.core.output.IntegerOutput;
import io.lettuce.core.output.StatusOutput;
import io.lettuce.core.protocol.AsyncCommand;
import io.lettuce.core.protocol.Command;
import io.lettuce.core.protocol.CommandArgs;
import io.lettuce.core.protocol.CommandKeyword;
import io.lettuce.core.protocol.CommandType;
import io.lettuce.core.XGroupCreateArgs;
import io.lettuce.core.XReadArgs;
import io.lettuce.core.XReadArgs.StreamOffset;
import io.lettuce.core.api.StatefulConnection;
import io.lettuce.core.api.StatefulRedisConnection;
import io.lettuce.core.cluster.ClusterClientOptions;
import io.lettuce.core.cluster.ClusterTopologyRefreshOptions;
import io.lettuce.core.cluster.RedisClusterClient;
import io.lettuce.core.cluster.SlotHash;
import io.lettuce.core.cluster.api.StatefulRedisClusterConnection;
import io.lettuce.core.cluster.api.async.RedisClusterAsyncCommands;
import io.lettuce.core.cluster.models.partitions.RedisClusterNode;
import io.lettuce.core.codec.RedisCodec;
import io.runnel.api.transport.Append;
import io.runnel.api.transport.CommandRejected;
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
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Collections;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Optional;
import java.util.function.Function;

/**
 * The {@link Transport} on Lettuce. Ordinary commands share one connection and are
 * pipelined: a batch (appends, acks, lock operations) is sent in full before any reply is
 * awaited, so it costs one round trip. Blocking reads borrow a dedicated connection each, so
 * they never hold up the shared one; on a Redis Cluster that is a plain connection to the
 * master of the read's slot, so a dead master never stops the reads of the others. Lock
 * checks run as Lua scripts, atomic per key.
 *
 * <p>Accepts {@code redis://[user:password@]host:port[/db]}, {@code rediss://} and
 * {@code redis-sentinel://} URLs as Lettuce understands them; Lettuce's {@code timeout}
 * URL parameter (default 60 s, and it must be positive) bounds every command, plus the block
 * time for blocking reads. Create it through {@link LettuceTransportProvider} or directly.
 *
 * <p>With {@code rediss://} the server's certificate must be signed by a CA in the JVM's
 * trust store, as for any TLS client in Java: the JDK's {@code cacerts}, or instead the
 * store named by {@code -Djavax.net.ssl.trustStore=/path/redis-ca.p12
 * -Djavax.net.ssl.trustStorePassword=...}, which is where a private CA or a self-signed
 * certificate goes. That store serves the whole JVM, so start from a copy of
 * {@code cacerts} if the application also talks to public TLS servers; the Jedis transport
 * reads the same properties. {@code verifyPeer=FULL} (the default) also checks that the
 * certificate names the URL's host, {@code verifyPeer=CA} does not, and
 * {@code verifyPeer=NONE} trusts any certificate, which is for tests only.
 */
public final class LettuceTransport implements Transport {
    private static final RedisCodec<String, byte[]> CODEC = TextKeysCodec.INSTANCE;
    private static final int IDLE_BLOCKING_CONNECTIONS = 16;
    private static final Duration SHUTDOWN_TIMEOUT = Duration.ofSeconds(2);
    private static final String NO_ENTRY = "0-0";
    /** The node of every blocking connection on a single server. */
    private static final String THE_SERVER = "";
    /** Redirections a call on a connection of its own follows, as Lettuce's cluster connection does by default. */
    private static final int MAX_REDIRECTIONS = 5;

    private final RedisFailures failures;
    private final Replies replies;
    private final Duration timeout;
    private final ClientResources resources;
    /** A {@link RedisClient}, or a {@link RedisClusterClient} for a {@code redis-cluster://} URL. */
    private final AbstractRedisClient client;
    private final boolean cluster;
    /** On a cluster: plain connections to one master each, for blocking commands; else null. */
    private final RedisClient nodeClient;
    /** On a cluster: the masters by the shared connection's layout; else null. */
    private final ClusterNodes nodes;
    private final StatefulConnection<String, byte[]> shared;
    private final RedisClusterAsyncCommands<String, byte[]> commands;
    private final BlockingConnections blocking;
    private final OpenState state;
    private final KeyPlacement placement;

    /**
     * Connects to the server.
     *
     * @param url a {@code redis://}, {@code rediss://}, {@code redis-sentinel://},
     *            {@code redis-cluster://} or {@code rediss-cluster://} URL
     * @throws TransportException if the URL is invalid or the server cannot be reached or
     *                            refuses the credentials; the message shows the URL redacted
     */
    public LettuceTransport(ConnectionUrl url) {
        Objects.requireNonNull(url, "url");
        this.failures = new RedisFailures(url, Replies::kind);
        this.replies = new Replies(failures, this::layoutMayBeStale);
        this.state = new OpenState(failures::closed);
        this.cluster = url.cluster();
        List<RedisURI> seeds = cluster ? LettuceUrl.parseCluster(url, failures) : List.of(LettuceUrl.parse(url, failures));
        this.timeout = seeds.get(0).getTimeout();
        // Reconnect within a second of the server coming back: Lettuce's default backs off to
        // 30 s, which would stall every worker that long after a short Redis restart.
        this.resources = DefaultClientResources.builder()
                .reconnectDelay(Delay.exponential(Duration.ofMillis(10), Duration.ofSeconds(1), 2, TimeUnit.MILLISECONDS))
                .build();
        // A command issued while the connection is down fails at once, as with Jedis, instead
        // of Lettuce's default of queueing it until reconnection or the command timeout (60 s
        // by default): the engine retries with its own backoff anyway, stream.send throws
        // promptly, and a worker stopping during an outage is not held up for a minute per
        // command (the lock releases, the departure, the leadership).
        if (cluster) {
            RedisClusterClient clusterClient = RedisClusterClient.create(resources, seeds);
            // Lettuce reads the layout again when a command is redirected (MOVED, ASK), when a
            // node keeps failing to reconnect (a dead master), and every 30 s, but at most once
            // per 30 s on those events: LayoutRefresh (ClusterNodes) reads it again soon after a
            // call got no answer, so commands reach a promoted replica within a second. Nodes
            // the cluster agreed are failing are left out of the layout.
            clusterClient.setOptions(ClusterClientOptions.builder()
                    .disconnectedBehavior(ClientOptions.DisconnectedBehavior.REJECT_COMMANDS)
                    .nodeFilter(ClusterNodes.LIVE_NODES)
                    .topologyRefreshOptions(ClusterTopologyRefreshOptions.builder()
                            .enablePeriodicRefresh(Duration.ofSeconds(30))
                            .enableAllAdaptiveRefreshTriggers()
                            .build())
                    .build());
            this.client = clusterClient;
            // Blocking commands get a plain connection to the one master they need: a cluster
            // connection would also link every other master, and fail whenever one is down.
            // One that loses its link is dropped, not reconnected: the node may be gone for good.
            this.nodeClient = RedisClient.create(resources);
            nodeClient.setOptions(ClientOptions.builder()
                    .autoReconnect(false)
                    .disconnectedBehavior(ClientOptions.DisconnectedBehavior.REJECT_COMMANDS)
                    .build());
        } else {
            RedisClient single = RedisClient.create(resources, seeds.get(0));
            single.setOptions(ClientOptions.builder()
                    .disconnectedBehavior(ClientOptions.DisconnectedBehavior.REJECT_COMMANDS)
                    .build());
            this.client = single;
            this.nodeClient = null;
        }
        try {
            this.shared = connectShared();
            checkServerMode(shared);
        } catch (RuntimeException e) {
            shutdownClients();
            throw e;
        }
        this.commands = async(shared);
        this.blocking = new BlockingConnections(this::connectTo, IDLE_BLOCKING_CONNECTIONS, failures::closed);
        if (shared instanceof StatefulRedisClusterConnection<String, byte[]> c) {
            this.placement = clusterPlacement(c);
            this.nodes = new ClusterNodes((RedisClusterClient) client, c::getPartitions, seeds.get(0), resources,
                    masters -> {
                        blocking.retainIdle(masters::contains);
                        linkServingMasters(c);
                    });
        } else {
            this.placement = KeyPlacement.SINGLE_SERVER;
            this.nodes = null;
        }
    }

    /** Slots and their masters by the layout the cluster connection routes commands by. */
    private static KeyPlacement clusterPlacement(StatefulRedisClusterConnection<String, byte[]> connection) {
        return KeyPlacement.cluster(SlotHash::getSlot, slot -> {
            RedisClusterNode master = connection.getPartitions().getMasterBySlot(slot);
            return master != null ? master.getNodeId() : null;
        });
    }

    /** A {@code redis-cluster://} URL must lead to a cluster, any other to a single server. */
    private void checkServerMode(StatefulConnection<String, byte[]> connection) {
        try {
            String info = replies.await("INFO", async(connection).info("cluster"), timeout);
            if (cluster) {
                ServerMode.requireCluster(info, failures);
            } else {
                ServerMode.requireStandalone(info, failures);
            }
        } catch (RuntimeException e) {
            connection.close();
            throw e;
        }
    }

    // ---------------------------------------------------------------- streams

    @Override
    public List<String> append(List<Append> appends) {
        state.ensureOpen();
        List<AsyncCommand<String, byte[], String>> adds = xadds(appends);
        dispatch(adds);
        return replies.awaitAll("XADD", adds, timeout);
    }

    /** One XADD per append, built directly (cheaper than the typed API for a batch of small entries). */
    static List<AsyncCommand<String, byte[], String>> xadds(List<Append> appends) {
        List<AsyncCommand<String, byte[], String>> adds = new ArrayList<>(appends.size());
        for (Append append : appends) {
            CommandArgs<String, byte[]> args = new CommandArgs<>(CODEC).addKey(append.key());
            if (append.maxLen() > 0) {
                args.add(CommandKeyword.MAXLEN).add("~").add(append.maxLen());
            }
            args.add(append.id() != null ? append.id() : "*").add(append.fields());
            adds.add(new AsyncCommand<>(new Command<>(CommandType.XADD, new StatusOutput<>(CODEC), args)));
        }
        return adds;
    }

    @Override
    public List<String> appendDurably(List<Append> appends, int replicas, Duration waitFor) {
        state.ensureOpen();
        TransportArgs.requireReplicas(replicas, waitFor);
        long millis = TransportArgs.ttlMillis(waitFor);
        if (nodes != null) {
            DurableAppends.Appended appended = new DurableAppends(nodes, replies, failures, MAX_REDIRECTIONS,
                    this::onNode).append(appends, replicas, millis, timeout, CommandTimeout.forBlockingRead(timeout, waitFor));
            return replicated(appended.ids(), appended.confirmed(), replicas, waitFor);
        }
        // WAIT answers for the writes of its own connection, and holds it meanwhile: a blocking one.
        return onBlockingConnection(THE_SERVER, waitFor, (connection, wait) -> {
            List<AsyncCommand<String, byte[], String>> adds = xadds(appends);
            connection.dispatch(adds);
            List<String> ids = replies.awaitAll("XADD", adds, timeout);
            int confirmed = replies.await("WAIT", async(connection).waitForReplication(replicas, millis), wait).intValue();
            return replicated(ids, confirmed, replicas, waitFor);
        });
    }

    /** The ids of a durable append, or NotReplicated when fewer replicas than asked confirmed it. */
    private List<String> replicated(List<String> ids, int confirmed, int replicas, Duration waitFor) {
        if (confirmed < replicas) {
            throw new NotReplicated(TransportArgs.notReplicated(ids.size(), confirmed, replicas, waitFor)
                    + " (" + failures.where() + ")", confirmed, ids);
        }
        return ids;
    }

    /**
     * Writes a batch of commands to the shared connection in one go. Issuing them one by one
     * through the async API wakes the event loop and flushes the socket per command, which
     * cost more than the commands themselves for a batch of small XADDs or XACKs.
     */
    private void dispatch(List<? extends AsyncCommand<String, byte[], ?>> batch) {
        shared.dispatch(batch);
    }

    @Override
    public long length(String key) {
        state.ensureOpen();
        return replies.await("XLEN", commands.xlen(key), timeout);
    }

    @Override
    public List<StreamEntry> range(String key, String start, String end, int count) {
        state.ensureOpen();
        List<StreamMessage<String, byte[]>> messages =
                replies.await("XRANGE", commands.xrange(key, Range.create(start, end), limit(count)), timeout);
        return entries(messages);
    }

    @Override
    public String lastId(String key) {
        state.ensureOpen();
        // XREVRANGE puts the upper bound first; Lettuce swaps the range's ends for us.
        List<StreamMessage<String, byte[]>> newest =
                replies.await("XREVRANGE", commands.xrevrange(key, Range.create("-", "+"), Limit.from(1)), timeout);
        return newest.isEmpty() ? NO_ENTRY : newest.get(0).getId();
    }

    @Override
    public List<StreamEntry> read(String key, String afterId, int count, Duration block) {
        state.ensureOpen();
        XReadArgs args = readArgs(count, block);
        StreamOffset<String>[] offset = arrayOf(StreamOffset.from(key, afterId));
        List<StreamMessage<String, byte[]>> messages = TransportArgs.isBlocking(block)
                ? onBlockingConnection(key, block, (connection, wait) ->
                        replies.await("XREAD", async(connection).xread(args, offset), wait))
                : replies.await("XREAD", commands.xread(args, offset), timeout);
        return entries(messages);
    }

    @Override
    public void delete(List<String> keys) {
        state.ensureOpen();
        if (!keys.isEmpty()) {
            replies.await("DEL", commands.del(keys.toArray(String[]::new)), timeout);
        }
    }

    // --------------------------------------------------------- consumer groups

    @Override
    public void createGroup(List<String> keys, String group, String startId) {
        state.ensureOpen();
        List<RedisFuture<String>> creates = new ArrayList<>(keys.size());
        for (String key : keys) {
            XGroupCreateArgs args = new XGroupCreateArgs().mkstream(true);
            if (TransportArgs.fromTheStart(startId)) {
                args.entriesRead(0); // see TransportArgs.fromTheStart
            }
            creates.add(commands.xgroupCreate(StreamOffset.from(key, startId), group, args));
        }
        for (Replies.Settled<String> created : replies.settleAll("XGROUP CREATE", creates, timeout)) {
            // BUSYGROUP: the group exists and must be left as it is (its offset included).
            if (created.failed() && !RedisReplies.groupExists(created.error())) {
                throw replies.failure("XGROUP CREATE", created.error());
            }
        }
    }

    @Override
    public void destroyGroup(List<String> keys, String group) {
        state.ensureOpen();
        List<RedisFuture<Boolean>> destroys = new ArrayList<>(keys.size());
        for (String key : keys) {
            destroys.add(commands.xgroupDestroy(key, group));
        }
        for (Replies.Settled<Boolean> destroyed : replies.settleAll("XGROUP DESTROY", destroys, timeout)) {
            // A missing key has no group to destroy; Redis calls that an error, we do not.
            if (destroyed.failed() && !RedisReplies.keyMissing(destroyed.error())) {
                throw replies.failure("XGROUP DESTROY", destroyed.error());
            }
        }
    }

    @Override
    public boolean groupExists(String key, String group) {
        state.ensureOpen();
        return runPerKey(LuaScript.GROUP_EXISTS, "group check", List.of(key), utf8(group)).get(0) == 1L;
    }

    @Override
    public Map<String, List<StreamEntry>> readGroup(String group, String consumer, Map<String, String> idsByKey,
                                                    int count, Duration block) {
        state.ensureOpen();
        if (idsByKey.isEmpty()) {
            return Map.of();
        }
        if (cluster) {
            List<String> keys = List.copyOf(idsByKey.keySet());
            Map<Integer, List<Integer>> bySlot = SlotGroups.positionsBySlot(keys.size(), keys::get, SlotHash::getSlot);
            if (bySlot.size() > 1) {
                if (TransportArgs.isBlocking(block)) {
                    throw SlotGroups.blockingAcrossSlots(bySlot.keySet());
                }
                Map<String, List<StreamEntry>> found = new HashMap<>();
                for (List<Integer> positions : bySlot.values()) {
                    Map<String, String> sameSlot = new LinkedHashMap<>();
                    positions.forEach(i -> sameSlot.put(keys.get(i), idsByKey.get(keys.get(i))));
                    found.putAll(readGroup(group, consumer, sameSlot, count, null));
                }
                Map<String, List<StreamEntry>> ordered = new LinkedHashMap<>();
                keys.stream().filter(found::containsKey).forEach(k -> ordered.put(k, found.get(k)));
                return Collections.unmodifiableMap(ordered);
            }
        }
        XReadArgs args = readArgs(count, block);
        StreamOffset<String>[] offsets = offsets(idsByKey);
        Consumer<String> reader = Consumer.from(group, consumer);
        List<StreamMessage<String, byte[]>> messages = TransportArgs.isBlocking(block)
                ? onBlockingConnection(idsByKey.keySet().iterator().next(), block, (connection, wait) ->
                        replies.await("XREADGROUP", async(connection).xreadgroup(reader, args, offsets), wait))
                : replies.await("XREADGROUP", commands.xreadgroup(reader, args, offsets), timeout);
        return byKey(idsByKey.keySet(), messages);
    }

    @Override
    public void ack(String group, Map<String, List<String>> idsByKey) {
        state.ensureOpen();
        List<AsyncCommand<String, byte[], Long>> acks = new ArrayList<>(idsByKey.size());
        idsByKey.forEach((key, ids) -> {
            if (!ids.isEmpty()) {
                CommandArgs<String, byte[]> args = new CommandArgs<>(CODEC).addKey(key).add(group);
                for (String id : ids) {
                    args.add(id);
                }
                acks.add(new AsyncCommand<>(new Command<>(CommandType.XACK, new IntegerOutput<>(CODEC), args)));
            }
        });
        if (!acks.isEmpty()) {
            dispatch(acks);
            replies.awaitAll("XACK", acks, timeout);
        }
    }

    @Override
    public long pendingCount(String key, String group) {
        state.ensureOpen();
        return replies.await("XPENDING", commands.xpending(key, group), timeout).getCount();
    }

    @Override
    public Optional<GroupInfo> groupInfo(String key, String group) {
        state.ensureOpen();
        // Status reads are rare: plain EVAL, not worth caching the script by its SHA-1.
        List<Object> reply = replies.await("group info", commands.<List<Object>>eval(GroupInfoScript.SOURCE,
                ScriptOutputType.MULTI, new String[] {key}, utf8(group)), timeout);
        return GroupInfoScript.parse(reply);
    }

    @Override
    public RetentionResult retain(RetentionPass pass) {
        state.ensureOpen();
        // One run per partition per retention interval: plain EVAL, as for group info.
        List<Object> reply = replies.await("retention", commands.<List<Object>>eval(RetentionScript.SOURCE,
                ScriptOutputType.MULTI, RetentionScript.keys(pass).toArray(String[]::new),
                RetentionScript.args(pass).toArray(byte[][]::new)), timeout);
        return RetentionScript.parse(reply);
    }

    @Override
    public Map<String, String> getHash(String key) {
        state.ensureOpen();
        Map<String, byte[]> raw = replies.await("HGETALL", commands.hgetall(key), timeout);
        Map<String, String> hash = new LinkedHashMap<>();
        raw.forEach((field, value) -> hash.put(field, new String(value, StandardCharsets.UTF_8)));
        return hash;
    }

    // ------------------------------------------------------------ keys, locks

    @Override
    public Optional<String> get(String key) {
        state.ensureOpen();
        return Optional.ofNullable(replies.await("GET", commands.get(key), timeout)).map(LettuceTransport::text);
    }

    @Override
    public List<Optional<String>> getAll(List<String> keys) {
        state.ensureOpen();
        if (keys.isEmpty()) {
            return List.of();
        }
        List<KeyValue<String, byte[]>> values = replies.await("MGET", commands.mget(keys.toArray(String[]::new)), timeout);
        List<Optional<String>> result = new ArrayList<>(values.size());
        for (KeyValue<String, byte[]> value : values) {
            result.add(value.hasValue() ? Optional.of(text(value.getValue())) : Optional.empty());
        }
        return result;
    }

    /** As a script that Redis runs at maxmemory too, as every coordination key's write (see {@link Transport}). */
    @Override
    public void set(String key, String value, Duration ttl) {
        state.ensureOpen();
        runPerKey(LuaScript.SET, "SET", List.of(key), utf8(value), LuaScript.ttlArgument(TransportArgs.ttlMillisOrZero(ttl)));
    }

    /** As a script that Redis runs at maxmemory too (see {@link Transport}). */
    @Override
    public List<Boolean> setIfAbsent(List<String> keys, String value, Duration ttl) {
        state.ensureOpen();
        return runPerKey(LuaScript.SET_IF_ABSENT, "SET NX", keys, utf8(value),
                LuaScript.ttlArgument(TransportArgs.ttlMillisOrZero(ttl))).stream().map(n -> n == 1L).toList();
    }

    @Override
    public List<Boolean> extendIfOwner(List<String> keys, String owner, Duration ttl) {
        state.ensureOpen();
        byte[] ttlMillis = utf8(Long.toString(TransportArgs.ttlMillis(ttl)));
        return runPerKey(LuaScript.EXTEND_IF_OWNER, "lock extension", keys, utf8(owner), ttlMillis)
                .stream().map(n -> n == 1L).toList();
    }

    @Override
    public List<Boolean> deleteIfOwner(List<String> keys, String owner) {
        state.ensureOpen();
        return runPerKey(LuaScript.DELETE_IF_OWNER, "lock release", keys, utf8(owner))
                .stream().map(n -> n == 1L).toList();
    }

    @Override
    public Optional<Duration> timeToLive(String key) {
        state.ensureOpen();
        return RedisReplies.timeToLive(replies.await("PTTL", commands.pttl(key), timeout));
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
     * Each unit's XREADGROUPs and then its script run, pipelined: on a blocking read's own
     * connection, else on the shared one (on a cluster, the shared connection's link to the
     * unit's master keeps its commands in order). Runs' error replies come back in place; a
     * failed read throws.
     */
    private List<FencedCommands.ReadAndRun> readThenRun(String group, String consumer,
                                                        List<FencedCommands.ReadUnit> units, int count, Duration block) {
        XReadArgs args = readArgs(count, block);
        Consumer<String> reader = Consumer.from(group, consumer);
        Function<RedisClusterAsyncCommands<String, byte[]>, List<SentUnit>> send = async -> {
            List<SentUnit> sent = new ArrayList<>(units.size());
            for (FencedCommands.ReadUnit unit : units) {
                List<RedisFuture<List<StreamMessage<String, byte[]>>>> reads = new ArrayList<>(unit.reads().size());
                for (Map<String, String> ids : unit.reads()) {
                    reads.add(async.xreadgroup(reader, args, offsets(ids)));
                }
                sent.add(new SentUnit(reads, async.evalsha(unit.sha(), ScriptOutputType.MULTI,
                        unit.check().keys().toArray(String[]::new), unit.check().args().toArray(byte[][]::new))));
            }
            return sent;
        };
        if (!TransportArgs.isBlocking(block)) {
            return awaitUnits(send.apply(commands), units, timeout);
        }
        // A blocking read names streams of one slot: one unit, on the slot's master.
        return onBlockingConnection(units.get(0).keys().get(0), block, (connection, wait) -> {
            // The read and the check leave in one write: flushing each wakes the event loop once
            // more per read, which cost more CPU than the check itself. The connection is ours alone.
            connection.setAutoFlushCommands(false);
            List<SentUnit> sent;
            try {
                sent = send.apply(async(connection));
            } finally {
                connection.flushCommands();
                connection.setAutoFlushCommands(true);
            }
            return awaitUnits(sent, units, wait);
        });
    }

    /** A unit of {@link #readThenRun}, in flight: its reads and its check. */
    private record SentUnit(List<RedisFuture<List<StreamMessage<String, byte[]>>>> reads, RedisFuture<Object> check) {
    }

    private List<FencedCommands.ReadAndRun> awaitUnits(List<SentUnit> sent, List<FencedCommands.ReadUnit> units,
                                                       Duration wait) {
        List<FencedCommands.ReadAndRun> got = new ArrayList<>(sent.size());
        for (int u = 0; u < sent.size(); u++) {
            List<StreamMessage<String, byte[]>> messages = new ArrayList<>();
            for (RedisFuture<List<StreamMessage<String, byte[]>>> read : sent.get(u).reads()) {
                messages.addAll(replies.await("XREADGROUP", read, wait));
            }
            Object reply = replies.settleAll("fenced read check", List.of(sent.get(u).check()), timeout).get(0).valueOrError();
            got.add(new FencedCommands.ReadAndRun(byKey(units.get(u).keys(), messages), reply));
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
        if (shared instanceof StatefulRedisClusterConnection<String, byte[]> c) {
            List<RedisClusterNode> masters = new ArrayList<>();
            List<RedisFuture<String>> infos = new ArrayList<>();
            for (RedisClusterNode node : c.getPartitions()) {
                if (node.is(RedisClusterNode.NodeFlag.UPSTREAM)) {
                    masters.add(node);
                    infos.add(c.getConnection(node.getUri().getHost(), node.getUri().getPort()).async().info("memory"));
                }
            }
            List<String> texts = replies.awaitAll("INFO", infos, timeout);
            List<ServerMemory> memory = new ArrayList<>(masters.size());
            for (int i = 0; i < masters.size(); i++) {
                RedisURI uri = masters.get(i).getUri();
                memory.add(MemoryInfo.parse(uri.getHost() + ":" + uri.getPort(), texts.get(i)));
            }
            return memory;
        }
        return List.of(MemoryInfo.parse(failures.where(), replies.await("INFO", commands.info("memory"), timeout)));
    }

    /** The key's hash slot on a Redis Cluster; 0 for every key on a single server. */
    @Override
    public int hashSlot(String key) {
        return placement.slot(key);
    }

    /** On a Redis Cluster, the master of the key's slot by the layout as last read; empty on a single server. */
    @Override
    public String nodeOf(String key) {
        return nodes == null ? THE_SERVER : nodes.masterOf(key);
    }

    @Override
    public void close() {
        // The blocking connections first: closing them ends the reads blocked on them.
        state.close(() -> {
            if (nodes != null) {
                nodes.close();
            }
        }, blocking::close, shared::close, this::shutdownClients);
    }

    private void shutdownClients() {
        client.shutdown(Duration.ZERO, SHUTDOWN_TIMEOUT);
        if (nodeClient != null) {
            nodeClient.shutdown(Duration.ZERO, SHUTDOWN_TIMEOUT);
        }
        resources.shutdown(0, SHUTDOWN_TIMEOUT.toMillis(), TimeUnit.MILLISECONDS);
    }

    @Override
    public String toString() {
        return "LettuceTransport[" + failures.where() + "]";
    }

    // ------------------------------------------------------------------ helpers

    /** The connection ordinary commands share: a cluster connection, or one to the single server. */
    private StatefulConnection<String, byte[]> connectShared() {
        try {
            if (client instanceof RedisClusterClient c) {
                StatefulRedisClusterConnection<String, byte[]> connection = c.connect(CODEC);
                linkServingMasters(connection).join();
                return connection;
            }
            return ((RedisClient) client).connect(CODEC);
        } catch (RuntimeException e) {
            String root = String.valueOf(RedisFailures.rootCause(e).getMessage());
            if (cluster && root.contains("cluster support disabled")) {
                ServerMode.requireCluster("cluster_enabled:0", failures);
            }
            throw failures.translate("", e);
        }
    }

    /**
     * Opens the cluster connection's links to the masters that serve slots now, at open and
     * after every change of the layout. Lettuce opens them on a node's first command otherwise,
     * and with commands rejected while disconnected (which the engine relies on to fail fast
     * in an outage) every command issued while the link is being made would be refused: after
     * a failover, the first commands for the promoted replica. A master that cannot be reached
     * (down, and not yet failed over) does not keep the connection from opening: its commands
     * fail until it answers or its replica takes over, as they would had it died a moment later.
     *
     * @return when every link is made or failed
     */
    private static CompletableFuture<Void> linkServingMasters(StatefulRedisClusterConnection<String, byte[]> connection) {
        List<CompletableFuture<?>> links = new ArrayList<>();
        for (RedisClusterNode node : connection.getPartitions()) {
            if (node.is(RedisClusterNode.NodeFlag.UPSTREAM) && !node.getSlots().isEmpty()) {
                links.add(connection.getConnectionAsync(node.getUri().getHost(), node.getUri().getPort())
                        .toCompletableFuture().exceptionally(unreachable -> null));
            }
        }
        return CompletableFuture.allOf(links.toArray(CompletableFuture[]::new));
    }

    /** A connection of its own to {@code node}: a cluster's master, or {@link #THE_SERVER}. */
    private StatefulConnection<String, byte[]> connectTo(String node) {
        try {
            return nodeClient != null ? nodeClient.connect(CODEC, nodes.uriOf(node)) : ((RedisClient) client).connect(CODEC);
        } catch (RuntimeException e) {
            layoutMayBeStale();
            throw failures.translate("", e);
        }
    }

    /** A call failed without an answer from its node: on a cluster, the node may have died or lost its slots. */
    private void layoutMayBeStale() {
        if (nodes != null) {
            nodes.refreshSoon();
        }
    }

    /** The commands of a connection, single-server or cluster: the cluster's are the common part of both. */
    private static RedisClusterAsyncCommands<String, byte[]> async(StatefulConnection<String, byte[]> connection) {
        return switch (connection) {
            case StatefulRedisClusterConnection<String, byte[]> c -> c.async();
            case StatefulRedisConnection<String, byte[]> c -> c.async();
            default -> throw new IllegalStateException("unexpected connection " + connection.getClass());
        };
    }

    /** Commands sent and awaited on a blocking read's own connection, within {@code wait}. */
    @FunctionalInterface
    interface BlockingWork<T> {
        T run(StatefulConnection<String, byte[]> connection, Duration wait);
    }

    /**
     * Runs a blocking command (and what is pipelined after it) on a connection of its own: to
     * the single server, or to the master of {@code key}'s slot on a cluster. A master that
     * answers MOVED (its slot moved: a failover, a resharding) has the work run again where
     * the answer points, and the layout read again.
     *
     * @param key a key the work names; on a single server, any
     */
    private <T> T onBlockingConnection(String key, Duration block, BlockingWork<T> work) {
        Duration wait = CommandTimeout.forBlockingRead(timeout, block);
        if (nodes == null) {
            return onNode(THE_SERVER, wait, work);
        }
        String node = nodes.masterOf(key);
        if (node.isEmpty()) {
            nodes.refreshSoon();
            throw failures.failure("no master serves hash slot " + SlotHash.getSlot(key)
                    + " in the cluster's layout as last read");
        }
        for (int redirections = 0; ; redirections++) {
            try {
                return onNode(node, wait, work);
            } catch (CommandRejected e) {
                Optional<String> movedTo = Redirection.movedTo(e);
                if (movedTo.isEmpty() || redirections == MAX_REDIRECTIONS) {
                    throw e;
                }
                nodes.refreshSoon();
                node = movedTo.get();
            }
        }
    }

    /**
     * Runs work on a connection of its own to {@code node}. A connection whose commands did
     * not end normally may still be blocked in the server, so it is discarded, not reused.
     */
    private <T> T onNode(String node, Duration wait, BlockingWork<T> work) {
        StatefulConnection<String, byte[]> connection = blocking.borrow(node);
        boolean reusable = false;
        try {
            // Lettuce would otherwise expire the command after the URL's timeout, even one
            // shorter than the block; the connection is ours alone until it is given back.
            connection.setTimeout(wait);
            T result = work.run(connection, wait);
            reusable = true;
            return result;
        } finally {
            if (reusable) {
                blocking.giveBack(node, connection);
            } else {
                blocking.discard(connection);
            }
        }
    }

    /**
     * Runs a lock script per key, pipelined on the shared connection; keys whose run found
     * the script unloaded are run again with its source.
     */
    private List<Long> runPerKey(LuaScript script, String operation, List<String> keys, byte[]... args) {
        return script.runPerKey(keys, scripts(operation), error -> replies.failure(operation, error), args);
    }

    /** Sends runs of a script pipelined on the shared connection, each reply settled in place. */
    private LuaScript.Runner scripts(String operation) {
        return (command, scriptOrSha, array, runs) -> {
            ScriptOutputType output = array ? ScriptOutputType.MULTI : ScriptOutputType.INTEGER;
            List<RedisFuture<Object>> sent = new ArrayList<>(runs.size());
            for (LuaScript.Run run : runs) {
                String[] keys = run.keys().toArray(String[]::new);
                byte[][] args = run.args().toArray(byte[][]::new);
                sent.add(command.equals("EVALSHA")
                        ? commands.evalsha(scriptOrSha, output, keys, args)
                        : commands.eval(scriptOrSha, output, keys, args));
            }
            return replies.settleAll(operation, sent, timeout).stream().map(Replies.Settled::valueOrError).toList();
        };
    }

    /** The parking commands; {@code operation} names them in errors. Each call stays in one hash slot. */
    private ParkingCommands parking(String operation) {
        return new ParkingCommands(scripts(operation), error -> replies.failure(operation, error));
    }

    /** The fenced commands, on the shared connection; {@code operation} names them in errors. */
    private FencedCommands fenced(String operation) {
        return new FencedCommands(scripts(operation), error -> replies.failure(operation, error), placement);
    }

    private static XReadArgs readArgs(int count, Duration block) {
        XReadArgs args = new XReadArgs();
        if (TransportArgs.hasLimit(count)) {
            args.count(count);
        }
        if (TransportArgs.isBlocking(block)) {
            args.block(TransportArgs.blockMillis(block));
        }
        return args;
    }

    /** One offset per stream, in the map's order. */
    private static StreamOffset<String>[] offsets(Map<String, String> idsByKey) {
        return idsByKey.entrySet().stream()
                .map(e -> StreamOffset.from(e.getKey(), e.getValue()))
                .toList()
                .toArray(LettuceTransport.<StreamOffset<String>>arrayOf());
    }

    private static Limit limit(int count) {
        return TransportArgs.hasLimit(count) ? Limit.from(count) : Limit.unlimited();
    }

    private static Map<String, List<StreamEntry>> byKey(Iterable<String> requestOrder,
                                                         List<StreamMessage<String, byte[]>> messages) {
        if (messages.isEmpty()) {
            return Map.of();
        }
        Map<String, List<StreamEntry>> found = new HashMap<>();
        for (StreamMessage<String, byte[]> message : messages) {
            found.computeIfAbsent(message.getStream(), k -> new ArrayList<>()).add(entry(message));
        }
        Map<String, List<StreamEntry>> ordered = new LinkedHashMap<>();
        for (String key : requestOrder) {
            List<StreamEntry> entries = found.get(key);
            if (entries != null) {
                ordered.put(key, Collections.unmodifiableList(entries));
            }
        }
        return Collections.unmodifiableMap(ordered);
    }

    private static List<StreamEntry> entries(List<StreamMessage<String, byte[]>> messages) {
        return messages.stream().map(LettuceTransport::entry).toList();
    }

    /**
     * A pending entry that was trimmed or deleted since its delivery comes back from
     * XREADGROUP without fields; it keeps its id so it can still be acknowledged. The body
     * is the reply's own map, which Lettuce hands over and keeps no reference to: it is
     * wrapped, not copied (a copy per event cost more than the rest of the entry).
     */
    private static StreamEntry entry(StreamMessage<String, byte[]> message) {
        Map<String, byte[]> body = message.getBody();
        Map<String, byte[]> fields = body == null ? Map.of() : Collections.unmodifiableMap(body);
        return new StreamEntry(message.getId(), fields);
    }

    /** Lettuce takes stream offsets as generic varargs; this builds the array without raw types. */
    @SafeVarargs
    @SuppressWarnings("varargs") // the array is only handed straight to Lettuce, never written to
    private static <T> T[] arrayOf(T... items) {
        return items;
    }

    private static byte[] utf8(String text) {
        return text.getBytes(StandardCharsets.UTF_8);
    }

    private static String text(byte[] bytes) {
        return new String(bytes, StandardCharsets.UTF_8);
    }
}
