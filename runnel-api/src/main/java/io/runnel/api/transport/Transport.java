// SPDX-License-Identifier: Apache-2.0

package io.runnel.api.transport;

import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Optional;

/**
 * Everything the Runnel engine asks of a Redis-like server. The engine never talks to a
 * client library directly, so Lettuce, Jedis and the in-memory transport are
 * interchangeable.
 *
 * <p>Contract shared by every implementation (and pinned by the conformance suite in
 * {@code runnel-testkit}):
 * <ul>
 *   <li>All methods are thread-safe and may be called from many (virtual) threads at once.
 *   <li>A blocking read ({@code block} positive) never delays other calls on the same
 *       transport: implementations give blocking reads their own connections.
 *   <li>Stream ids are Redis ids ({@code "1700000000000-0"}); the special ids {@code "0-0"},
 *       {@code ">"} and {@code "$"} mean what they mean in Redis.
 *   <li>Failures to talk to the server surface as {@link TransportException}; messages
 *       never contain credentials.
 *   <li>A {@code block} that is null, zero or negative means "do not block" (unlike Redis's
 *       {@code BLOCK 0}, which waits forever). A {@code count} of zero or less means no limit.
 *   <li>A {@code ttl} must be positive; null (where allowed) means no expiry.
 *   <li>Re-reading pending entries ({@code readGroup} with an explicit id) returns entries
 *       that were trimmed from the stream meanwhile with an <em>empty</em> fields map, as
 *       Redis does; the engine acknowledges and skips them.
 *   <li>Reading or acknowledging through a consumer group that does not exist fails with
 *       {@link TransportException}.
 *   <li>If the connection drops while a batch of appends is in flight, a client that
 *       re-sends it may append some entries twice: appends are at-least-once, like every
 *       delivery in Runnel.
 * </ul>
 *
 * <p><b>At maxmemory.</b> A Redis server whose used memory is above its {@code maxmemory},
 * with a policy that evicts nothing ({@code noeviction}, which streams need), refuses the
 * commands that can grow its memory. A transport on such a server keeps working what frees
 * memory or keeps the workers coordinated, and refuses the rest with
 * {@link ServerOutOfMemory} (a {@link CommandRejected} with code {@code OOM}):
 * <ul>
 *   <li>Always served: the reads, {@link #ack}, {@link #ackFenced}, {@link #readGroup},
 *       {@link #readGroupFenced} (its claims included), {@link #handOverPending},
 *       {@link #delete}, {@link #deleteEntries}, {@link #destroyGroup}, {@link #extendFenced}
 *       and {@link #releaseFenced}: Redis never refuses them for memory.
 *   <li>Served although they write: {@link #retain} (its trims are what free memory; the
 *       record it keeps is a few bytes), and the coordination keys: {@link #set},
 *       {@link #setIfAbsent}, {@link #increment}, {@link #extendIfOwner},
 *       {@link #deleteIfOwner} and {@link #setFenced}. Their users (partition locks, fencing
 *       epochs, heartbeats, static-member reservations, the membership and its generation,
 *       leadership, partition marks, Avro schemas) write a few hundred bytes per processor,
 *       and refusing them would turn a full memory into a standstill: partitions nobody owns
 *       are neither processed nor trimmed. A Redis transport runs them as scripts flagged
 *       {@code allow-oom}, so it needs Redis 7.0 or later.
 *   <li>Refused with {@link ServerOutOfMemory}: whatever adds entries or groups, that is
 *       {@link #append}, {@link #appendDurably}, {@link #appendFenced}, {@link #appendOnce},
 *       {@link #parkFenced}, {@link #releaseParked} (when it re-sends),
 *       {@link #commitFenced}, {@link #forwardOnce} and {@link #createGroup}. Callers retry them once memory is freed.
 * </ul>
 * {@link #serverMemory()} tells how full the server is.
 */
public interface Transport extends AutoCloseable {

    // ---------------------------------------------------------------- streams

    /**
     * Appends entries (XADD), pipelined in one round trip, in list order.
     *
     * @param appends the entries to add, each naming its stream; they may span streams
     * @return the id of each appended entry, in the same order
     */
    List<String> append(List<Append> appends);

