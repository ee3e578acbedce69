// SPDX-License-Identifier: Apache-2.0

package io.runnel.bench;

import com.fasterxml.jackson.databind.ObjectMapper;
import io.lettuce.core.RedisClient;
import io.lettuce.core.api.StatefulRedisConnection;
import io.runnel.engine.App;
import io.runnel.engine.ProcessorFunction;
import io.runnel.engine.Stream;
import io.runnel.engine.Worker;
import io.runnel.testkit.RedisServer;
import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.clients.admin.AdminClientConfig;
import org.apache.kafka.clients.admin.ListOffsetsOptions;
import org.apache.kafka.clients.admin.ListOffsetsResult;
import org.apache.kafka.clients.admin.OffsetSpec;
import org.apache.kafka.common.IsolationLevel;
import org.apache.kafka.common.TopicPartition;
import org.apache.kafka.common.serialization.Serdes;
import org.apache.kafka.streams.KafkaStreams;
import org.apache.kafka.streams.StreamsBuilder;
import org.apache.kafka.streams.StreamsConfig;
import org.apache.kafka.streams.kstream.Consumed;
import org.apache.kafka.streams.kstream.Produced;
import org.apache.kafka.streams.processor.api.Processor;
import org.apache.kafka.streams.processor.api.ProcessorContext;
import org.apache.kafka.streams.state.KeyValueStore;
import org.apache.kafka.streams.state.Stores;
import org.apache.kafka.clients.consumer.ConsumerConfig;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.consumer.ConsumerRecords;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerConfig;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.common.serialization.ByteArrayDeserializer;
import org.apache.kafka.common.serialization.ByteArraySerializer;
import org.apache.kafka.common.serialization.StringDeserializer;
import org.apache.kafka.common.serialization.StringSerializer;

import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Properties;
import java.util.concurrent.atomic.AtomicLong;
import java.util.function.BooleanSupplier;

/**
 * Runnel and a Kafka consumer group on the same machine, the same workload, alternating rows
 * (issue 35, first rows): a backlog of JSON orders keyed by customer over 16 partitions, sent
 * as each producer batches best ({@code sendAll}; {@code linger.ms}, {@code batch.size}), then
 * drained by one consumer that decodes every record and acknowledges (Runnel's acks; Kafka's
 * offset commits, one per poll). Each row reports the drain's events/s, and CPU per event of
 * the client JVM and of the server process (redis-server, from {@code INFO cpu}; the Kafka
 * broker JVM, from /proc), and the send's events/s.
 *
 * <p>Durability as each is usually run on one node: Redis with AOF, {@code appendfsync
 * everysec}; Kafka with its defaults (no fsync per message: the OS flushes the page cache),
 * {@code acks=all} on a replication factor of 1. The producer runs with idempotence off: with
 * it on, this single broker answered some batches {@code OutOfOrderSequenceException} and they
 * expired (see RESULTS.md).
 *
 * <pre>java -cp runnel-bench/target/benchmarks.jar io.runnel.bench.VsKafka [--events 1000000] [--repeats 3]
 *     [--transport lettuce|jedis] [--rows drain,eos] [--redis-aof everysec|no]
 *     [--kafka-classpath runnel-bench/target/kafka-broker.classpath] [--out FILE]</pre>
 */
public final class VsKafka {
    static final String USAGE = "usage: VsKafka [--events N] [--repeats R] [--transport lettuce|jedis] "
            + "[--rows drain,eos] [--redis-aof everysec|no] [--kafka-classpath FILE] [--out FILE]";
    static final int PARTITIONS = 16;
    private static final ObjectMapper JSON = new ObjectMapper().findAndRegisterModules();

    /** What a row measured. */
    record Result(String system, int round, long events, double sendPerSecond, double drainSeconds,
                  double drainPerSecond, double clientCpuMicrosPerEvent, double serverCpuMicrosPerEvent) {
        double totalCpuMicrosPerEvent() {
            return clientCpuMicrosPerEvent + serverCpuMicrosPerEvent;
        }
    }

    private VsKafka() {
    }

