// SPDX-License-Identifier: Apache-2.0

package io.runnel.bench;

import io.lettuce.core.Consumer;
import io.lettuce.core.LettuceFutures;
import io.lettuce.core.RedisClient;
import io.lettuce.core.RedisFuture;
import io.lettuce.core.StreamMessage;
import io.lettuce.core.XAddArgs;
import io.lettuce.core.XReadArgs;
import io.lettuce.core.api.StatefulRedisConnection;
import io.lettuce.core.api.async.RedisAsyncCommands;
import io.lettuce.core.api.sync.RedisCommands;
import io.lettuce.core.codec.ByteArrayCodec;
import io.lettuce.core.codec.RedisCodec;
import io.lettuce.core.codec.StringCodec;
import io.runnel.api.RecordType;
import io.runnel.bench.EndToEnd.Clock;
import io.runnel.bench.EndToEnd.Measured;
import io.runnel.serde.json.JsonSerializer;
import redis.clients.jedis.Jedis;
import redis.clients.jedis.Pipeline;
import redis.clients.jedis.StreamEntryID;
import redis.clients.jedis.params.XReadGroupParams;
import redis.clients.jedis.resps.StreamEntryBinary;

import java.io.BufferedReader;
import java.io.BufferedWriter;
import java.io.IOException;
import java.io.InputStreamReader;
import java.io.OutputStreamWriter;
import java.lang.management.ManagementFactory;
import java.net.URI;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Deque;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.TimeUnit;

/**
 * One raw client row of {@link EndToEnd} ({@code raw-lettuce}, {@code raw-jedis} or
 * {@code raw-send-lettuce}) in a JVM of its own, so its JIT profile holds nothing but its
 * own loop: sharing a JVM with the Runnel rows made the same loops 0.74–0.79 × as fast as
 * in a fresh JVM, a weak ceiling.
 *
 * <p>The parent ({@link Driver}) starts one child per raw row and keeps it for the whole
 * run. One child for all rounds, not a fresh one per round, gives the raw loop the history
 * the Runnel rows have: the same warm-up, then the rounds one after the other in one JVM. A
 * fresh child per round would measure a colder loop every round (a fresh JVM's JIT needs
 * about 10 s of the loop to settle), a weaker ceiling, and pay a JVM start and a warm-up per
 * round. The parent drives it one round at a time over stdin/stdout:
 * <pre>
 * child  → parent: READY                                      (once, when connected)
 * parent → child:  round &lt;minEvents&gt; &lt;minNanos&gt;
 * child  → parent: ROUND &lt;events&gt; &lt;nanos&gt; &lt;cpuNanos&gt; &lt;allocatedBytes&gt; &lt;jitMillis&gt; &lt;exhausted&gt;   or   ERROR &lt;message&gt;
 * </pre>
 * A round processes at least {@code minEvents} events and lasts at least {@code minNanos};
 * {@code cpuNanos} and {@code jitMillis} are this JVM's own CPU time and JIT compilation time
 * while the round's clock ran. The child halts as soon as its stdin closes, so it never
 * outlives a parent that finished or died.
 */
public final class RawRowChild {
    static final List<String> ROWS = List.of("raw-lettuce", "raw-jedis", "raw-send-lettuce", "raw-send-lettuce-encoding",
            "raw-send-lettuce-encoding-sync");
    static final String READY = "READY";
    static final String ROUND = "ROUND";
    static final String ERROR = "ERROR";
    /** Producer batches in flight: batch k is awaited once batch k + 2 is written. */
    static final int SEND_DEPTH = 2;

    static volatile long sink;

    private RawRowChild() {
    }

    /** A raw loop: one measured round at a time, on connections it keeps for all rounds. */
    interface Loop extends AutoCloseable {
        Measured round(int minEvents, long minNanos) throws Exception;

        @Override
        void close();
    }

