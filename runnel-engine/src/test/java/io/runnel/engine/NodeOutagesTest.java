// SPDX-License-Identifier: Apache-2.0

package io.runnel.engine;

import ch.qos.logback.classic.Level;
import ch.qos.logback.classic.Logger;
import ch.qos.logback.classic.spi.ILoggingEvent;
import ch.qos.logback.core.read.ListAppender;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.slf4j.LoggerFactory;

import java.time.Duration;
import java.util.HashSet;
import java.util.List;
import java.util.Set;

import static org.assertj.core.api.Assertions.assertThat;

/** Read outages per Redis node: what is logged, and how retries back off. */
class NodeOutagesTest {
    private static final String DEAD = "127.0.0.1:7001";
    private static final String HEALTHY = "127.0.0.1:7002";
    private static final String PROMOTED = "127.0.0.1:7004";
    private final Logger logger = (Logger) LoggerFactory.getLogger(NodeOutagesTest.class);
    private final ListAppender<ILoggingEvent> logs = new ListAppender<>();
    private final Set<Integer> read = new HashSet<>(List.of(0, 1, 2, 3, 4, 5));
    private final NodeOutages outages = new NodeOutages(logger, "reading events of orders/proc", read::contains);

    @BeforeEach
    void capture() {
        logger.setLevel(Level.INFO);
        logs.start();
        logger.addAppender(logs);
    }

    private List<String> logged(Level level) {
        return logs.list.stream().filter(e -> e.getLevel() == level).map(ILoggingEvent::getFormattedMessage).toList();
    }

    private Duration fail(String node, int partition) {
        return outages.failed(node, List.of(partition), () -> node.equals(DEAD) ? List.of(1, 4) : List.of(),
                new RuntimeException("Connection refused: /" + node), System.nanoTime());
    }

    @Test
    void a_dead_master_is_one_warning_naming_its_partitions_while_the_others_flow() {
        Duration first = fail(DEAD, 1);
        outages.succeeded(HEALTHY, List.of(0, 2), System.nanoTime());
        Duration second = fail(DEAD, 4);
        outages.succeeded(HEALTHY, List.of(3, 5), System.nanoTime());
        Duration last = first;
        for (int i = 0; i < 20; i++) {
            last = fail(DEAD, i % 2 == 0 ? 1 : 4);
            outages.succeeded(HEALTHY, List.of(0, 2, 3, 5), System.nanoTime());
        }

        assertThat(logged(Level.WARN)).singleElement().satisfies(w -> assertThat(w)
                .contains("reading events of orders/proc from Redis node " + DEAD + " failed").contains("partitions [1, 4] wait for it")
                .contains("Connection refused"));
        assertThat(logged(Level.INFO)).as("reads of other nodes end nothing").isEmpty();
        assertThat(second).isEqualTo(first.multipliedBy(2));
        assertThat(last).isEqualTo(Duration.ofSeconds(2));
    }

    @Test
    void the_outage_ends_once_every_partition_that_waited_flows_again_wherever_it_is_read_now() {
        fail(DEAD, 1);
        fail(DEAD, 4);
        // The cluster marked the node failed: the layout names no master for these slots until the promotion.
        fail("", 1);
        outages.succeeded(PROMOTED, List.of(1), System.nanoTime());
        assertThat(logged(Level.INFO)).as("partition 4 still waits").isEmpty();
        outages.succeeded(PROMOTED, List.of(4), System.nanoTime());

        assertThat(logged(Level.WARN)).hasSize(1);
        assertThat(logged(Level.INFO)).singleElement().satisfies(i -> assertThat(i)
                .contains("partitions [1, 4] flow again, now from Redis node " + PROMOTED)
                .contains("reads from Redis node " + DEAD + " failed for").contains("3 failed tries"));
        assertThat(outages.any()).isFalse();
    }

    @Test
    void reads_from_the_node_the_layout_moved_the_partitions_to_back_off_afresh() {
        Duration onDead = Duration.ZERO;
        for (int i = 0; i < 8; i++) {
            onDead = fail(DEAD, 1);
        }
        assertThat(onDead).isEqualTo(Duration.ofSeconds(2));
        // The promoted replica's first command met a link still being made.
        assertThat(fail(PROMOTED, 1)).isEqualTo(Duration.ofMillis(50));
        assertThat(fail(PROMOTED, 1)).isEqualTo(Duration.ofMillis(100));
        assertThat(logged(Level.WARN)).hasSize(1);
        outages.succeeded(PROMOTED, List.of(1, 4), System.nanoTime());
        assertThat(logged(Level.INFO)).singleElement().satisfies(i -> assertThat(i).contains("10 failed tries"));
    }

