// SPDX-License-Identifier: Apache-2.0

package io.runnel.redis.lettuce;

import io.lettuce.core.RedisClient;
import io.lettuce.core.RedisFuture;
import io.lettuce.core.RedisURI;
import io.lettuce.core.ScriptOutputType;
import io.lettuce.core.api.StatefulConnection;
import io.lettuce.core.api.StatefulRedisConnection;
import io.lettuce.core.cluster.RedisClusterClient;
import io.lettuce.core.cluster.SlotHash;
import io.lettuce.core.cluster.api.StatefulRedisClusterConnection;
import io.lettuce.core.cluster.api.async.RedisClusterAsyncCommands;
import io.lettuce.core.cluster.models.partitions.RedisClusterNode;
import io.lettuce.core.codec.RedisCodec;
import io.lettuce.core.protocol.AsyncCommand;
import io.runnel.api.transport.CommandRejected;
import io.runnel.api.transport.ConnectionUrl;
import io.runnel.api.transport.TransportArgs;
import io.runnel.api.transport.TransportException;
import io.runnel.redis.common.CommandTimeout;
import io.runnel.redis.common.KeyPlacement;
import io.runnel.redis.common.LuaScript;
import io.runnel.redis.common.RedisFailures;
import io.runnel.redis.common.ScriptedTransport;
import io.runnel.redis.common.ServerMode;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.function.IntConsumer;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionStage;

/**
 * How {@link LettuceTransport}'s commands reach the server: the connection that ordinary
 * commands share (a cluster connection on a Redis Cluster), the connections of their own
 * that blocking commands borrow, the cluster's layout, the check made when connecting, and
 * closing. The command families send through it.
 */
final class LettuceConnection extends ScriptedTransport.Client {
    static final RedisCodec<String, byte[]> CODEC = TextKeysCodec.INSTANCE;
    /** The node of every blocking connection on a single server. */
    static final String THE_SERVER = "";
    /** Redirections a call on a connection of its own follows, as Lettuce's cluster connection does by default. */
    static final int MAX_REDIRECTIONS = 5;
    private static final int IDLE_BLOCKING_CONNECTIONS = 16;

    private final Replies replies;
    private final Duration timeout;
    private final LettuceClients clients;
    private final boolean cluster;
    /** On a cluster: the masters by the shared connection's layout; else null. */
    private final ClusterNodes nodes;
    private final StatefulConnection<String, byte[]> shared;
    private final RedisClusterAsyncCommands<String, byte[]> commands;
    private final BlockingConnections blocking;
    private final KeyPlacement placement;

    /**
     * Connects to the server.
     *
     * @throws TransportException if the URL is invalid or the server cannot be reached or
     *                            refuses the credentials; the message shows the URL redacted
     */
    LettuceConnection(ConnectionUrl url) {
        super(new RedisFailures(url, Replies::kind));
        this.replies = new Replies(failures(), this::layoutMayBeStale);
        this.cluster = url.cluster();
        List<RedisURI> seeds = cluster
                ? LettuceUrl.parseCluster(url, failures())
                : List.of(LettuceUrl.parse(url, failures()));
        this.timeout = seeds.get(0).getTimeout();
        this.clients = new LettuceClients(cluster, seeds);
        try {
            this.shared = connectShared();
            checkServerMode(shared);
        } catch (RuntimeException e) {
            clients.shutdown();
            throw e;
        }
        this.commands = async(shared);
        this.blocking = new BlockingConnections(this::connectTo, IDLE_BLOCKING_CONNECTIONS, failures()::closed);
        if (shared instanceof StatefulRedisClusterConnection<String, byte[]> c) {
            this.placement = clusterPlacement(c);
            this.nodes = new ClusterNodes((RedisClusterClient) clients.client(), c::getPartitions, seeds.get(0),
                    clients.resources(), masters -> {
                        blocking.retainIdle(masters::contains);
                        linkServingMasters(c);
                    });
        } else {
            this.placement = KeyPlacement.SINGLE_SERVER;
            this.nodes = null;
        }
    }

    @Override
    public KeyPlacement placement() {
        return placement;
    }