    /**
     * Appends entries like {@link #append(List)}, then waits until every master written to
     * confirms that at least {@code replicas} of its replicas hold them (Redis {@code WAIT}),
     * so a failover that promotes such a replica keeps them. Runs on a connection of its own:
     * WAIT holds its connection until the replicas answer or the timeout passes.
     *
     * @param appends  the entries to add, as for {@link #append(List)}
     * @param replicas how many replicas of each master written to must hold the entries; at
     *                 least 1
     * @param timeout  how long to wait for the replicas (positive)
     * @return the id of each appended entry, in order
     * @throws NotReplicated if fewer replicas confirmed within the timeout (the entries were appended)
     */
    List<String> appendDurably(List<Append> appends, int replicas, Duration timeout);

    /**
     * Number of entries in a stream (XLEN).
     *
     * @param key the stream key
     * @return how many entries it holds; 0 when the key does not exist
     */
    long length(String key);

    /**
     * Entries with ids in {@code [start, end]} (XRANGE), at most {@code count} of them.
     *
     * @param key   the stream key
     * @param start the smallest id to return, inclusive ({@code "-"} for the first entry)
     * @param end   the largest id to return, inclusive ({@code "+"} for the last entry)
     * @param count at most this many entries; zero or less for no limit
     * @return the entries in id order; empty when there are none or the key does not exist
     */
    List<StreamEntry> range(String key, String start, String end, int count);

    /**
     * Id of the newest entry of a stream.
     *
     * @param key the stream key
     * @return the newest entry's id, or {@code "0-0"} when the stream is empty or missing
     */
    String lastId(String key);

    /**
     * Reads entries after {@code afterId} (XREAD, no consumer group). With a positive
     * {@code block} it waits up to that long for the first entry; {@code afterId} may be
     * {@code "$"}.
     *
     * @param key     the stream key
     * @param afterId the id to read after, exclusive; {@code "$"} for entries added from now
     *                on, {@code "0-0"} for every entry
     * @param count   at most this many entries; zero or less for no limit
     * @param block   how long to wait when there is nothing to read yet; null, zero or
     *                negative for not at all
     * @return the entries read, in id order; empty when none came in time
     */
    List<StreamEntry> read(String key, String afterId, int count, Duration block);

    /**
     * Deletes keys of any type (DEL).
     *
     * @param keys the keys to delete; missing ones are ignored
     */
    void delete(List<String> keys);

    // --------------------------------------------------------- consumer groups

    /**
     * Creates the consumer group on every key (XGROUP CREATE ... MKSTREAM) starting after
     * {@code startId}. A group that already exists on a key is left as it is.
     *
     * @param keys    the stream keys; a missing stream is created empty
     * @param group   the consumer group's name
     * @param startId the id the group's reading starts after: {@code "0"} for every entry,
     *                {@code "$"} for entries added from now on
     */
    void createGroup(List<String> keys, String group, String startId);

    /**
     * Destroys the consumer group on every key where it exists (XGROUP DESTROY).
     *
     * @param keys  the stream keys
     * @param group the consumer group's name
     */
    void destroyGroup(List<String> keys, String group);

    /**
     * Whether the stream at {@code key} exists and has the consumer group.
     *
     * @param key   the stream key
     * @param group the consumer group's name
     * @return true when the key holds a stream with that group
     */
    boolean groupExists(String key, String group);

    /**
     * Multi-key XREADGROUP. {@code idsByKey} maps each stream key to the id to read after:
     * {@code ">"} for new entries or an explicit id to re-read this consumer's pending
     * entries. Keys with no entries are absent from the result. With a non-null
     * {@code block}, waits up to that long when every key asked for {@code ">"} is empty.
     *
     * @param group    the consumer group's name
     * @param consumer the consumer reading, created in the group when new
     * @param idsByKey per stream key, the id to read after, in the order to read
     * @param count    at most this many entries per key; zero or less for no limit
     * @param block    how long to wait when nothing is new; null, zero or negative for not at
     *                 all
     * @return entries per key, in key order of the request
     */
    Map<String, List<StreamEntry>> readGroup(String group, String consumer,
                                             Map<String, String> idsByKey, int count,
                                             Duration block);

    /**
     * Acknowledges entries (XACK), pipelined: one round trip for all keys.
     *
     * @param group    the consumer group's name
     * @param idsByKey per stream key, the ids of the entries to acknowledge
     */
    void ack(String group, Map<String, List<String>> idsByKey);

