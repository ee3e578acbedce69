// SPDX-License-Identifier: Apache-2.0

package io.runnel.redis.jedis;

import io.runnel.api.transport.TransportException;
import io.runnel.redis.common.NodeAddress;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import redis.clients.jedis.CommandArguments;
import redis.clients.jedis.Connection;
import redis.clients.jedis.HostAndPort;
import redis.clients.jedis.Protocol.Command;
import redis.clients.jedis.exceptions.JedisAskDataException;
import redis.clients.jedis.exceptions.JedisDataException;
import redis.clients.jedis.exceptions.JedisMovedDataException;
import redis.clients.jedis.exceptions.JedisRedirectionException;
import redis.clients.jedis.util.JedisClusterCRC16;

/**
 * Sends commands to a Redis Cluster, each to the master of its key's hash slot. The commands
 * of a batch bound for one node go pipelined on one connection, in the batch's order, and
 * every node's share is written before any reply is read: a batch spread over three masters
 * costs about one round trip, as on a single server. Replies come back in the caller's
 * order, error replies in place (as {@code JedisDataException}s).
 *
 * <p>A command answered MOVED (its slot has another master now: a failover, a resharding)
 * or ASK (its slot is being migrated) is sent again where the answer points, and MOVED has
 * the layout read again. A node that cannot be reached or whose connection breaks fails the
 * batch at once with a {@link TransportException}, after the other nodes' replies were read
 * (their connections stay usable), and has the layout read again too.
 */
final class ClusterPipeline {
    /** Redirections followed per command, as Jedis's own cluster client does by default. */
    private static final int MAX_REDIRECTIONS = 5;
    private static final CommandArguments ASKING = new CommandArguments(Command.ASKING);

    private final ClusterRouting routing;
    private final CallFailures failures;
    private final Lane pooled = new Lane() {
        @Override
        public Connection borrow(HostAndPort node) {
            return routing.borrow(node);
        }

        @Override
        public void release(Connection connection, boolean inStep) {
            if (!inStep) {
                connection.setBroken(); // replies of ours may still be coming: never reuse it
            }
            try {
                // Back to its pool, which drops it if it broke.
                connection.close();
            } catch (RuntimeException e) {
                // The pool closed meanwhile (the transport closing, the node leaving the layout).
            }
        }
    };

    ClusterPipeline(ClusterRouting routing, CallFailures failures) {
        this.routing = routing;
        this.failures = failures;
    }

    /** Commands on pooled connections; error replies in place. */
    List<Object> pipeline(String operation, List<CommandArguments> batch) {
        return Arrays.asList(run(operation, batch, pooled, null, null));
    }

    /**
     * Blocking commands (and what is pipelined after them, on the same connection) on
     * connections of their own, whose socket timeout is {@code wait}; error replies in place.
     * A blocking read names keys of one slot, so it takes one connection.
     */
    List<Object> onBlockingConnections(String operation, Duration wait, List<CommandArguments> batch) {
        return Arrays.asList(run(operation, batch, new Dedicated(wait), null, null));
    }

    /** What {@link #writeThenWait} got back. */
    record Written(List<Object> replies, List<Object> waits) {
    }

    /**
     * Writes (XADDs) and then, on each master written to, {@code wait} (WAIT), which answers
     * for the writes of its own connection: so each master's writes and its WAIT go on one
     * connection, a dedicated one since WAIT blocks it.
     *
     * @param socketWait how long a WAIT may take to answer
     * @return the writes' replies in order, and each master's WAIT reply
     */
    Written writeThenWait(String operation, List<CommandArguments> writes, CommandArguments wait, Duration socketWait) {
        List<Object> waits = new ArrayList<>();
        Object[] replies = run(operation, writes, new Dedicated(socketWait), wait, waits);
        return new Written(Arrays.asList(replies), waits);
    }

