// SPDX-License-Identifier: Apache-2.0

package io.runnel.engine;

import ch.qos.logback.classic.Level;
import ch.qos.logback.classic.Logger;
import ch.qos.logback.classic.spi.ILoggingEvent;
import ch.qos.logback.core.read.ListAppender;
import com.codahale.metrics.Meter;
import io.runnel.api.transport.ServerOutOfMemory;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.slf4j.LoggerFactory;

import java.time.Duration;

import static org.assertj.core.api.Assertions.assertThat;

class OutageTest {
    private final Logger logger = (Logger) LoggerFactory.getLogger(OutageTest.class);
    private final ListAppender<ILoggingEvent> logs = new ListAppender<>();
    private final Outage outage = new Outage(logger, "reading");

    @BeforeEach
    void capture() {
        logger.setLevel(Level.INFO);
        logs.start();
        logger.addAppender(logs);
    }

    private long warnings() {
        return logs.list.stream().filter(e -> e.getLevel() == Level.WARN).count();
    }

    @Test
    void an_outage_is_warned_of_once_and_backs_off_up_to_a_cap() {
        Duration first = outage.failed(new RuntimeException("refused"));
        Duration second = outage.failed(new RuntimeException("refused"));
        Duration last = first;
        for (int i = 0; i < 20; i++) {
            last = outage.failed(new RuntimeException("refused"));
        }
        assertThat(warnings()).isEqualTo(1);
        assertThat(second).isEqualTo(first.multipliedBy(2));
        assertThat(last).isEqualTo(Duration.ofSeconds(2));

        outage.succeeded();
        assertThat(logs.list).last().satisfies(e -> assertThat(e.getFormattedMessage()).contains("working again after 22 failed tries"));
        assertThat(outage.failed(new RuntimeException("refused again"))).isEqualTo(first);
        assertThat(warnings()).isEqualTo(2);
    }

    @Test
    void a_call_in_flight_across_the_recovery_does_not_open_a_second_outage() {
        long startedDuringTheOutage = System.nanoTime();
        outage.failed(new RuntimeException("refused"));
        outage.succeeded();

        // A read that was blocked on the dead connection fails only now, after another succeeded.
        outage.failed(new RuntimeException("connection reset"), startedDuringTheOutage);
        assertThat(warnings()).isEqualTo(1);

        // A call that starts after the recovery and fails is a new outage.
        outage.failed(new RuntimeException("refused"), System.nanoTime());
        assertThat(warnings()).isEqualTo(2);
    }

    @Test
    void a_full_memory_is_warned_of_once_with_the_remedy_and_every_refusal_is_counted() {
        Meter refusals = new Meter();
        Outage heartbeat = new Outage(logger, "heartbeat", refusals);
        ServerOutOfMemory full = new ServerOutOfMemory("SET was refused by redis://x:1 because its memory is full. "
                + ServerOutOfMemory.REMEDY, null);

        for (int i = 0; i < 5; i++) {
            heartbeat.failed(full);
        }

        assertThat(warnings()).isEqualTo(1);
        assertThat(logs.list.get(0).getFormattedMessage()).startsWith("heartbeat was refused by Redis because its memory is full")
                .contains(ServerOutOfMemory.REMEDY);
        assertThat(refusals.getCount()).isEqualTo(5);

        // An outage that becomes a full memory (the server came back full) says so too, once.
        Outage reads = new Outage(logger, "reading", refusals);
        reads.failed(new RuntimeException("connection reset"));
        reads.failed(full);
        reads.failed(full);
        assertThat(warnings()).isEqualTo(3);
        assertThat(refusals.getCount()).isEqualTo(7);
    }
}
