// SPDX-License-Identifier: Apache-2.0

package io.runnel.redis.lettuce;

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
 *
 * <p>The Lua half (locks, fenced and parking commands) is {@link ScriptedTransport}'s; the
 * rest is split by command family into package-private classes, which this class fronts.
 */
public final class LettuceTransport extends ScriptedTransport {
    private final LettuceConnection connection;
    private final LettuceStreamCommands streams;
    private final LettuceGroupCommands groups;
    private final LettuceKeyCommands keyspace;
    private final LettuceServerCommands server;

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
        this.connection = new LettuceConnection(url);
        this.streams = new LettuceStreamCommands(connection);
        this.groups = new LettuceGroupCommands(connection);
        this.keyspace = new LettuceKeyCommands(connection);
        this.server = new LettuceServerCommands(connection);
    }

    // ---------------------------------------------------------------- streams

    @Override
    public List<String> append(List<Append> appends) {
        return streams.append(appends);
    }

    @Override
    public List<String> appendDurably(List<Append> appends, int replicas, Duration waitFor) {
        return streams.appendDurably(appends, replicas, waitFor);
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

    /** On a Redis Cluster, the master of the key's slot by the layout as last read; empty on a single server. */
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