    public static void main(String[] args) throws Exception {
        Cli cli = Cli.parse(args, "usage: RawRowChild --row " + String.join("|", ROWS)
                + " --redis-url URL --partition-size N --records N");
        String row = cli.string("row", null);
        String url = cli.string("redis-url", null);
        long partitionSize = Long.parseLong(cli.string("partition-size", String.valueOf(EndToEnd.PARTITION_SIZE)));
        int records = cli.integer("records", 200_000);
        cli.rejectUnknown();
        BlockingQueue<String> commands = new LinkedBlockingQueue<>();
        Thread.ofPlatform().daemon().name("stdin").start(() -> readCommands(commands));
        try (Loop loop = loop(row, url, partitionSize, records)) {
            System.out.println(READY);
            System.out.flush();
            while (true) {
                System.out.println(answer(loop, commands.take()));
                System.out.flush();
            }
        }
    }

    private static Loop loop(String row, String url, long partitionSize, int records) {
        return switch (row) {
            case "raw-lettuce" -> new LettuceConsumer(url);
            case "raw-jedis" -> new JedisConsumer(url);
            case "raw-send-lettuce" -> new LettuceSender(url, partitionSize, records, false, SEND_DEPTH);
            // The send path's decomposition (issue 35): encoding each record inside the timed loop,
            // as Stream.sendAll must, and then also waiting for each batch before the next, as a
            // synchronous sendAll does.
            case "raw-send-lettuce-encoding" -> new LettuceSender(url, partitionSize, records, true, SEND_DEPTH);
            case "raw-send-lettuce-encoding-sync" -> new LettuceSender(url, partitionSize, records, true, 0);
            case null, default -> throw new IllegalArgumentException("--row must be one of " + ROWS + ", got " + row);
        };
    }

    /** Hands stdin's lines to the main thread; halts the JVM when stdin closes (the parent is done or gone). */
    private static void readCommands(BlockingQueue<String> commands) {
        try (BufferedReader in = new BufferedReader(new InputStreamReader(System.in, StandardCharsets.UTF_8))) {
            String line;
            while ((line = in.readLine()) != null) {
                commands.add(line);
            }
        } catch (IOException e) {
            // the same as end of input: the parent's end of the pipe is gone
        }
        // halt, not exit: a round in progress must not hold the JVM up once nobody reads its answer
        Runtime.getRuntime().halt(0);
    }

    private static String answer(Loop loop, String command) {
        String[] f = command.trim().split("\\s+");
        if (f.length != 3 || !f[0].equals("round")) {
            return ERROR + " unknown command: " + command;
        }
        try {
            Measured m = loop.round(Integer.parseInt(f[1]), Long.parseLong(f[2]));
            return "%s %d %d %d %d %d %b".formatted(ROUND, m.events(), m.nanos(), m.cpuNanos(), m.allocatedBytes(),
                    m.jitMillis(), m.exhausted());
        } catch (Exception e) {
            e.printStackTrace();
            return ERROR + " " + String.valueOf(e).replace('\n', ' ');
        }
    }

    // ------------------------------------------------------------------ the loops

    /**
     * Multi-key {@code XREADGROUP COUNT 100} over the 16 keys + pipelined XACKs per batch,
     * deserializing each record; group {@code raw} reset to 0 first (untimed).
     */
    static final class LettuceConsumer implements Loop {
        private final RedisClient client;
        private final StatefulRedisConnection<String, byte[]> conn;
        private final List<String> keys = EndToEnd.keys(EndToEnd.STREAM);
        private final JsonSerializer json = new JsonSerializer();
        private final RecordType<Order> type = RecordType.of(Order.class);

        LettuceConsumer(String url) {
            client = RedisClient.create(url);
            conn = client.connect(RedisCodec.of(StringCodec.UTF8, ByteArrayCodec.INSTANCE));
        }