    public static void main(String[] args) throws Exception {
        Cli cli = Cli.parse(args, USAGE);
        int events = cli.integer("events", 1_000_000);
        int repeats = cli.integer("repeats", 3);
        String transport = cli.string("transport", "lettuce");
        List<String> kinds = cli.list("rows", "drain,eos");
        String aof = cli.string("redis-aof", "everysec");
        if (!aof.equals("everysec") && !aof.equals("no")) {
            throw new IllegalArgumentException("--redis-aof is everysec or no, not " + aof + "\n" + USAGE);
        }
        Path classpath = Path.of(cli.string("kafka-classpath", "runnel-bench/target/kafka-broker.classpath"));
        Path out = Path.of(cli.string("out", Bench.defaultOut("vs-kafka-" + transport).toString()));
        cli.rejectUnknown();

        List<Result> results = new ArrayList<>();
        try (RedisServer redis = aof.equals("no") ? RedisServer.start("--appendonly", "no")
                : RedisServer.start("--appendonly", "yes", "--appendfsync", "everysec");
             KafkaBroker kafka = KafkaBroker.start(classpath, PARTITIONS, "1g")) {
            int warmup = Math.min(events, 200_000);
            if (kinds.contains("drain")) {
                // A warm-up round of each, not reported: both JVMs' JIT, Kafka's page cache and files.
                runnel(redis.url(), transport, warmup, 0);
                kafka(kafka, warmup, 0);
                for (int round = 1; round <= repeats; round++) {
                    report(results, runnel(redis.url(), transport, events, round));
                    report(results, kafka(kafka, events, round));
                }
            }
            if (kinds.contains("eos")) {
                int eosEvents = Math.max(1, events / 5); // both are slower under exactly-once: a fifth of the backlog
                runnelExactlyOnce(redis.url(), transport, Math.min(eosEvents, warmup), 0);
                kafkaStreamsExactlyOnce(kafka, Math.min(eosEvents, warmup), 0);
                for (int round = 1; round <= repeats; round++) {
                    report(results, runnelExactlyOnce(redis.url(), transport, eosEvents, round));
                    report(results, kafkaStreamsExactlyOnce(kafka, eosEvents, round));
                }
            }
        }
        Map<String, Object> doc = new LinkedHashMap<>(Bench.machine());
        doc.put("events", events);
        doc.put("partitions", PARTITIONS);
        doc.put("transport", transport);
        doc.put("redis", aof.equals("no") ? "no AOF" : "AOF, appendfsync everysec");
        doc.put("kafka", "4.4.0 KRaft, one broker-controller, replication factor 1, acks=all, defaults otherwise");
        doc.put("eos", "Runnel default_processing_guarantee exactly_once (commit interval 100 ms); Kafka Streams "
                + "processing.guarantee exactly_once_v2 (commit.interval.ms 100), one stream thread, a RocksDB store");
        doc.put("rows", results);
        Bench.writeJson(out, doc);
    }

    private static void report(List<Result> results, Result r) {
        results.add(r);
        System.out.printf("%-18s round %d  send %,9.0f events/s  drain %,9.0f events/s (%.1f s)  "
                        + "CPU/event %5.2f µs client + %5.2f µs server = %5.2f µs%n", r.system(), r.round(),
                r.sendPerSecond(), r.drainPerSecond(), r.drainSeconds(), r.clientCpuMicrosPerEvent(),
                r.serverCpuMicrosPerEvent(), r.totalCpuMicrosPerEvent());
    }

    /** Runnel: send the backlog with sendAll, then drain it with one worker's per-record processor. */
    static Result runnel(String url, String transport, int events, int round) throws Exception {
        App app = Bench.app("vsk" + System.nanoTime() % 1_000_000, url, transport, PARTITIONS).build();
        try (RedisClient client = RedisClient.create(url);
             StatefulRedisConnection<String, String> info = client.connect()) {
            Stream<Order> orders = app.stream("orders", Order.class, Order::customer,
                    o -> o.partitionSize(10_000_000).retentionInterval(Duration.ofDays(1)));
            AtomicLong done = new AtomicLong();
            app.processor(orders, "drain", ProcessorFunction.<Order>eachRecord(order -> {
                if (order.id() >= 0) {
                    done.incrementAndGet();
                }
            }));
            return runnelRow("runnel-" + transport, app, "drain", orders, events, round, info, () -> done.get() >= events);
        } finally {
            app.close();
        }
    }

