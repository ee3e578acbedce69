// SPDX-License-Identifier: Apache-2.0

package io.runnel.cli;

import io.runnel.api.RecordType;
import io.runnel.api.transport.ConnectionUrl;
import io.runnel.api.transport.StreamEntry;
import io.runnel.api.transport.Transport;
import io.runnel.engine.App;
import io.runnel.engine.Stream;
import io.runnel.redis.lettuce.LettuceTransport;
import io.runnel.serde.json.JsonSerializer;
import io.runnel.testkit.RedisExtension;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.extension.RegisterExtension;

import java.util.ArrayList;
import java.util.List;

/**
 * Base of the command-line tests: a real Redis, the command line run as child JVMs against
 * it, the same app defined in this JVM (to send, run workers and read status), and a
 * transport of its own to look at what is in Redis.
 */
@Tag("redis")
@Tag("process")
abstract class CliTestBase {
    @RegisterExtension
    static RedisExtension redis = new RedisExtension();

    private static final JsonSerializer JSON = new JsonSerializer();

    CliProcess cli;
    App app;
    Transport redisView;

    @BeforeEach
    void setUpCli() {
        cli = new CliProcess(redis.url());
        app = ShopApp.define(App.builder("shop").environment(cli.settings()));
        redisView = new LettuceTransport(ConnectionUrl.parse(redis.url()));
    }

    @AfterEach
    void tearDownCli() {
        cli.destroyAll();
        app.close();
        redisView.close();
    }

    @SuppressWarnings("unchecked")
    Stream<ShopApp.Order> orders() {
        return (Stream<ShopApp.Order>) app.streamNamed("orders");
    }

    /** Every stored order with its id, partition by partition, each in stream order. */
    List<Stored> stored() {
        List<Stored> all = new ArrayList<>();
        for (int p = 0; p < orders().partitionCount(); p++) {
            for (StreamEntry e : redisView.range(orders().partitionKey(p), "-", "+", 0)) {
                all.add(new Stored(e.id(), p, JSON.deserialize(RecordType.of(ShopApp.Order.class), e.fields().get("data"))));
            }
        }
        return all;
    }

    /** One stored order. */
    record Stored(String id, int partition, ShopApp.Order order) {
    }
}