        @Override
        public Measured round(int minEvents, long minNanos) {
            RedisCommands<String, byte[]> sync = conn.sync();
            for (String key : keys) {
                sync.xgroupDestroy(key, EndToEnd.RAW_GROUP);
                sync.xgroupCreate(XReadArgs.StreamOffset.from(key, "0"), EndToEnd.RAW_GROUP);
            }
            RedisAsyncCommands<String, byte[]> async = conn.async();
            Consumer<String> consumer = Consumer.from(EndToEnd.RAW_GROUP, "c1");
            @SuppressWarnings("unchecked")
            XReadArgs.StreamOffset<String>[] offsets = keys.stream()
                    .map(XReadArgs.StreamOffset::lastConsumed).toArray(XReadArgs.StreamOffset[]::new);
            XReadArgs count = XReadArgs.Builder.count(100);
            Clock clock = Clock.start();
            long consumed = 0;
            long s = 0;
            boolean exhausted = false;
            while (clock.more(consumed, minEvents, minNanos)) {
                List<StreamMessage<String, byte[]>> messages = sync.xreadgroup(consumer, count, offsets);
                if (messages.isEmpty()) {
                    exhausted = true;
                    break;
                }
                Map<String, List<String>> idsByKey = new LinkedHashMap<>();
                for (StreamMessage<String, byte[]> m : messages) {
                    s += json.deserialize(type, m.getBody().get("data")).id();
                    idsByKey.computeIfAbsent(m.getStream(), k -> new ArrayList<>()).add(m.getId());
                }
                List<RedisFuture<Long>> acks = new ArrayList<>(idsByKey.size());
                idsByKey.forEach((key, ids) -> acks.add(async.xack(key, EndToEnd.RAW_GROUP, ids.toArray(String[]::new))));
                LettuceFutures.awaitAll(Duration.ofSeconds(10), acks.toArray(RedisFuture[]::new));
                consumed += messages.size();
            }
            Measured m = clock.stop(consumed, exhausted);
            sink += s;
            return exhausted(minEvents, "raw-lettuce", m);
        }

        @Override
        public void close() {
            conn.close();
            client.shutdown();
        }
    }

    /** {@link LettuceConsumer}'s loop with Jedis (binary API, XACKs in one {@link Pipeline}), on one connection kept for all rounds. */
    static final class JedisConsumer implements Loop {
        private static final byte[] GROUP = EndToEnd.RAW_GROUP.getBytes(StandardCharsets.UTF_8);
        private static final byte[] CONSUMER = "c1".getBytes(StandardCharsets.UTF_8);
        private static final byte[] DATA = "data".getBytes(StandardCharsets.UTF_8);
        private final Jedis jedis;
        private final Map<byte[], StreamEntryID> streams = new LinkedHashMap<>();
        private final JsonSerializer json = new JsonSerializer();
        private final RecordType<Order> type = RecordType.of(Order.class);

        JedisConsumer(String url) {
            jedis = new Jedis(URI.create(url));
            jedis.ping(); // connect now, not inside the first timed round
            for (String key : EndToEnd.keys(EndToEnd.STREAM)) {
                streams.put(key.getBytes(StandardCharsets.UTF_8), StreamEntryID.XREADGROUP_UNDELIVERED_ENTRY);
            }
        }

        @Override
        public Measured round(int minEvents, long minNanos) {
            for (byte[] key : streams.keySet()) {
                jedis.xgroupDestroy(key, GROUP);
                jedis.xgroupCreate(key, GROUP, "0".getBytes(StandardCharsets.US_ASCII), false);
            }
            XReadGroupParams params = XReadGroupParams.xReadGroupParams().count(100);
            Clock clock = Clock.start();
            long consumed = 0;
            long s = 0;
            boolean exhausted = false;
            while (clock.more(consumed, minEvents, minNanos)) {
                List<Map.Entry<byte[], List<StreamEntryBinary>>> reply = jedis.xreadGroupBinary(GROUP, CONSUMER, params, streams);
                if (reply == null || reply.isEmpty()) {
                    exhausted = true;
                    break;
                }
                Pipeline p = jedis.pipelined();
                for (Map.Entry<byte[], List<StreamEntryBinary>> perKey : reply) {
                    List<StreamEntryBinary> entries = perKey.getValue();
                    byte[][] ids = new byte[entries.size()][];
                    for (int i = 0; i < entries.size(); i++) {
                        StreamEntryBinary e = entries.get(i);
                        s += json.deserialize(type, field(e.getFields(), DATA)).id();
                        ids[i] = e.getID().toString().getBytes(StandardCharsets.US_ASCII);
                    }
                    consumed += entries.size();
                    if (ids.length > 0) {
                        p.xack(perKey.getKey(), GROUP, ids);
                    }
                }
                p.sync();
            }
            Measured m = clock.stop(consumed, exhausted);
            sink += s;
            return exhausted(minEvents, "raw-jedis", m);
        }