    @Test
    void a_partition_no_longer_read_here_stops_waiting() {
        fail(DEAD, 1);
        read.remove(4); // moved to another worker during the outage
        outages.succeeded(PROMOTED, List.of(1), System.nanoTime());
        assertThat(logged(Level.INFO)).singleElement().satisfies(i -> assertThat(i).contains("partitions [1] flow again"));

        fail(HEALTHY, 2);
        read.remove(2);
        outages.succeeded(PROMOTED, List.of(1), System.nanoTime());
        assertThat(logged(Level.INFO)).last().satisfies(i -> assertThat(i)
                .contains("no partition read here waits for Redis node " + HEALTHY));
        assertThat(outages.any()).isFalse();
    }

    @Test
    void on_a_single_server_any_read_that_succeeds_ends_the_outage() {
        long startedDuringTheOutage = System.nanoTime();
        outages.failed("", List.of(0), () -> List.of(0, 1, 2, 3, 4, 5), new RuntimeException("refused"), startedDuringTheOutage);
        outages.failed("", List.of(1), List::of, new RuntimeException("refused"), System.nanoTime());
        outages.succeeded("", List.of(2), System.nanoTime());

        assertThat(logged(Level.WARN)).singleElement().satisfies(w -> assertThat(w)
                .isEqualTo("reading events of orders/proc failed, retrying with backoff until the server answers: refused"));
        assertThat(logged(Level.INFO)).singleElement().satisfies(i -> assertThat(i)
                .isEqualTo("reading events of orders/proc working again after 2 failed tries"));

        // A read that was blocked on the dead connection fails only now, after another succeeded.
        outages.failed("", List.of(3), List::of, new RuntimeException("connection reset"), startedDuringTheOutage);
        assertThat(logged(Level.WARN)).hasSize(1);
        outages.failed("", List.of(3), List::of, new RuntimeException("refused"), System.nanoTime());
        assertThat(logged(Level.WARN)).as("a new outage").hasSize(2);
    }

    @Test
    void a_read_in_flight_since_before_the_outage_that_succeeds_late_does_not_end_it() {
        long startedBeforeTheOutage = System.nanoTime() - Duration.ofSeconds(1).toNanos();
        outages.failed("", List.of(0), () -> List.of(0, 1, 2, 3, 4, 5), new RuntimeException("refused"), System.nanoTime());
        // A read that was under way when the server went down: its reply arrives only now (a loaded machine).
        outages.succeeded("", List.of(1), startedBeforeTheOutage);
        assertThat(logged(Level.INFO)).as("the late reply ends nothing").isEmpty();
        assertThat(outages.any()).isTrue();
        outages.failed("", List.of(1), List::of, new RuntimeException("refused"), System.nanoTime());
        assertThat(logged(Level.WARN)).as("still the one outage").hasSize(1);

        outages.succeeded("", List.of(2), System.nanoTime());
        assertThat(logged(Level.INFO)).singleElement().satisfies(i -> assertThat(i)
                .isEqualTo("reading events of orders/proc working again after 2 failed tries"));
    }

    @Test
    void on_a_cluster_a_late_success_of_a_read_from_before_the_outage_leaves_its_partitions_waiting() {
        long startedBeforeTheOutage = System.nanoTime() - Duration.ofSeconds(1).toNanos();
        fail(DEAD, 1); // partition 4, which the node also serves, waits too
        outages.succeeded(DEAD, List.of(4), startedBeforeTheOutage);
        outages.succeeded(PROMOTED, List.of(1), System.nanoTime());
        assertThat(logged(Level.INFO)).as("partition 4 still waits").isEmpty();

        outages.succeeded(PROMOTED, List.of(4), System.nanoTime());
        assertThat(logged(Level.INFO)).singleElement().satisfies(i -> assertThat(i).contains("partitions [1, 4] flow again"));
        assertThat(outages.any()).isFalse();
    }

    @Test
    void a_read_over_several_nodes_that_fails_opens_no_outage() {
        assertThat(outages.failed(null, List.of(0, 1), List::of, new RuntimeException("refused"), System.nanoTime()))
                .isEqualTo(Duration.ofMillis(50));
        assertThat(logged(Level.WARN)).isEmpty();
        assertThat(outages.any()).isFalse();
    }
}
