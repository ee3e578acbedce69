// SPDX-License-Identifier: Apache-2.0

package io.runnel.redis.jedis;

import io.runnel.api.transport.Append;
import io.runnel.api.transport.TransportArgs;
import java.nio.charset.StandardCharsets;
import java.util.List;
import java.util.Map;
import redis.clients.jedis.CommandArguments;
import redis.clients.jedis.Protocol.Command;

/**
 * The Redis commands the transport sends, spelled out argument by argument. Jedis's typed
 * stream API decodes values as strings or hides field order, so commands are built raw:
 * keys and field names as UTF-8, values as the caller's bytes, replies parsed by
 * {@link Replies}.
 */
final class Commands {
    private Commands() {
    }

    static CommandArguments xadd(Append append) {
        CommandArguments args = new CommandArguments(Command.XADD).key(utf8(append.key()));
        if (append.maxLen() > 0) {
            args.add("MAXLEN").add("~").add(append.maxLen());
        }
        args.add(append.id() == null ? "*" : append.id());
        append.fields().forEach((name, value) -> args.add(utf8(name)).add(value));
        return args;
    }

    static CommandArguments xlen(String key) {
        return new CommandArguments(Command.XLEN).key(utf8(key));
    }

    static CommandArguments xrange(String key, String start, String end, int count) {
        return withCount(new CommandArguments(Command.XRANGE).key(utf8(key)).add(start).add(end), count);
    }

    static CommandArguments newest(String key) {
        return new CommandArguments(Command.XREVRANGE).key(utf8(key)).add("+").add("-").add("COUNT").add(1);
    }

    /**
     * @param blockMillis BLOCK argument, or 0 for none (Redis would read 0 as "forever")
     */
    static CommandArguments xread(String key, String afterId, int count, long blockMillis) {
        CommandArguments args = withBlock(withCount(new CommandArguments(Command.XREAD), count), blockMillis);
        return args.add("STREAMS").key(utf8(key)).add(afterId);
    }

    static CommandArguments xreadgroup(String group, String consumer, Map<String, String> idsByKey, int count,
                                       long blockMillis) {
        CommandArguments args = new CommandArguments(Command.XREADGROUP).add("GROUP").add(utf8(group)).add(utf8(consumer));
        withBlock(withCount(args, count), blockMillis).add("STREAMS");
        for (String key : idsByKey.keySet()) {
            args.key(utf8(key));
        }
        for (String id : idsByKey.values()) {
            args.add(id);
        }
        return args;
    }

    static CommandArguments del(List<String> keys) {
        CommandArguments args = new CommandArguments(Command.DEL);
        for (String key : keys) {
            args.key(utf8(key));
        }
        return args;
    }

    static CommandArguments xgroupCreate(String key, String group, String startId) {
        CommandArguments args = new CommandArguments(Command.XGROUP).add("CREATE").key(utf8(key)).add(utf8(group))
                .add(startId).add("MKSTREAM");
        // See TransportArgs.fromTheStart.
        return TransportArgs.fromTheStart(startId) ? args.add("ENTRIESREAD").add(0) : args;
    }

    static CommandArguments xgroupDestroy(String key, String group) {
        return new CommandArguments(Command.XGROUP).add("DESTROY").key(utf8(key)).add(utf8(group));
    }

    static CommandArguments xack(String key, String group, List<String> ids) {
        CommandArguments args = new CommandArguments(Command.XACK).key(utf8(key)).add(utf8(group));
        for (String id : ids) {
            args.add(id);
        }
        return args;
    }

    /** XPENDING's summary form, whose first element is the number of pending entries. */
    static CommandArguments xpending(String key, String group) {
        return new CommandArguments(Command.XPENDING).key(utf8(key)).add(utf8(group));
    }

    static CommandArguments get(String key) {
        return new CommandArguments(Command.GET).key(utf8(key));
    }

    static CommandArguments mget(List<String> keys) {
        CommandArguments args = new CommandArguments(Command.MGET);
        for (String key : keys) {
            args.key(utf8(key));
        }
        return args;
    }

    /**
     * @param ttlMillis PX argument, or 0 for none
     * @param ifAbsent  whether to add NX
     */
    static CommandArguments pttl(String key) {
        return new CommandArguments(Command.PTTL).key(utf8(key));
    }

    static CommandArguments ping() {
        return new CommandArguments(Command.PING);
    }

    /** WAIT numreplicas timeout: the replicas that confirmed this connection's writes so far. */
    static CommandArguments waitForReplicas(int replicas, java.time.Duration timeout) {
        return new CommandArguments(Command.WAIT).add(replicas).add(io.runnel.api.transport.TransportArgs.ttlMillis(timeout));
    }

    static CommandArguments infoMemory() {
        return new CommandArguments(Command.INFO).add("memory");
    }

    static CommandArguments infoCluster() {
        return new CommandArguments(Command.INFO).add("cluster");
    }

    /** EVALSHA or EVAL (by {@code command}) of a script on one key. */
    static CommandArguments script(Command command, String scriptOrSha, String key, byte[]... argv) {
        CommandArguments args = new CommandArguments(command).add(scriptOrSha).add(1).key(utf8(key));
        for (byte[] arg : argv) {
            args.add(arg);
        }
        return args;
    }

    /** EVALSHA or EVAL (by {@code command}) of a script with any number of keys. */
    static CommandArguments script(Command command, String scriptOrSha, List<String> keys, List<byte[]> argv) {
        CommandArguments args = new CommandArguments(command).add(scriptOrSha).add(keys.size());
        for (String key : keys) {
            args.key(utf8(key));
        }
        for (byte[] arg : argv) {
            args.add(arg);
        }
        return args;
    }

    private static CommandArguments withCount(CommandArguments args, int count) {
        return TransportArgs.hasLimit(count) ? args.add("COUNT").add(count) : args;
    }

    private static CommandArguments withBlock(CommandArguments args, long blockMillis) {
        return blockMillis > 0 ? args.add("BLOCK").add(blockMillis) : args;
    }

    static byte[] utf8(String text) {
        return text.getBytes(StandardCharsets.UTF_8);
    }
}