        private static byte[] field(Map<byte[], byte[]> fields, byte[] name) {
            byte[] v = fields.get(name); // works when Jedis uses a content-keyed map
            if (v != null) {
                return v;
            }
            for (Map.Entry<byte[], byte[]> f : fields.entrySet()) {
                if (Arrays.equals(f.getKey(), name)) {
                    return f.getValue();
                }
            }
            throw new IllegalStateException("no data field");
        }

        @Override
        public void close() {
            jedis.close();
        }
    }

    /**
     * The producer ceiling, pipelined as a careful hand-written loop would be: {@code XADD <key>
     * MAXLEN ~ <partitionSize> * data <json>} on a connection of its own with auto-flush off.
     * The N records are serialized (and keys encoded) once, before any round; each batch of
     * {@link EndToEnd#BATCH} is written with one {@code flushCommands()}, and a batch's replies
     * are awaited only once {@link #SEND_DEPTH} later batches are on the wire, so Redis never
     * waits for the client between batches. The 16 {@code send} keys are deleted before each
     * round (untimed).
     */
    static final class LettuceSender implements Loop {
        private final RedisClient client;
        /** Auto-flush off: only {@code flushCommands()} writes. Never used for a synchronous call. */
        private final StatefulRedisConnection<byte[], byte[]> pipe;
        /** For the untimed deletes (a sync call on {@link #pipe} would wait for a flush that never comes). */
        private final StatefulRedisConnection<byte[], byte[]> admin;
        private final XAddArgs args;
        private final byte[][] keys;
        /** Record i's key and fields ({@code data} = its JSON), ready to write. */
        private final byte[][] recordKeys;
        private final List<Map<byte[], byte[]>> bodies;
        /** Non-null: encode record i from {@code orders.get(i)} in the loop, not before it. */
        private final List<Order> orders;
        private final JsonSerializer json = new JsonSerializer();
        private final RecordType<Order> type = RecordType.of(Order.class);
        private final byte[] field = "data".getBytes(StandardCharsets.UTF_8);
        /** Batches written before the oldest is awaited: 0 awaits each batch before the next. */
        private final int depth;

        LettuceSender(String url, long partitionSize, int records, boolean encodeInLoop, int depth) {
            this.depth = depth;
            client = RedisClient.create(url);
            pipe = client.connect(ByteArrayCodec.INSTANCE);
            pipe.setAutoFlushCommands(false);
            admin = client.connect(ByteArrayCodec.INSTANCE);
            args = new XAddArgs().maxlen(partitionSize).approximateTrimming();
            keys = EndToEnd.keys(EndToEnd.SEND_STREAM).stream()
                    .map(k -> k.getBytes(StandardCharsets.UTF_8)).toArray(byte[][]::new);
            recordKeys = new byte[records][];
            bodies = new ArrayList<>(records);
            orders = encodeInLoop ? new ArrayList<>(records) : null;
            for (int i = 0; i < records; i++) {
                Order o = Order.sample(i);
                recordKeys[i] = keys[(int) (o.id() % keys.length)];
                if (encodeInLoop) {
                    orders.add(o);
                } else {
                    bodies.add(Map.of(field, json.serialize(type, o)));
                }
            }
        }

        @Override
        public Measured round(int minEvents, long minNanos) {
            admin.sync().del(keys);
            RedisAsyncCommands<byte[], byte[]> async = pipe.async();
            Deque<RedisFuture<?>[]> inFlight = new ArrayDeque<>();
            int n = recordKeys.length;
            Clock clock = Clock.start();
            long sent = 0;
            while (clock.more(sent, minEvents, minNanos)) {
                RedisFuture<?>[] batch = new RedisFuture<?>[EndToEnd.BATCH];
                for (int j = 0; j < batch.length; j++) {
                    int i = (int) ((sent + j) % n); // past N (a round kept going for time) the records repeat
                    Map<byte[], byte[]> body = orders == null ? bodies.get(i) : Map.of(field, json.serialize(type, orders.get(i)));
                    batch[j] = async.xadd(recordKeys[i], args, body);
                }
                pipe.flushCommands();
                sent += batch.length;
                inFlight.add(batch);
                if (inFlight.size() > depth) {
                    await(inFlight.remove());
                }
            }
            while (!inFlight.isEmpty()) {
                await(inFlight.remove());
            }
            return clock.stop(sent, false);
        }