    /**
     * Number of entries delivered to the group but not yet acknowledged (XPENDING).
     *
     * @param key   the stream key
     * @param group the consumer group's name
     * @return how many entries are pending, over all of the group's consumers
     */
    long pendingCount(String key, String group);

    /**
     * The consumer group's state on one stream (XPENDING summary and XINFO GROUPS, read
     * atomically where the server allows). Reading it changes nothing.
     *
     * @param key   the stream key
     * @param group the consumer group's name
     * @return the group's state; empty when {@code key} is not a stream or has no such group
     */
    Optional<GroupInfo> groupInfo(String key, String group);

    /**
     * Trims one stream as {@code pass} says and audits every consumer group for entries
     * removed before the group read them, atomically on the server. Needs Redis 6.2 (XTRIM
     * MINID); the audit needs Redis 7 (group read counters) and is skipped before.
     *
     * @param pass the stream, what to trim and where to record losses
     * @return what was trimmed and found; {@link RetentionResult#NO_STREAM} when
     *         {@code pass.key()} holds no stream
     */
    RetentionResult retain(RetentionPass pass);

    // ------------------------------------------------------------ keys, locks

    /**
     * The fields and values of a hash (HGETALL).
     *
     * @param key the hash's key
     * @return field to value; empty when there is no such key
     */
    Map<String, String> getHash(String key);

    /**
     * The string value of a key (GET).
     *
     * @param key the key
     * @return its value; empty when the key does not exist
     */
    Optional<String> get(String key);

    /**
     * The values of many keys in one round trip (MGET).
     *
     * @param keys the keys to read
     * @return per key, in order, its value; empty for a missing key
     */
    List<Optional<String>> getAll(List<String> keys);

    /**
     * Sets a string value (SET), with a time to live when {@code ttl} is not null.
     *
     * @param key   the key
     * @param value the value to store, replacing any earlier one
     * @param ttl   how long the key lives (positive); null for no expiry
     */
    void set(String key, String value, Duration ttl);

    /**
     * Sets each key to {@code value} only where it does not exist (SET NX PX), pipelined.
     *
     * @param keys  the keys to set
     * @param value the value to store in each, usually the caller's owner token
     * @param ttl   how long each key set lives (positive)
     * @return per key, whether it was set (the caller now holds it)
     */
    List<Boolean> setIfAbsent(List<String> keys, String value, Duration ttl);

    /**
     * Resets the time to live of each key that holds {@code owner}, atomically per key.
     *
     * @param keys  the keys to extend
     * @param owner the value a key must hold to be extended
     * @param ttl   the new time to live (positive)
     * @return per key, whether it still held {@code owner} and was extended
     */
    List<Boolean> extendIfOwner(List<String> keys, String owner, Duration ttl);

    /**
     * Deletes each key that holds {@code owner}, atomically per key; other keys are left.
     *
     * @param keys  the keys to delete
     * @param owner the value a key must hold to be deleted
     * @return per key, whether it was deleted
     */
    List<Boolean> deleteIfOwner(List<String> keys, String owner);

    /**
     * Remaining time to live of a key.
     *
     * @param key the key
     * @return its remaining time to live; empty when it has none or does not exist
     */
    Optional<Duration> timeToLive(String key);

    /**
     * Adds one to an integer key (INCR), creating it at 0 first.
     *
     * @param key the key holding a decimal integer, or missing
     * @return the new value
     */
    long increment(String key);

    // ---------------------------------------------------------- fenced commands

    /**
     * Resets the time to live of each fence's lock that still holds the fence's token,
     * atomically per lock.
     *
     * @param fences the locks to extend, each with the token it must hold
     * @param ttl    the new time to live of each lock (positive)
     * @return per fence, whether it still held and was extended
     * @throws PartlyAnswered when only some fences' servers answered (masters of a Redis
     *                        Cluster, one of them down): it carries the answers that came
     */
    List<Boolean> extendFenced(List<Fence> fences, Duration ttl);

    /**
     * Deletes each fence's lock that still holds the fence's token, atomically per lock.
     *
     * @param fences the locks to release, each with the token it must hold
     * @return per fence, whether it was deleted
     */
    List<Boolean> releaseFenced(List<Fence> fences);

