// SPDX-License-Identifier: Apache-2.0

package io.runnel.bench;

import com.fasterxml.jackson.databind.ObjectMapper;
import io.runnel.engine.App;
import io.runnel.engine.Stream;
import io.runnel.engine.Worker;
import org.apache.kafka.clients.consumer.ConsumerConfig;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.consumer.ConsumerRecords;
import org.apache.kafka.clients.consumer.CooperativeStickyAssignor;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.apache.kafka.common.serialization.ByteArrayDeserializer;
import org.apache.kafka.common.serialization.StringDeserializer;

import java.io.BufferedReader;
import java.io.InputStreamReader;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.time.Instant;
import java.time.temporal.ChronoUnit;
import java.util.List;
import java.util.Properties;
import java.util.concurrent.atomic.AtomicLongArray;
import java.util.concurrent.atomic.LongAdder;

/**
 * One consumer of {@link VsKafkaOps}, in a JVM of its own so it can be SIGKILLed: a Runnel
 * worker or a Kafka consumer of the group, processing {@link Order}s (decoded from JSON) and
 * recording, per partition, when it last processed one, and each order's latency (now minus
 * the order's {@code at}, the producer's clock just before it sent it).
 *
 * <p>It talks on stdout and stdin:
 * <ul>
 *   <li>every 10 ms, when something changed: {@code T <processed> <last0> … <last15>}, the
 *       events processed so far and, per partition, the wall-clock millisecond it last
 *       processed one (0: never);
 *   <li>on the line {@code R}: starts a new latency histogram;
 *   <li>on the line {@code H}: prints {@code H <count>} and the histogram's
 *       {@link VsKafkaOps#PERCENTILES}, in microseconds;
 *   <li>when stdin closes it halts, so it never outlives the harness.
 * </ul>
 * Runnel's settings come from {@code RUNNEL_*} variables (a Runnel user's defaults otherwise);
 * Kafka's consumer runs with its defaults, manual commits after every poll, and the
 * cooperative-sticky assignor.
 *
 * <pre>VsKafkaConsumer runnel REDIS_URL APP_NAME | kafka BOOTSTRAP TOPIC</pre>
 */
public final class VsKafkaConsumer {
    static final int PARTITIONS = VsKafka.PARTITIONS;
    private static final ObjectMapper JSON = new ObjectMapper().findAndRegisterModules();

    private final AtomicLongArray lastProcessed = new AtomicLongArray(PARTITIONS);
    private final LongAdder processed = new LongAdder();
    private volatile LatencyHistogram latency = new LatencyHistogram();

    private VsKafkaConsumer() {
    }

    public static void main(String[] args) throws Exception {
        VsKafkaConsumer consumer = new VsKafkaConsumer();
        Thread.ofPlatform().daemon().name("commands").start(consumer::readCommands);
        Thread.ofPlatform().daemon().name("reporter").start(consumer::report);
        switch (args[0]) {
            case "runnel" -> consumer.runRunnel(args[1], args[2]);
            case "kafka" -> consumer.runKafka(args[1], args[2]);
            default -> throw new IllegalArgumentException("runnel or kafka, not " + args[0]);
        }
    }

    private void processed(int partition, Order order) {
        long now = System.currentTimeMillis();
        latency.record(ChronoUnit.MICROS.between(order.at(), Instant.now()));
        processed.increment();
        lastProcessed.set(partition, now);
    }

    private void runRunnel(String url, String name) throws InterruptedException {
        App app = App.builder(name).redisUrl(url).build();
        Stream<Order> orders = app.stream("orders", Order.class, Order::customer);
        app.processor(orders, "consume", events -> {
            for (Order order : events.records()) {
                processed(events.partition(), order);
            }
        });
        Worker worker = app.worker().start();
        Runtime.getRuntime().addShutdownHook(new Thread(worker::stop));
        Thread.currentThread().join(); // the worker's threads do the work; stdin's end halts the JVM
    }

    private void runKafka(String bootstrap, String topic) throws Exception {
        Properties p = new Properties();
        p.put(ConsumerConfig.BOOTSTRAP_SERVERS_CONFIG, bootstrap);
        p.put(ConsumerConfig.GROUP_ID_CONFIG, "consume-" + topic);
        p.put(ConsumerConfig.AUTO_OFFSET_RESET_CONFIG, "earliest");
        p.put(ConsumerConfig.ENABLE_AUTO_COMMIT_CONFIG, "false");
        p.put(ConsumerConfig.PARTITION_ASSIGNMENT_STRATEGY_CONFIG, CooperativeStickyAssignor.class.getName());
        p.put(ConsumerConfig.KEY_DESERIALIZER_CLASS_CONFIG, StringDeserializer.class.getName());
        p.put(ConsumerConfig.VALUE_DESERIALIZER_CLASS_CONFIG, ByteArrayDeserializer.class.getName());
        try (KafkaConsumer<String, byte[]> c = new KafkaConsumer<>(p)) {
            c.subscribe(List.of(topic));
            while (true) {
                ConsumerRecords<String, byte[]> records = c.poll(Duration.ofMillis(100));
                for (ConsumerRecord<String, byte[]> r : records) {
                    processed(r.partition(), JSON.readValue(r.value(), Order.class));
                }
                if (!records.isEmpty()) {
                    c.commitAsync();
                }
            }
        }
    }

    private void readCommands() {
        try (BufferedReader in = new BufferedReader(new InputStreamReader(System.in, StandardCharsets.UTF_8))) {
            for (String line = in.readLine(); line != null; line = in.readLine()) {
                switch (line.trim()) {
                    case "R" -> latency = new LatencyHistogram();
                    case "H" -> {
                        LatencyHistogram h = latency;
                        StringBuilder answer = new StringBuilder("H ").append(h.count());
                        for (double p : VsKafkaOps.PERCENTILES) {
                            answer.append(' ').append(p == 100 ? h.max() : h.percentile(p));
                        }
                        print(answer.toString());
                    }
                    default -> {
                        // unknown: ignored
                    }
                }
            }
        } catch (Exception ignored) {
            // the harness is gone
        }
        Runtime.getRuntime().halt(1);
    }

    private void report() {
        String previous = "";
        while (true) {
            StringBuilder line = new StringBuilder("T ").append(processed.sum());
            for (int i = 0; i < PARTITIONS; i++) {
                line.append(' ').append(lastProcessed.get(i));
            }
            String now = line.toString();
            if (!now.equals(previous)) {
                print(now);
                previous = now;
            }
            try {
                Thread.sleep(10); // the reporting interval: gaps are measured to about this
            } catch (InterruptedException e) {
                return;
            }
        }
    }

    private static synchronized void print(String line) {
        System.out.println(line);
        System.out.flush();
    }
}