        private static void await(RedisFuture<?>[] batch) {
            if (!LettuceFutures.awaitAll(Duration.ofSeconds(10), batch)) {
                throw new IllegalStateException("raw send: a batch of XADDs not answered in 10 s");
            }
        }

        @Override
        public void close() {
            pipe.close();
            admin.close();
            client.shutdown();
        }
    }

    /** Fails a consumer round that ran out of events before its minimum count (the preload is too small). */
    private static Measured exhausted(int minEvents, String row, Measured m) {
        if (m.events() < minEvents) {
            throw new IllegalStateException(row + ": stream exhausted after " + m.events() + " of " + minEvents + " events");
        }
        return m;
    }

    // ------------------------------------------------------------------ parent side

    /**
     * The parent's handle on one child: starts it with this JVM's java binary, class path and
     * heap/GC options, and runs its rounds.
     */
    static final class Driver implements AutoCloseable {
        private final String row;
        private final Process process;
        private final BufferedWriter in;
        private final BufferedReader out;

        private Driver(String row, Process process) {
            this.row = row;
            this.process = process;
            this.in = new BufferedWriter(new OutputStreamWriter(process.getOutputStream(), StandardCharsets.UTF_8));
            this.out = new BufferedReader(new InputStreamReader(process.getInputStream(), StandardCharsets.UTF_8));
        }

        static Driver start(String row, String redisUrl, long partitionSize, int records) throws IOException {
            List<String> command = new ArrayList<>();
            command.add(Bench.javaBinary());
            command.addAll(jvmOptions());
            command.addAll(List.of("-cp", System.getProperty("java.class.path"), RawRowChild.class.getName(),
                    "--row", row, "--redis-url", redisUrl, "--partition-size", String.valueOf(partitionSize),
                    "--records", String.valueOf(records)));
            Process p = new ProcessBuilder(command).redirectError(ProcessBuilder.Redirect.INHERIT).start();
            Driver d = new Driver(row, p);
            d.expect(READY);
            return d;
        }

        /**
         * The parent's heap, GC and -D options, so the raw row runs under the same JVM settings as
         * the Runnel rows; agents, debuggers and flight recordings stay with the parent.
         */
        private static List<String> jvmOptions() {
            return ManagementFactory.getRuntimeMXBean().getInputArguments().stream()
                    .filter(a -> a.startsWith("-X") || a.startsWith("-D"))
                    .filter(a -> !a.contains("FlightRecord") && !a.startsWith("-Xrun") && !a.startsWith("-Xdebug"))
                    .toList();
        }

        long pid() {
            return process.pid();
        }

        Measured round(int minEvents, long minNanos) throws IOException {
            in.write("round " + minEvents + " " + minNanos + "\n");
            in.flush();
            String[] f = expect(ROUND).split(" ");
            return new Measured(Long.parseLong(f[1]), Long.parseLong(f[2]), Long.parseLong(f[3]), Long.parseLong(f[4]),
                    Long.parseLong(f[5]), Boolean.parseBoolean(f[6]));
        }

        /** Reads the child's stdout up to the line starting with {@code tag}, passing anything else on. */
        private String expect(String tag) throws IOException {
            String line;
            while ((line = out.readLine()) != null) {
                if (line.startsWith(tag)) {
                    return line;
                }
                if (line.startsWith(ERROR)) {
                    throw new IllegalStateException(row + " (child JVM " + process.pid() + "): " + line);
                }
                System.out.println("[" + row + "] " + line);
            }
            throw new IllegalStateException(row + " (child JVM " + process.pid() + ") exited before " + tag);
        }

        /** Closes the child's stdin (it halts on that) and waits for it; kills it if it lingers. */
        @Override
        public void close() {
            try {
                in.close();
            } catch (IOException e) {
                // already gone
            }
            try {
                if (!process.waitFor(10, TimeUnit.SECONDS)) {
                    process.destroyForcibly().waitFor(10, TimeUnit.SECONDS);
                }
            } catch (InterruptedException e) {
                process.destroyForcibly();
                Thread.currentThread().interrupt();
            }
        }
    }
}