    /**
     * A consumer-group read for streams held under one fence token: reads (XREADGROUP)
     * each stream after its id as the consumer named by the token, waiting up to
     * {@code block} when every stream asks for {@code ">"} and none has new entries. Then,
     * per stream: if its lock no longer holds the token, the stream's result is
     * {@link FencedRead.Result#NOT_HELD}; otherwise the entries pending under any other
     * consumer of the group are claimed for the token (fenced, atomically) and given with
     * the entries read, in id order.
     *
     * <p>So a read that reaches the server late, after the lock changed hands, only parks
     * entries under its own token, and the lock's holder takes them over before it is given
     * any newer entry: no entry stays out of the holder's reach, and order holds. Reads pay
     * nothing for the fence but a small check per stream; the claim runs only when another
     * consumer holds entries (after a hand-over or a late read).
     *
     * @param group the consumer group's name
     * @param reads all with the same fence token
     * @param count at most this many entries per stream from the read (claims are not
     *              limited); zero or less for no limit
     * @param block how long to wait when every stream asks for {@code ">"} and none has new
     *              entries; null, zero or negative for not at all
     * @return per read, in order, what it found
     * @throws IllegalArgumentException if the reads carry different tokens
     */
    List<FencedRead.Result> readGroupFenced(String group, List<FencedRead> reads, int count, Duration block);

    /**
     * Hands the entries pending under each fence's token over to consumer {@code to} and
     * removes the token's consumer from the group, for each stream whose fence holds,
     * atomically per stream. A releasing holder calls it so that a successor reading as
     * {@code to} (Python runnel's single consumer) finds the entries it did not process.
     *
     * @param group   the consumer group's name
     * @param to      the consumer that takes the entries over
     * @param streams fences with their streams ({@code afterId} is not used)
     * @return per stream, whether its fence held
     */
    List<Boolean> handOverPending(String group, String to, List<FencedRead> streams);

    /**
     * Acknowledges entries (XACK) of each stream only while its fence holds, atomically per
     * stream, pipelined.
     *
     * @param group the consumer group's name
     * @param acks  per stream, its fence and the ids to acknowledge
     * @return per ack, whether its fence held (and the ids were acknowledged)
     */
    List<Boolean> ackFenced(String group, List<FencedAck> acks);

    /**
     * Appends entries (XADD) only while {@code fence} holds, all or none, atomically.
     *
     * @param fence   the lock that must still hold its token
     * @param appends the entries to add, in order
     * @return the ids of the appended entries, or empty when the fence no longer held
     */
    Optional<List<String>> appendFenced(Fence fence, List<Append> appends);

    /**
     * Sets a string value without expiry only while {@code fence} holds, atomically.
     *
     * @param fence the lock that must still hold its token
     * @param key   the key to set
     * @param value the value to store, replacing any earlier one
     * @return whether the fence held (and the value was set)
     */
    boolean setFenced(Fence fence, String key, String value);

    /**
     * Takes events of one partition through its parking (see {@link ParkStep}), in order,
     * atomically, while {@code fence} holds. A parked event is added to
     * {@code keys.parked()} with its step's fields and acknowledged for {@code group} on
     * {@code keys.stream()}.
     *
     * @param fence the partition's lock, which must still hold its token
     * @param group the consumer group the parked events are acknowledged for
     * @param keys  the partition's stream, parked stream and parking marks
     * @param steps the events to take through the parking, in partition order
     * @return per step, in order, what became of it; empty when the fence no longer held
     *         (nothing was done)
     */
    Optional<List<ParkStep.Outcome>> parkFenced(Fence fence, String group, ParkingKeys keys, List<ParkStep> steps);

    /**
     * Ends the parking of {@code key} for {@code processor}, atomically: every entry of
     * {@code keys.parked()} whose fields {@code parked_processor} and {@code parked_key} name
     * them is deleted, and, when {@code replay} is set, first re-appended to
     * {@code keys.stream()} in order: its fields without {@code parked_processor},
     * {@code parked_key}, {@code parked_id}, {@code parked_at} and {@code parked_error}, plus
     * {@code replay_for} (the processor), {@code replay_key} (the key) and {@code replay_of}
     * (its {@code parked_id}). Then the key's mark becomes {@code replaying <last re-send id>},
     * or is deleted when nothing was re-sent.
     *
     * @param keys      the partition's stream, parked stream and parking marks
     * @param processor the name of the processor that parked the key
     * @param key       the parked partition key, as text
     * @param replay    true to re-send the parked entries to the stream, false to drop them
     * @return how many entries were re-sent or dropped; -1 when the key was not parked
     */
    long releaseParked(ParkingKeys keys, String processor, String key, boolean replay);

