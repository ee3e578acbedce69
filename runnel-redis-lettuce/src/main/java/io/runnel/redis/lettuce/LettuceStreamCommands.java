// SPDX-License-Identifier: Apache-2.0

package io.runnel.redis.lettuce;

import io.lettuce.core.Limit;
import io.lettuce.core.Range;
import io.lettuce.core.ScriptOutputType;
import io.lettuce.core.StreamMessage;
import io.lettuce.core.XReadArgs;
import io.lettuce.core.XReadArgs.StreamOffset;
import io.lettuce.core.output.StatusOutput;
import io.lettuce.core.protocol.AsyncCommand;
import io.lettuce.core.protocol.Command;
import io.lettuce.core.protocol.CommandArgs;
import io.lettuce.core.protocol.CommandKeyword;
import io.lettuce.core.protocol.CommandType;
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

/**
 * {@link LettuceTransport}'s stream commands: appends (plain and durable), reads outside a
 * group, ranges, lengths and retention.
 */
final class LettuceStreamCommands {
    private static final String NO_ENTRY = "0-0";

    private final LettuceConnection connection;

    LettuceStreamCommands(LettuceConnection connection) {
        this.connection = connection;
    }

    List<String> append(List<Append> appends) {
        connection.ensureOpen();
        List<AsyncCommand<String, byte[], String>> adds = xadds(appends);
        connection.dispatch(adds);
        return connection.replies().awaitAll("XADD", adds, connection.timeout());
    }

    /** One XADD per append, built directly (cheaper than the typed API for a batch of small entries). */
    static List<AsyncCommand<String, byte[], String>> xadds(List<Append> appends) {
        List<AsyncCommand<String, byte[], String>> adds = new ArrayList<>(appends.size());
        for (Append append : appends) {
            CommandArgs<String, byte[]> args = new CommandArgs<>(LettuceConnection.CODEC).addKey(append.key());
            if (append.maxLen() > 0) {
                args.add(CommandKeyword.MAXLEN).add("~").add(append.maxLen());
            }
            args.add(append.id() != null ? append.id() : "*").add(append.fields());
            adds.add(new AsyncCommand<>(new Command<>(CommandType.XADD, new StatusOutput<>(LettuceConnection.CODEC), args)));
        }
        return adds;
    }

    List<String> appendDurably(List<Append> appends, int replicas, Duration waitFor) {
        connection.ensureOpen();
        TransportArgs.requireReplicas(replicas, waitFor);
        long millis = TransportArgs.ttlMillis(waitFor);
        Replies replies = connection.replies();
        Duration timeout = connection.timeout();
        if (connection.nodes() != null) {
            DurableAppends.Appended appended = new DurableAppends(connection.nodes(), replies, connection.failures(),
                    LettuceConnection.MAX_REDIRECTIONS, connection::onNode)
                    .append(appends, replicas, millis, timeout, CommandTimeout.forBlockingRead(timeout, waitFor));
            return replicated(appended.ids(), appended.confirmed(), replicas, waitFor);
        }
        // WAIT answers for the writes of its own connection, and holds it meanwhile: a blocking one.
        return connection.onBlockingConnection(LettuceConnection.THE_SERVER, waitFor, (own, wait) -> {
            List<AsyncCommand<String, byte[], String>> adds = xadds(appends);
            own.dispatch(adds);
            List<String> ids = replies.awaitAll("XADD", adds, timeout);
            int confirmed = replies.await("WAIT", LettuceConnection.async(own).waitForReplication(replicas, millis), wait)
                    .intValue();
            return replicated(ids, confirmed, replicas, waitFor);
        });
    }

    /** The ids of a durable append, or NotReplicated when fewer replicas than asked confirmed it. */
    private List<String> replicated(List<String> ids, int confirmed, int replicas, Duration waitFor) {
        if (confirmed < replicas) {
            throw new NotReplicated(TransportArgs.notReplicated(ids.size(), confirmed, replicas, waitFor)
                    + " (" + connection.failures().where() + ")", confirmed, ids);
        }
        return ids;
    }

    long length(String key) {
        connection.ensureOpen();
        return connection.await("XLEN", connection.commands().xlen(key));
    }

    List<StreamEntry> range(String key, String start, String end, int count) {
        connection.ensureOpen();
        List<StreamMessage<String, byte[]>> messages = connection.await("XRANGE",
                connection.commands().xrange(key, Range.create(start, end), StreamArgs.limit(count)));
        return Entries.of(messages);
    }

    String lastId(String key) {
        connection.ensureOpen();
        // XREVRANGE puts the upper bound first; Lettuce swaps the range's ends for us.
        List<StreamMessage<String, byte[]>> newest = connection.await("XREVRANGE",
                connection.commands().xrevrange(key, Range.create("-", "+"), Limit.from(1)));
        return newest.isEmpty() ? NO_ENTRY : newest.get(0).getId();
    }

    List<StreamEntry> read(String key, String afterId, int count, Duration block) {
        connection.ensureOpen();
        XReadArgs args = StreamArgs.readArgs(count, block);
        StreamOffset<String>[] offset = StreamArgs.arrayOf(StreamOffset.from(key, afterId));
        List<StreamMessage<String, byte[]>> messages = TransportArgs.isBlocking(block)
                ? connection.onBlockingConnection(key, block, (own, wait) ->
                        connection.replies().await("XREAD", LettuceConnection.async(own).xread(args, offset), wait))
                : connection.await("XREAD", connection.commands().xread(args, offset));
        return Entries.of(messages);
    }

    RetentionResult retain(RetentionPass pass) {
        connection.ensureOpen();
        // One run per partition per retention interval: plain EVAL, as for group info.
        List<Object> reply = connection.await("retention", connection.commands().<List<Object>>eval(
                RetentionScript.SOURCE, ScriptOutputType.MULTI, RetentionScript.keys(pass).toArray(String[]::new),
                RetentionScript.args(pass).toArray(byte[][]::new)));
        return RetentionScript.parse(reply);
    }
}