    /**
     * Sends a batch and reads every reply, following redirections.
     *
     * @param tail  a command sent after each node's share, whose reply goes to {@code tails}
     *              for each node that took at least one command; or null
     * @return the replies in batch order (nil as null); those of a redirected command are its final node's
     */
    private Object[] run(String operation, List<CommandArguments> batch, Lane lane, CommandArguments tail,
                         List<Object> tails) {
        Object[] replies = new Object[batch.size()];
        JedisRedirectionException[] redirected = new JedisRedirectionException[batch.size()];
        List<Integer> todo = new ArrayList<>(batch.size());
        for (int i = 0; i < batch.size(); i++) {
            todo.add(i);
        }
        for (int round = 0; !todo.isEmpty(); round++) {
            if (round > MAX_REDIRECTIONS) {
                throw failures.redis().because(operation + " was redirected " + MAX_REDIRECTIONS
                        + " times without reaching the node of its slot on " + failures.redis().where(),
                        redirected[todo.get(0)]);
            }
            Map<HostAndPort, NodeShare> shares = shares(operation, batch, todo, redirected);
            TransportException failed = null;
            for (NodeShare share : shares.values()) {
                failed = first(failed, share.send(operation, batch, lane, tail));
            }
            List<Integer> next = new ArrayList<>();
            boolean moved = false;
            for (NodeShare share : shares.values()) {
                failed = first(failed, share.read(operation, lane, tail != null));
                if (share.replies == null) {
                    continue;
                }
                boolean took = false;
                for (int j = 0; j < share.indexes.size(); j++) {
                    int i = share.indexes.get(j);
                    Object reply = share.replies.get(j);
                    if (reply instanceof JedisRedirectionException redirection) {
                        redirected[i] = redirection;
                        moved |= redirection instanceof JedisMovedDataException;
                        next.add(i);
                    } else {
                        replies[i] = reply;
                        took = true;
                    }
                }
                if (tail != null && took) {
                    tails.add(share.tailReply);
                }
            }
            if (moved) {
                routing.refreshSoon();
            }
            if (failed != null) {
                throw failed;
            }
            next.sort(null); // a node's share keeps the batch's order when sent again
            todo = next;
        }
        return replies;
    }

    private static TransportException first(TransportException failed, TransportException another) {
        return failed != null ? failed : another;
    }

    /** The commands to send, by node: where a redirection pointed, else the master of the slot. */
    private Map<HostAndPort, NodeShare> shares(String operation, List<CommandArguments> batch, List<Integer> todo,
                                               JedisRedirectionException[] redirected) {
        Map<HostAndPort, NodeShare> shares = new LinkedHashMap<>();
        for (int i : todo) {
            JedisRedirectionException redirection = redirected[i];
            HostAndPort node;
            if (redirection != null) {
                node = redirection.getTargetNode();
            } else {
                int slot = ClusterRouting.slot(batch.get(i));
                node = routing.nodeOf(slot);
                if (node == null) {
                    routing.refreshSoon();
                    throw failures.redis().failure(operation + " found no node serving hash slot " + slot);
                }
            }
            NodeShare share = shares.computeIfAbsent(node, NodeShare::new);
            share.indexes.add(i);
            share.asking.add(redirection instanceof JedisAskDataException);
        }
        return shares;
    }

    /**
     * One command without keys on every master, one master after another, on pooled
     * connections: for rare reads of each server's state (INFO).
     *
     * @return per master ({@code host:port}), its reply; an error reply or a failure throws
     */
    Map<String, Object> onEveryMaster(String operation, CommandArguments command) {
        Map<String, Object> replies = new LinkedHashMap<>();
        for (HostAndPort node : routing.masters()) {
            Connection connection;
            try {
                connection = pooled.borrow(node);
            } catch (RuntimeException e) {
                nodeFailed(node, e);
                throw failures.noConnection(operation, e);
            }
            boolean inStep = false;
            try {
                replies.put(node.toString(), connection.executeCommand(command));
                inStep = true;
            } catch (RuntimeException e) {
                if (e instanceof JedisDataException) {
                    inStep = true;
                    throw failures.redis().translate(operation, e);
                }
                nodeFailed(node, e);
                throw failures.broken(operation, e);
            } finally {
                pooled.release(connection, inStep);
            }
        }
        return replies;
    }