    /**
     * Sends {@code events} sample orders with sendAll, then starts a worker of {@code processor}
     * and measures until {@code finished}: the drain's time, and this JVM's and redis-server's CPU.
     */
    private static Result runnelRow(String system, App app, String processor, Stream<Order> orders, int events, int round,
                                    StatefulRedisConnection<String, String> info, BooleanSupplier finished)
            throws InterruptedException {
        long sendStart = System.nanoTime();
        Bench.sendSamples(orders, events, 1000);
        double sendSeconds = (System.nanoTime() - sendStart) / 1e9;

        System.gc();
        long cpu0 = Bench.processCpuNanos();
        double redis0 = Bench.redisCpuSeconds(info);
        long start = System.nanoTime();
        Worker worker = app.worker(processor).start();
        Bench.await(system + " processes " + events, Duration.ofMinutes(5), finished);
        double seconds = (System.nanoTime() - start) / 1e9;
        long cpu = Bench.processCpuNanos() - cpu0;
        double redisCpu = Bench.redisCpuSeconds(info) - redis0;
        worker.stop();
        return new Result(system, round, events, events / sendSeconds, seconds, events / seconds, cpu / 1e3 / events,
                redisCpu * 1e6 / events);
    }

    /** Kafka: produce the backlog batched, then drain it with one consumer of a new group. */
    static Result kafka(KafkaBroker broker, int events, int round) throws Exception {
        String topic = "orders-" + System.nanoTime() % 1_000_000;
        broker.createTopic(topic, PARTITIONS);
        long sendStart = System.nanoTime();
        produce(broker, topic, events);
        double sendSeconds = (System.nanoTime() - sendStart) / 1e9;

        Properties consumer = new Properties();
        consumer.put(ConsumerConfig.BOOTSTRAP_SERVERS_CONFIG, broker.bootstrap());
        consumer.put(ConsumerConfig.GROUP_ID_CONFIG, "drain-" + topic);
        consumer.put(ConsumerConfig.AUTO_OFFSET_RESET_CONFIG, "earliest");
        consumer.put(ConsumerConfig.ENABLE_AUTO_COMMIT_CONFIG, "false");
        consumer.put(ConsumerConfig.KEY_DESERIALIZER_CLASS_CONFIG, StringDeserializer.class.getName());
        consumer.put(ConsumerConfig.VALUE_DESERIALIZER_CLASS_CONFIG, ByteArrayDeserializer.class.getName());
        System.gc();
        long cpu0 = Bench.processCpuNanos();
        double broker0 = broker.cpuSeconds();
        long start = System.nanoTime();
        long done = 0;
        try (KafkaConsumer<String, byte[]> c = new KafkaConsumer<>(consumer)) {
            c.subscribe(List.of(topic));
            long deadline = start + Duration.ofMinutes(5).toNanos();
            while (done < events) {
                if (System.nanoTime() > deadline) {
                    throw new IllegalStateException("kafka drained only " + done + " of " + events + " in 5 minutes");
                }
                ConsumerRecords<String, byte[]> records = c.poll(Duration.ofMillis(200));
                for (ConsumerRecord<String, byte[]> r : records) {
                    Order order = JSON.readValue(r.value(), Order.class); // decoded, as Runnel's processor gets it
                    if (order.id() >= 0) {
                        done++;
                    }
                }
                if (!records.isEmpty()) {
                    c.commitAsync();
                }
            }
            c.commitSync();
        }
        double seconds = (System.nanoTime() - start) / 1e9;
        long cpu = Bench.processCpuNanos() - cpu0;
        double brokerCpu = broker.cpuSeconds() - broker0;
        return new Result("kafka", round, events, events / sendSeconds, seconds, events / seconds, cpu / 1e3 / events,
                brokerCpu * 1e6 / events);
    }

