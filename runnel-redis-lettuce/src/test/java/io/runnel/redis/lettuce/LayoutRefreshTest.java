// SPDX-License-Identifier: Apache-2.0

package io.runnel.redis.lettuce;

import org.junit.jupiter.api.Test;

import java.time.Duration;
import java.util.ArrayDeque;
import java.util.Deque;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.atomic.AtomicBoolean;

import static org.assertj.core.api.Assertions.assertThat;

/** The layout readings a {@link LayoutRefresh} starts, in virtual time: the timer's tasks run when the test says. */
class LayoutRefreshTest {
    private static final Duration GAP = Duration.ofMillis(500);
    private final Deque<CompletableFuture<Void>> readings = new ArrayDeque<>();
    private final Deque<Runnable> gaps = new ArrayDeque<>();
    private final AtomicBoolean unsettled = new AtomicBoolean();
    private final LayoutRefresh refresh = new LayoutRefresh(this::startReading, unsettled::get,
            (task, delay) -> {
                assertThat(delay).isEqualTo(GAP);
                gaps.add(task);
            }, GAP);

    private CompletableFuture<Void> startReading() {
        CompletableFuture<Void> reading = new CompletableFuture<>();
        readings.add(reading);
        return reading;
    }

    @Test
    void requests_while_a_reading_runs_lead_to_one_more_after_its_gap() {
        refresh.requestSoon();
        assertThat(readings).hasSize(1);
        refresh.requestSoon();
        refresh.requestSoon();
        assertThat(readings).as("one reading at a time").hasSize(1);

        readings.peekLast().complete(null);
        assertThat(readings).as("not before the gap").hasSize(1);
        gaps.poll().run();
        assertThat(readings).as("the requests made meanwhile, as one").hasSize(2);

        readings.peekLast().complete(null);
        gaps.poll().run();
        assertThat(readings).as("nothing more was asked").hasSize(2);
        refresh.requestSoon();
        assertThat(readings).as("idle: a request reads at once").hasSize(3);
    }

    @Test
    void an_unsettled_layout_is_read_every_gap_until_it_settles() {
        unsettled.set(true);
        refresh.requestSoon();
        for (int i = 1; i <= 3; i++) {
            readings.peekLast().completeExceptionally(new IllegalStateException("no node answered"));
            gaps.poll().run();
            assertThat(readings).hasSize(i + 1);
        }
        unsettled.set(false);
        readings.peekLast().complete(null);
        gaps.poll().run();
        assertThat(readings).hasSize(4);
        assertThat(gaps).isEmpty();
    }

    @Test
    void a_closed_refresh_reads_no_more() {
        unsettled.set(true);
        refresh.requestSoon();
        refresh.close();
        readings.peekLast().complete(null);
        gaps.poll().run();
        refresh.requestSoon();
        assertThat(readings).hasSize(1);
    }
}