    /** The address of the master serving the key's slot by the slot map as last read, or empty when it names none. */
    String nodeOf(String key) {
        HostAndPort node = routing.knownNodeOf(JedisClusterCRC16.getSlot(key));
        return node == null ? "" : new NodeAddress(node.getHost(), node.getPort()).toString();
    }

    /** Stops reading the cluster's layout; the transport closes the pools next. */
    void close() {
        routing.close();
    }

    /** After a node's connection could not be had or broke. */
    private void nodeFailed(HostAndPort node, RuntimeException error) {
        if (failures.closed() || Thread.currentThread().isInterrupted()) {
            return;
        }
        if (!Failures.timedOut(error)) {
            routing.dropIdleConnectionsTo(node);
        }
        // A dead or unreachable master: its replica may be promoted (or already is).
        routing.refreshSoon();
    }

    /** Where a node's share of a batch takes its connection from and gives it back to. */
    private interface Lane {
        Connection borrow(HostAndPort node);

        /** @param inStep whether every reply sent for was read, so the connection may be reused */
        void release(Connection connection, boolean inStep);
    }

    /**
     * Connections of their own for blocking commands. A connection whose command did not
     * end with a reply may still be blocked in the server, so it is discarded, not reused.
     */
    private final class Dedicated implements Lane {
        private final int socketMillis;

        Dedicated(Duration wait) {
            this.socketMillis = RedisAddress.saturatedMillis(wait);
        }

        @Override
        public Connection borrow(HostAndPort node) {
            Connection connection = routing.borrowBlocking(node);
            try {
                connection.setSoTimeout(socketMillis);
            } catch (RuntimeException e) {
                routing.discardBlocking(connection);
                throw e;
            }
            return connection;
        }

        @Override
        public void release(Connection connection, boolean inStep) {
            if (inStep) {
                routing.giveBackBlocking(connection);
            } else {
                routing.discardBlocking(connection);
            }
        }
    }

    /** The commands of a batch bound for one node, and what became of them. */
    private final class NodeShare {
        final HostAndPort node;
        final List<Integer> indexes = new ArrayList<>();
        /** Per command: whether an ASK redirection sent it here, so ASKING goes first. */
        final List<Boolean> asking = new ArrayList<>();
        Connection connection;
        int expected;
        /** The replies of the share's commands, in order, once read; null if they were not. */
        List<Object> replies;
        Object tailReply;

        NodeShare(HostAndPort node) {
            this.node = node;
        }

        /** Writes the share's commands to the node; returns the failure, if any. */
        TransportException send(String operation, List<CommandArguments> batch, Lane lane, CommandArguments tail) {
            try {
                connection = lane.borrow(node);
            } catch (RuntimeException e) {
                nodeFailed(node, e);
                return failures.noConnection(operation, e);
            }
            try {
                for (int j = 0; j < indexes.size(); j++) {
                    if (asking.get(j)) {
                        connection.sendCommand(ASKING);
                        expected++;
                    }
                    connection.sendCommand(batch.get(indexes.get(j)));
                    expected++;
                }
                if (tail != null) {
                    connection.sendCommand(tail);
                    expected++;
                }
                // Reading no reply only flushes: the node starts on its share while the next
                // node's is written.
                connection.getMany(0);
                return null;
            } catch (RuntimeException e) {
                lane.release(connection, false);
                connection = null;
                nodeFailed(node, e);
                return failures.broken(operation, e);
            }
        }

        /** Reads the share's replies, if it was sent; returns the failure, if any. */
        TransportException read(String operation, Lane lane, boolean withTail) {
            if (connection == null) {
                return null;
            }
            boolean inStep = false;
            try {
                List<Object> all = connection.getMany(expected);
                inStep = true;
                replies = new ArrayList<>(indexes.size());
                int r = 0;
                for (boolean asked : asking) {
                    if (asked) {
                        r++; // ASKING's OK
                    }
                    replies.add(all.get(r++));
                }
                tailReply = withTail ? all.get(r) : null;
                return null;
            } catch (RuntimeException e) {
                nodeFailed(node, e);
                return failures.broken(operation, e);
            } finally {
                lane.release(connection, inStep);
                connection = null;
            }
        }
    }
}