    /** Sends runs of a script pipelined on the shared connection, each reply settled in place. */
    @Override
    public LuaScript.Runner scripts(String operation) {
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

    /**
     * Runs of a script on a connection of its own, to the master of the first run's first key,
     * each call followed there by WAIT.
     */
    @Override
    public LuaScript.Runner scriptsThenWait(String operation, int replicas, Duration waitFor, IntConsumer confirmed) {
        long millis = TransportArgs.ttlMillis(waitFor);
        return (command, scriptOrSha, array, runs) -> onBlockingConnection(runs.get(0).keys().get(0), waitFor,
                (own, wait) -> {
                    ScriptOutputType output = array ? ScriptOutputType.MULTI : ScriptOutputType.INTEGER;
                    RedisClusterAsyncCommands<String, byte[]> on = async(own);
                    List<RedisFuture<Object>> sent = new ArrayList<>(runs.size());
                    for (LuaScript.Run run : runs) {
                        String[] keys = run.keys().toArray(String[]::new);
                        byte[][] args = run.args().toArray(byte[][]::new);
                        sent.add(command.equals("EVALSHA")
                                ? on.evalsha(scriptOrSha, output, keys, args)
                                : on.eval(scriptOrSha, output, keys, args));
                    }
                    List<Object> out = replies.settleAll(operation, sent, wait).stream()
                            .map(Replies.Settled::valueOrError).toList();
                    confirmed.accept(replies.await("WAIT", on.waitForReplication(replicas, millis), wait).intValue());
                    return out;
                });
    }

    /** Waits for replies, each wait bounded by our own deadline. */
    Replies replies() {
        return replies;
    }

    /** The URL's command timeout. */
    Duration timeout() {
        return timeout;
    }

    /** The commands of the shared connection. */
    RedisClusterAsyncCommands<String, byte[]> commands() {
        return commands;
    }

    /** The shared connection: on a Redis Cluster, a cluster connection. */
    StatefulConnection<String, byte[]> shared() {
        return shared;
    }

    /** Whether the URL is a {@code redis-cluster://} one. */
    boolean cluster() {
        return cluster;
    }

    /** On a cluster: the masters by the shared connection's layout; else null. */
    ClusterNodes nodes() {
        return nodes;
    }

    /** One command's reply on the shared connection, within the URL's timeout; a failure throws. */
    <T> T await(String operation, CompletionStage<T> reply) {
        return replies.await(operation, reply, timeout);
    }

    /**
     * Writes a batch of commands to the shared connection in one go. Issuing them one by one
     * through the async API wakes the event loop and flushes the socket per command, which
     * cost more than the commands themselves for a batch of small XADDs or XACKs.
     */
    void dispatch(List<? extends AsyncCommand<String, byte[], ?>> batch) {
        shared.dispatch(batch);
    }

    @Override
    public void close() {
        // The blocking connections first: closing them ends the reads blocked on them.
        state().close(() -> {
            if (nodes != null) {
                nodes.close();
            }
        }, blocking::close, shared::close, clients::shutdown);
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
                ServerMode.requireCluster(info, failures());
            } else {
                ServerMode.requireStandalone(info, failures());
            }
        } catch (RuntimeException e) {
            connection.close();
            throw e;
        }
    }

    /** The connection ordinary commands share: a cluster connection, or one to the single server. */
    private StatefulConnection<String, byte[]> connectShared() {
        try {
            if (clients.client() instanceof RedisClusterClient c) {
                StatefulRedisClusterConnection<String, byte[]> connection = c.connect(CODEC);
                linkServingMasters(connection).join();
                return connection;
            }
            return ((RedisClient) clients.client()).connect(CODEC);
        } catch (RuntimeException e) {
            String root = String.valueOf(RedisFailures.rootCause(e).getMessage());
            if (cluster && root.contains("cluster support disabled")) {
                ServerMode.requireCluster("cluster_enabled:0", failures());
            }
            throw failures().translate("", e);
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
        RedisClient nodeClient = clients.nodeClient();
        try {
            return nodeClient != null
                    ? nodeClient.connect(CODEC, nodes.uriOf(node))
                    : ((RedisClient) clients.client()).connect(CODEC);
        } catch (RuntimeException e) {
            layoutMayBeStale();
            throw failures().translate("", e);
        }
    }

    /** A call failed without an answer from its node: on a cluster, the node may have died or lost its slots. */
    private void layoutMayBeStale() {
        if (nodes != null) {
            nodes.refreshSoon();
        }
    }

    /** The commands of a connection, single-server or cluster: the cluster's are the common part of both. */
    static RedisClusterAsyncCommands<String, byte[]> async(StatefulConnection<String, byte[]> connection) {
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
    <T> T onBlockingConnection(String key, Duration block, BlockingWork<T> work) {
        Duration wait = CommandTimeout.forBlockingRead(timeout, block);
        if (nodes == null) {
            return onNode(THE_SERVER, wait, work);
        }
        String node = nodes.masterOf(key);
        if (node.isEmpty()) {
            nodes.refreshSoon();
            throw failures().failure("no master serves hash slot " + SlotHash.getSlot(key)
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
    <T> T onNode(String node, Duration wait, BlockingWork<T> work) {
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
}
