// SPDX-License-Identifier: Apache-2.0

package io.runnel.redis.jedis;

import io.runnel.api.transport.Append;
import io.runnel.api.transport.ConnectionUrl;
import io.runnel.api.transport.GroupInfo;
import io.runnel.api.transport.RetentionPass;
import io.runnel.api.transport.RetentionResult;
import io.runnel.api.transport.ServerMemory;
import io.runnel.api.transport.StreamEntry;
import io.runnel.api.transport.Transport;
import io.runnel.api.transport.TransportException;
import io.runnel.redis.common.FencedCommands;
import io.runnel.redis.common.ScriptedTransport;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Optional;

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
 *
 * <p>The Lua half (locks, fenced and parking commands) is {@link ScriptedTransport}'s; the
 * rest is split by command family into package-private classes, which this class fronts.
 */
public final class JedisTransport extends ScriptedTransport {
    private final JedisConnection connection;
    private final JedisStreamCommands streams;
    private final JedisGroupCommands groups;
    private final JedisKeyCommands keyspace;
    private final JedisServerCommands server;

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
        this.connection = new JedisConnection(url);
        this.streams = new JedisStreamCommands(connection);
        this.groups = new JedisGroupCommands(connection);
        this.keyspace = new JedisKeyCommands(connection);
        this.server = new JedisServerCommands(connection);
    }

    // ---------------------------------------------------------------- streams

    @Override
    public List<String> append(List<Append> appends) {
        return streams.append(appends);
    }

    @Override
    public List<String> appendDurably(List<Append> appends, int replicas, Duration timeout) {
        return streams.appendDurably(appends, replicas, timeout);
    }

    @Override
    public long length(String key) {
        return streams.length(key);
    }

    @Override
    public List<StreamEntry> range(String key, String start, String end, int count) {
        return streams.range(key, start, end, count);
    }

    @Override
    public String lastId(String key) {
        return streams.lastId(key);
    }

    @Override
    public List<StreamEntry> read(String key, String afterId, int count, Duration block) {
        return streams.read(key, afterId, count, block);
    }

    @Override
    public RetentionResult retain(RetentionPass pass) {
        return streams.retain(pass);
    }

    // --------------------------------------------------------- consumer groups

    @Override
    public void createGroup(List<String> keys, String group, String startId) {
        groups.createGroup(keys, group, startId);
    }

    @Override
    public void destroyGroup(List<String> keys, String group) {
        groups.destroyGroup(keys, group);
    }

    @Override
    public Map<String, List<StreamEntry>> readGroup(String group, String consumer, Map<String, String> idsByKey,
                                                    int count, Duration block) {
        return groups.readGroup(group, consumer, idsByKey, count, block);
    }

    @Override
    public void ack(String group, Map<String, List<String>> idsByKey) {
        groups.ack(group, idsByKey);
    }

    @Override
    public long pendingCount(String key, String group) {
        return groups.pendingCount(key, group);
    }

    @Override
    public Optional<GroupInfo> groupInfo(String key, String group) {
        return groups.groupInfo(key, group);
    }

    // ------------------------------------------------------------------- keys

    @Override
    public Optional<String> get(String key) {
        return keyspace.get(key);
    }

    @Override
    public List<Optional<String>> getAll(List<String> keys) {
        return keyspace.getAll(keys);
    }

    @Override
    public Optional<Duration> timeToLive(String key) {
        return keyspace.timeToLive(key);
    }

    @Override
    public void delete(List<String> keys) {
        keyspace.delete(keys);
    }

    @Override
    public Map<String, String> getHash(String key) {
        return keyspace.getHash(key);
    }

    // ----------------------------------------------------------------- server

    /** INFO memory of the server, or of each master of a cluster. */
    @Override
    public List<ServerMemory> serverMemory() {
        return server.serverMemory();
    }

    /** On a Redis Cluster, the master of the key's slot by the slot map as last read; empty on a single server. */
    @Override
    public String nodeOf(String key) {
        return server.nodeOf(key);
    }

    // ------------------------------------------------- what the scripts run on

    @Override
    protected ScriptedTransport.Client client() {
        return connection;
    }

    @Override
    protected FencedCommands.ReadThenRun readThenRun() {
        return groups::readThenRun;
    }
}
