// SPDX-License-Identifier: Apache-2.0

package io.runnel.redis.jedis;

import io.runnel.api.transport.Append;
import io.runnel.api.transport.NotReplicated;
import io.runnel.api.transport.RetentionPass;
import io.runnel.api.transport.RetentionResult;
import io.runnel.api.transport.StreamEntry;
import io.runnel.api.transport.TransportArgs;
import io.runnel.redis.common.CommandTimeout;
import io.runnel.redis.common.RetentionScript;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import redis.clients.jedis.CommandArguments;
import redis.clients.jedis.Protocol.Command;
import redis.clients.jedis.exceptions.JedisDataException;

/**
 * {@link JedisTransport}'s stream commands: appends (plain and durable), reads outside a
 * group, ranges, lengths and retention.
 */
final class JedisStreamCommands {
    private static final String NO_ENTRY = "0-0";

    private final JedisConnection connection;

    JedisStreamCommands(JedisConnection connection) {
        this.connection = connection;
    }

    List<String> append(List<Append> appends) {
        connection.ensureOpen();
        List<CommandArguments> adds = new ArrayList<>(appends.size());
        for (Append append : appends) {
            adds.add(Commands.xadd(append));
        }
        return connection.callAll("XADD", adds).stream().map(Replies::text).toList();
    }

    List<String> appendDurably(List<Append> appends, int replicas, Duration timeout) {
        connection.ensureOpen();
        TransportArgs.requireReplicas(replicas, timeout);
        List<CommandArguments> commands = new ArrayList<>(appends.size() + 1);
        for (Append append : appends) {
            commands.add(Commands.xadd(append));
        }
        if (connection.cluster() != null) {
            return appendDurablyOnCluster(commands, replicas, timeout);
        }
        // WAIT answers for the writes of its own connection, and holds it meanwhile: a blocking one.
        commands.add(Commands.waitForReplicas(replicas, timeout));
        List<Object> replies = connection.onBlockingConnection("XADD and WAIT", timeout, commands);
        for (Object reply : replies) {
            if (reply instanceof JedisDataException error) {
                throw connection.failures().translate("XADD", error);
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
        ClusterPipeline.Written written = connection.cluster().writeThenWait("XADD and WAIT", adds,
                Commands.waitForReplicas(replicas, timeout),
                CommandTimeout.forBlockingRead(connection.timeout(), timeout));
        for (Object reply : written.replies()) {
            if (reply instanceof JedisDataException error) {
                throw connection.failures().translate("XADD", error);
            }
        }
        int confirmed = Integer.MAX_VALUE; // no master written to (no appends): nothing to confirm
        for (Object reply : written.waits()) {
            if (reply instanceof JedisDataException error) {
                throw connection.failures().translate("WAIT", error);
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
                    + " (" + connection.failures().where() + ")", confirmed, ids);
        }
        return ids;
    }

    long length(String key) {
        connection.ensureOpen();
        return Replies.integer(connection.call("XLEN", Commands.xlen(key)));
    }

    List<StreamEntry> range(String key, String start, String end, int count) {
        connection.ensureOpen();
        return Replies.entries(connection.call("XRANGE", Commands.xrange(key, start, end, count)));
    }

    String lastId(String key) {
        connection.ensureOpen();
        List<StreamEntry> newest = Replies.entries(connection.call("XREVRANGE", Commands.newest(key)));
        return newest.isEmpty() ? NO_ENTRY : newest.get(0).id();
    }

    List<StreamEntry> read(String key, String afterId, int count, Duration block) {
        connection.ensureOpen();
        long blockMillis = TransportArgs.blockMillis(block);
        CommandArguments xread = Commands.xread(key, afterId, count, blockMillis);
        Object reply = blockMillis > 0
                ? connection.onBlockingConnection("XREAD", block, xread)
                : connection.call("XREAD", xread);
        return Replies.onlyStream(reply);
    }

    RetentionResult retain(RetentionPass pass) {
        connection.ensureOpen();
        // One run per partition per retention interval: plain EVAL, as for group info.
        Object reply = connection.call("retention", Commands.script(Command.EVAL, RetentionScript.SOURCE,
                RetentionScript.keys(pass), RetentionScript.args(pass)));
        return RetentionScript.parse(Replies.array(reply));
    }
}