    /** Produces {@code Order.sample(0 .. events-1)} to {@code topic}, batched, and waits for every acknowledgement. */
    static void produce(KafkaBroker broker, String topic, int events) throws Exception {
        Properties producer = new Properties();
        producer.put(ProducerConfig.BOOTSTRAP_SERVERS_CONFIG, broker.bootstrap());
        producer.put(ProducerConfig.KEY_SERIALIZER_CLASS_CONFIG, StringSerializer.class.getName());
        producer.put(ProducerConfig.VALUE_SERIALIZER_CLASS_CONFIG, ByteArraySerializer.class.getName());
        producer.put(ProducerConfig.ACKS_CONFIG, "all");
        // With idempotence (the default) this broker answered some batches OutOfOrderSequenceException,
        // even once every partition had its leader, and they expired: see RESULTS.md.
        producer.put(ProducerConfig.ENABLE_IDEMPOTENCE_CONFIG, "false");
        producer.put(ProducerConfig.LINGER_MS_CONFIG, "5");
        producer.put(ProducerConfig.BATCH_SIZE_CONFIG, Integer.toString(256 * 1024));
        AtomicLong failed = new AtomicLong();
        java.util.concurrent.atomic.AtomicReference<Exception> why = new java.util.concurrent.atomic.AtomicReference<>();
        try (KafkaProducer<String, byte[]> p = new KafkaProducer<>(producer)) {
            for (long i = 0; i < events; i++) {
                Order order = Order.sample(i);
                p.send(new ProducerRecord<>(topic, order.customer(), JSON.writeValueAsBytes(order)), (meta, error) -> {
                    if (error != null) {
                        failed.incrementAndGet();
                        why.compareAndSet(null, error);
                    }
                });
            }
            p.flush();
        }
        if (failed.get() > 0) {
            throw new IllegalStateException(failed.get() + " of " + events + " Kafka sends failed", why.get());
        }
    }

    /** Runnel under exactly_once: a per-customer count in keyed state, and a send of it per event, committed with the ack. */
    static Result runnelExactlyOnce(String url, String transport, int events, int round) throws Exception {
        App app = Bench.app("vske" + System.nanoTime() % 1_000_000, url, transport, PARTITIONS)
                .setting("default_processing_guarantee", "exactly_once").build();
        try (RedisClient client = RedisClient.create(url);
             StatefulRedisConnection<String, String> info = client.connect()) {
            Stream<Order> orders = app.stream("orders", Order.class, Order::customer,
                    o -> o.partitionSize(10_000_000).retentionInterval(Duration.ofDays(1)));
            Stream<ExactlyOnce.CustomerCount> counts = app.stream("counts", ExactlyOnce.CustomerCount.class,
                    ExactlyOnce.CustomerCount::customer, o -> o.partitionSize(10_000_000).retentionInterval(Duration.ofDays(1)));
            app.processor(orders, "count", ProcessorFunction.<Order>eachRecordWithContext((order, context) -> {
                long n = context.state("counts", Long.class).merge(order.customer(), 1L, Long::sum);
                context.send(counts, new ExactlyOnce.CustomerCount(order.customer(), n));
            }));
            // Done when the last count is out: under exactly_once, when its commit is done.
            return runnelRow("runnel-" + transport + "-eos", app, "count", orders, events, round, info, () -> {
                long n = 0;
                for (int p = 0; p < PARTITIONS; p++) {
                    n += info.sync().xlen(counts.partitionKey(p));
                }
                return n >= events;
            });
        } finally {
            app.close();
        }
    }