    /**
     * Appends each entry unless {@code journal} (a hash) already names its token, and records
     * the token with the new entry's id, atomically per entry; the journal then lives for
     * {@code ttl}. So a copy made again after a crash is not appended twice. Every key of one
     * call must lie in one hash slot.
     *
     * @param journal the hash of tokens to entry ids
     * @param ttl     how long the journal lives after this call (positive)
     * @param appends the entries to add, in order
     * @param tokens  one per append: a value naming the copy uniquely, kept in the journal
     * @return per append, the id of its entry, new or recorded earlier
     */
    List<String> appendOnce(String journal, Duration ttl, List<Append> appends, List<String> tokens);

    /**
     * Deletes entries from a stream (XDEL).
     *
     * @param key the stream key
     * @param ids the ids of the entries to delete
     * @return how many existed
     */
    long deleteEntries(String key, List<String> ids);

    /**
     * Commits a partition's completed deliveries in one atomic step, only while the fence
     * holds: appends the commit's entries, applies its state changes (HSET, HDEL) and expiries
     * (ZADD, ZREM), deletes what its sweeps find expired, acknowledges its ids in {@code group}
     * and records its marker. If the fence's lock no longer holds the
     * token, nothing is written. If the marker key already holds the commit's marker, the commit
     * was done before (its reply was lost) and nothing is written again. On a Redis Cluster
     * every key of the commit ({@link Commit#keys()}) and the lock share one hash slot.
     * Appends take server-assigned ids only. Refused as a whole with {@link ServerOutOfMemory}
     * when the server is at maxmemory.
     *
     * @param fence  the partition's lock and the token it must hold
     * @param group  the consumer group the ids are acknowledged in
     * @param commit what to write
     * @return false when the fence did not hold (nothing written); true when the commit is done
     */
    boolean commitFenced(Fence fence, String group, Commit commit);

    /**
     * As {@link #commitFenced}, then waits until at least {@code replicas} replicas of the
     * master hold the commit (Redis {@code WAIT}), so a failover that promotes such a replica
     * keeps it. Runs on a connection of its own, as {@link #appendDurably} does.
     *
     * @param fence    the partition's lock and the token it must hold
     * @param group    the consumer group the ids are acknowledged in
     * @param commit   what to write
     * @param replicas how many replicas must hold it; at least 1
     * @param timeout  how long to wait for them (positive)
     * @return false when the fence did not hold (nothing written); true when the commit is done
     *         and replicated
     * @throws NotReplicated if the commit is done but fewer replicas confirmed it in time (its
     *                       {@link NotReplicated#ids()} are empty)
     */
    boolean commitFencedDurably(Fence fence, String group, Commit commit, int replicas, Duration timeout);

    /**
     * Appends entries of a source stream (a partition's outbox) to one target stream, each at
     * most once however often it is forwarded: a hash in the target's hash slot records, per
     * source, the id of the last entry forwarded, and only entries with a greater id are
     * appended (in the order given), then recorded. A forwarder that dies mid-way, or a former
     * owner forwarding the same entries late, appends nothing twice. Refused with
     * {@link ServerOutOfMemory} at maxmemory.
     *
     * @param marks   the hash of last forwarded ids, in the target's hash slot
     * @param source  the source's name in {@code marks} (its stream key)
     * @param target  the target stream
     * @param maxLen  {@code MAXLEN ~} for the appends; 0 for none
     * @param entries the source's entries, in id order: their ids and the fields to append
     * @return how many were appended now
     */
    long forwardOnce(String marks, String source, String target, long maxLen, List<StreamEntry> entries);

    /**
     * The values of fields of a hash (HMGET), as stored.
     *
     * @param key    the hash
     * @param fields the fields
     * @return per field, in order, its value, or empty when the field or the hash does not exist
     */
    List<Optional<byte[]>> hashValues(String key, List<String> fields);

    /**
     * Fields of a state hash whose fields may expire ({@link Commit#expiries()}): each value
     * with its expiry, read together in one step. A field that expired at {@code nowMillis} or
     * before reads as absent, swept or not.
     *
     * @param key       the hash
     * @param expiryKey the sorted set of its expiries (member: field, score: epoch millis)
     * @param fields    the fields
     * @param nowMillis the time to compare the expiries with, epoch millis
     * @return per field, in order, its value, or empty when it is absent or expired
     */
    List<Optional<StateValue>> stateValues(String key, String expiryKey, List<String> fields, long nowMillis);

