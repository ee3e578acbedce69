// SPDX-License-Identifier: Apache-2.0

package io.runnel.redis.jedis;

import io.runnel.api.transport.ConnectionUrl;
import io.runnel.api.transport.TransportException;
import io.runnel.redis.common.CommandTimeout;
import io.runnel.redis.common.KeyPlacement;
import io.runnel.redis.common.LuaScript;
import io.runnel.redis.common.RedisFailures;
import io.runnel.redis.common.RedisReplies;
import io.runnel.redis.common.ScriptedTransport;
import io.runnel.redis.common.ServerMode;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.function.IntConsumer;
import org.apache.commons.pool2.impl.GenericObjectPoolConfig;
import redis.clients.jedis.CommandArguments;
import redis.clients.jedis.Connection;
import redis.clients.jedis.Protocol.Command;
import redis.clients.jedis.exceptions.JedisDataException;
import redis.clients.jedis.providers.ClusterConnectionProvider;
import redis.clients.jedis.providers.ConnectionProvider;

/**
 * How {@link JedisTransport}'s commands reach the server: the two pools (ordinary commands,
 * and blocking reads), on a cluster per node and routed by {@link ClusterPipeline}; the
 * check made when connecting; and closing. The command families send through it.
 */
final class JedisConnection extends ScriptedTransport.Client {
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
     * @throws TransportException if the URL is invalid or the server cannot be reached or
     *                            refuses the credentials; the message shows the URL redacted
     */
    JedisConnection(ConnectionUrl url) {
        super(new RedisFailures(url, Failures::kind));
        this.calls = new CallFailures(failures(), state());
        RedisAddress address = parse(url);
        this.timeout = address.timeout();
        this.commands = open(address, Pools.forCommands(timeout));
        try {
            this.blocking = new BlockingConnections(open(address, Pools.forBlockingReads()), failures()::closed);
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

    @Override
    public KeyPlacement placement() {
        return placement;
    }

    /** Sends runs of a script pipelined on one pooled connection, error replies in place. */
    @Override
    public LuaScript.Runner scripts(String operation) {
        return (command, scriptOrSha, array, runs) -> pipeline(operation, runs.stream()
                .map(run -> Commands.script(Command.valueOf(command), scriptOrSha, run.keys(), run.args()))
                .toList());
    }

    /** Runs of a script on a blocking connection, each call followed there by WAIT. */
    @Override
    public LuaScript.Runner scriptsThenWait(String operation, int replicas, Duration timeout, IntConsumer confirmed) {
        CommandArguments wait = Commands.waitForReplicas(replicas, timeout);
        return (command, scriptOrSha, array, runs) -> {
            List<CommandArguments> scripts = new ArrayList<>(runs.size() + 1);
            for (LuaScript.Run run : runs) {
                scripts.add(Commands.script(Command.valueOf(command), scriptOrSha, run.keys(), run.args()));
            }
            List<Object> waits;
            List<Object> replies;
            if (cluster != null) {
                ClusterPipeline.Written written = cluster.writeThenWait(operation, scripts, wait,
                        CommandTimeout.forBlockingRead(this.timeout, timeout));
                replies = written.replies();
                waits = written.waits();
            } else {
                scripts.add(wait);
                List<Object> all = onBlockingConnection(operation, timeout, scripts);
                replies = all.subList(0, runs.size());
                waits = all.subList(runs.size(), all.size());
            }
            int fewest = Integer.MAX_VALUE;
            for (Object reply : waits) {
                if (reply instanceof JedisDataException error) {
                    throw failures().translate("WAIT", error);
                }
                fewest = Math.min(fewest, (int) (long) (Long) reply);
            }
            confirmed.accept(fewest);
            return replies;
        };
    }

    /** The URL's command timeout. */
    Duration timeout() {
        return timeout;
    }

    /** How commands reach a cluster's nodes; null on a single server. */
    ClusterPipeline cluster() {
        return cluster;
    }

    @Override
    public void close() {
        // Disconnecting the blocked reads ends them; the pools go after. On a cluster the
        // layout stops being read first, so a reading under way cannot reopen closed pools.
        state().close(() -> {
            if (cluster != null) {
                cluster.close();
            }
        }, blocking::close, () -> Pools.close(commands));
    }

    /** One command; an error reply fails it. */
    Object call(String operation, CommandArguments command) {
        return callAll(operation, List.of(command)).get(0);
    }

    /** A pipeline that fails on the first command, in list order, that got an error reply. */
    List<Object> callAll(String operation, List<CommandArguments> commands) {
        List<Object> replies = pipeline(operation, commands);
        for (Object reply : replies) {
            if (reply instanceof JedisDataException error) {
                throw failures().translate(operation, error);
            }
        }
        return replies;
    }

    /**
     * Sends commands on one pooled connection in one round trip and reads every reply, so
     * the connection goes back to the pool in step. Error replies come back in place as
     * {@link JedisDataException}, for callers that tolerate some (BUSYGROUP, NOSCRIPT).
     */
    List<Object> pipeline(String operation, List<CommandArguments> batch) {
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

    /**
     * Runs one blocking command on a connection of its own, whose socket timeout covers the
     * block. A connection whose command did not end with a reply may still be blocked in
     * the server, so it is discarded, not reused.
     */
    Object onBlockingConnection(String operation, Duration block, CommandArguments command) {
        Object reply = onBlockingConnection(operation, block, List.of(command)).get(0);
        if (reply instanceof JedisDataException error) {
            throw failures().translate(operation, error);
        }
        return reply;
    }

    /**
     * Runs a blocking command and what is pipelined after it on a connection of its own;
     * error replies come back in place, as from {@link #pipeline}.
     */
    List<Object> onBlockingConnection(String operation, Duration block, List<CommandArguments> commands) {
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
            throw Failures.cannotConnect(failures(), "", e);
        } finally {
            release(connection, failed);
        }
        if (cluster != null) {
            ServerMode.requireCluster(RedisReplies.text(infoCluster), failures());
        } else {
            ServerMode.requireStandalone(RedisReplies.text(infoCluster), failures());
        }
    }

    private ConnectionProvider open(RedisAddress address, GenericObjectPoolConfig<Connection> pool) {
        try {
            return address.connect(pool);
        } catch (RuntimeException e) {
            // Sentinel pools ask the sentinels for the master at once, cluster ones the seeds
            // for the layout, which a server not in cluster mode refuses.
            if (address.cluster() && Failures.clusterSupportDisabled(e)) {
                ServerMode.requireCluster("cluster_enabled:0", failures());
            }
            throw Failures.cannotConnect(failures(), "", e);
        }
    }

    private RedisAddress parse(ConnectionUrl url) {
        try {
            return RedisAddress.parse(url);
        } catch (RuntimeException e) {
            // Our parser's messages never quote the credentials, but they are scrubbed all the same.
            throw failures().invalidUrl(String.valueOf(e.getMessage()));
        }
    }
}