    /**
     * Kafka Streams under exactly_once_v2: the same count per customer in a persistent (RocksDB)
     * store with its changelog, and a record of it per event to an output topic.
     */
    static Result kafkaStreamsExactlyOnce(KafkaBroker broker, int events, int round) throws Exception {
        String topic = "orders-" + System.nanoTime() % 1_000_000;
        String output = topic + "-counts";
        broker.createTopic(topic, PARTITIONS);
        broker.createTopic(output, PARTITIONS);
        long sendStart = System.nanoTime();
        produce(broker, topic, events);
        double sendSeconds = (System.nanoTime() - sendStart) / 1e9;

        Path stateDir = java.nio.file.Files.createTempDirectory("runnel-bench-streams");
        Properties p = new Properties();
        p.put(StreamsConfig.APPLICATION_ID_CONFIG, "count-" + topic);
        p.put(StreamsConfig.BOOTSTRAP_SERVERS_CONFIG, broker.bootstrap());
        p.put(StreamsConfig.PROCESSING_GUARANTEE_CONFIG, StreamsConfig.EXACTLY_ONCE_V2);
        p.put(StreamsConfig.STATE_DIR_CONFIG, stateDir.toString());
        p.put(StreamsConfig.consumerPrefix(ConsumerConfig.AUTO_OFFSET_RESET_CONFIG), "earliest");
        StreamsBuilder builder = new StreamsBuilder();
        builder.addStateStore(Stores.keyValueStoreBuilder(Stores.persistentKeyValueStore("counts"), Serdes.String(),
                Serdes.Long()));
        builder.stream(topic, Consumed.with(Serdes.String(), Serdes.ByteArray()))
                .process(CountingProcessor::new, "counts")
                .to(output, Produced.with(Serdes.String(), Serdes.ByteArray()));
        Map<TopicPartition, OffsetSpec> ends = new java.util.HashMap<>();
        for (int i = 0; i < PARTITIONS; i++) {
            ends.put(new TopicPartition(output, i), OffsetSpec.latest());
        }
        Properties adminProperties = new Properties();
        adminProperties.put(AdminClientConfig.BOOTSTRAP_SERVERS_CONFIG, broker.bootstrap());
        System.gc();
        long cpu0 = Bench.processCpuNanos();
        double broker0 = broker.cpuSeconds();
        long start = System.nanoTime();
        try (Admin admin = Admin.create(adminProperties);
             KafkaStreams streams = new KafkaStreams(builder.build(), p)) {
            streams.start();
            // Done when the last count is committed: read_committed end offsets (the last stable offsets).
            ListOffsetsOptions committed = new ListOffsetsOptions(IsolationLevel.READ_COMMITTED);
            Bench.await("kafka streams counts " + events, Duration.ofMinutes(5), () -> {
                try {
                    return admin.listOffsets(ends, committed).all().get().values().stream()
                            .mapToLong(ListOffsetsResult.ListOffsetsResultInfo::offset).sum() >= events;
                } catch (Exception e) {
                    return false;
                }
            });
            double seconds = (System.nanoTime() - start) / 1e9;
            long cpu = Bench.processCpuNanos() - cpu0;
            double brokerCpu = broker.cpuSeconds() - broker0;
            streams.close(Duration.ofSeconds(30));
            return new Result("kafka-streams-eos", round, events, events / sendSeconds, seconds, events / seconds,
                    cpu / 1e3 / events, brokerCpu * 1e6 / events);
        } finally {
            try (var files = java.nio.file.Files.walk(stateDir)) {
                files.sorted(java.util.Comparator.reverseOrder()).forEach(f -> f.toFile().delete());
            }
        }
    }

    /** Kafka Streams' side of the count: decode, count in the store, forward the count. */
    private static final class CountingProcessor implements Processor<String, byte[], String, byte[]> {
        private ProcessorContext<String, byte[]> context;
        private KeyValueStore<String, Long> store;

        @Override
        public void init(ProcessorContext<String, byte[]> context) {
            this.context = context;
            this.store = context.getStateStore("counts");
        }

        @Override
        public void process(org.apache.kafka.streams.processor.api.Record<String, byte[]> record) {
            try {
                Order order = JSON.readValue(record.value(), Order.class);
                Long previous = store.get(order.customer());
                long n = previous == null ? 1 : previous + 1;
                store.put(order.customer(), n);
                context.forward(record.withValue(JSON.writeValueAsBytes(new ExactlyOnce.CustomerCount(order.customer(), n))));
            } catch (java.io.IOException e) {
                throw new java.io.UncheckedIOException(e);
            }
        }
    }
}