    /**
     * Every field of a hash with its value, as stored, read in pages (HSCAN) so that a large
     * hash does not block the server for long. A field changed while the pages are read may
     * show its old or its new value.
     *
     * @param key the hash
     * @return its fields and values, empty when the hash does not exist
     */
    Map<String, byte[]> hashEntries(String key);

    /**
     * The key's hash slot when the server is a Redis Cluster, where one command may only name
     * keys of one slot; 0 for every key otherwise. The engine reads several partitions in one
     * fenced read only when they share a slot, and gives a partition's keys a common hash
     * tag on a cluster (see {@code ClusterLayout}). Blocking reads over several slots are
     * refused on a cluster; non-blocking multi-stream calls are split by slot.
     *
     * @param key any key
     * @return its hash slot, 0 to 16383, on a Redis Cluster; 0 otherwise
     */
    default int hashSlot(String key) {
        return 0;
    }

    /**
     * How full the server's memory is (Redis {@code INFO memory}): one entry for a single
     * server, one per master on a Redis Cluster; empty when the transport cannot tell (the
     * in-memory transport, which has no limit).
     *
     * @return per server, its memory
     */
    default List<ServerMemory> serverMemory() {
        return List.of();
    }

    /**
     * The Redis node that serves {@code key}, as a printable address, for telling apart
     * outages of different nodes and naming them in logs: on a Redis Cluster, the
     * {@code host:port} of the master of the key's hash slot by the client's current view of
     * the cluster's layout (which a failover changes, so the answer may change from one call
     * to the next); an empty string when all keys live on one server, or when the layout
     * names no master for the slot. Asks the server nothing.
     *
     * @param key any key
     * @return the master's {@code host:port}, or an empty string
     */
    default String nodeOf(String key) {
        return "";
    }

    /** Releases connections. Blocked calls end with a {@link TransportException}. */
    @Override
    void close();

    // -------------------------------------------------------- conveniences

    /**
     * One-key form of {@link #setIfAbsent(List, String, Duration)}.
     *
     * @param key   the key to set
     * @param value the value to store, usually the caller's owner token
     * @param ttl   how long the key lives if set (positive)
     * @return whether it was set (the caller now holds it)
     */
    default boolean setIfAbsent(String key, String value, Duration ttl) {
        return setIfAbsent(List.of(key), value, ttl).get(0);
    }

    /**
     * One-key form of {@link #extendIfOwner(List, String, Duration)}.
     *
     * @param key   the key to extend
     * @param owner the value it must hold to be extended
     * @param ttl   the new time to live (positive)
     * @return whether it still held {@code owner} and was extended
     */
    default boolean extendIfOwner(String key, String owner, Duration ttl) {
        return extendIfOwner(List.of(key), owner, ttl).get(0);
    }

    /**
     * One-key form of {@link #deleteIfOwner(List, String)}.
     *
     * @param key   the key to delete
     * @param owner the value it must hold to be deleted
     * @return whether it was deleted
     */
    default boolean deleteIfOwner(String key, String owner) {
        return deleteIfOwner(List.of(key), owner).get(0);
    }

    /**
     * Resets the time to live of {@code key} while it holds {@code value}, and sets it only
     * when it does not (gone, or holding another value). The renewal is a PEXPIRE, which
     * allocates nothing and which Redis serves even at maxmemory: heartbeats and reservations
     * are kept this way.
     *
     * @param key   the key to renew
     * @param value the value it should hold
     * @param ttl   its time to live (positive)
     */
    default void renew(String key, String value, Duration ttl) {
        if (!extendIfOwner(key, value, ttl)) {
            set(key, value, ttl);
        }
    }

    /**
     * One-entry form of {@link #append(List)}.
     *
     * @param append the entry to add
     * @return the id of the appended entry
     */
    default String append(Append append) {
        return append(List.of(append)).get(0);
    }

    /**
     * Every key, for calls that take lists.
     *
     * @param keys the keys
     * @return a new mutable list of them, in order
     */
    static List<String> keys(String... keys) {
        return new ArrayList<>(List.of(keys));
    }
}
