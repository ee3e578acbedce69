// SPDX-License-Identifier: Apache-2.0

package io.runnel.engine;

import com.codahale.metrics.Histogram;
import com.codahale.metrics.Meter;
import com.codahale.metrics.SlidingWindowReservoir;
import com.codahale.metrics.Timer;
import org.junit.jupiter.api.Test;

import java.util.List;
import java.util.concurrent.TimeUnit;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

/** The processor-wide metrics read their partitions': sums of counts and rates, windows merged. */
class ProcessorTotalsTest {
    @Test
    void a_sum_meter_adds_its_parts_counts_and_rates_and_refuses_marks() {
        Meter a = new Meter();
        Meter b = new Meter();
        a.mark(3);
        b.mark(4);
        ProcessorTotals.SumMeter total = new ProcessorTotals.SumMeter(List.of(a, b));

        assertThat(total.getCount()).isEqualTo(7);
        // A mean rate only falls as time passes: the sum read between two readings of the parts lies between them.
        double before = a.getMeanRate() + b.getMeanRate();
        double sum = total.getMeanRate();
        double after = a.getMeanRate() + b.getMeanRate();
        assertThat(sum).isPositive().isBetween(after, before);
        assertThatThrownBy(() -> total.mark(1)).isInstanceOf(UnsupportedOperationException.class);
    }

    @Test
    void a_merged_histogram_counts_all_and_holds_every_parts_window() {
        Histogram a = new Histogram(new SlidingWindowReservoir(4));
        Histogram b = new Histogram(new SlidingWindowReservoir(4));
        for (long v = 1; v <= 6; v++) {
            a.update(v); // a's window keeps 3, 4, 5, 6
        }
        b.update(100);
        ProcessorTotals.MergedHistogram total = new ProcessorTotals.MergedHistogram(List.of(a, b));

        assertThat(total.getCount()).isEqualTo(7);
        assertThat(total.count()).as("plain Dropwizard parts keep no sum: left out of count and sum alike").isZero();
        assertThat(total.sum()).isZero();
        assertThat(total.getSnapshot().getValues()).containsExactly(3, 4, 5, 6, 100);
        assertThat(total.getSnapshot().getMax()).isEqualTo(100);
        assertThatThrownBy(() -> total.update(1)).isInstanceOf(UnsupportedOperationException.class);
    }

    @Test
    void a_timer_of_merged_parts_reads_like_one_timer_with_the_parts_total_duration() {
        WindowTimer a = new WindowTimer(2);
        WindowTimer b = new WindowTimer(2);
        a.update(1, TimeUnit.MILLISECONDS);
        b.update(3, TimeUnit.MILLISECONDS);
        b.update(5, TimeUnit.MILLISECONDS);
        b.update(7, TimeUnit.MILLISECONDS); // b's window keeps 5 and 7; its sum keeps 3 too
        ProcessorTotals.MergedTimer total = new ProcessorTotals.MergedTimer(List.of(a, b));

        assertThat(total.getCount()).isEqualTo(4);
        assertThat(total.getSnapshot().getMean()).isEqualTo(TimeUnit.MILLISECONDS.toNanos(13) / 3.0);
        assertThat(total.getMeanRate()).isPositive();
        assertThat(total.count()).isEqualTo(4);
        assertThat(total.sum()).isEqualTo(TimeUnit.MILLISECONDS.toNanos(16));
        assertThatThrownBy(() -> total.update(1, TimeUnit.MILLISECONDS)).isInstanceOf(UnsupportedOperationException.class);
    }

    @Test
    void a_duration_timed_one_at_a_time_reaches_the_sum_and_the_followers() {
        WindowTimer rebalances = new WindowTimer(4); // as the rebalances timer is, timed by Timer.Context
        List<Long> seen = new java.util.ArrayList<>();
        rebalances.update(1, TimeUnit.MILLISECONDS); // before anyone follows
        rebalances.follow((values, n) -> {
            for (int i = 0; i < n; i++) {
                seen.add(values[i]);
            }
        });
        rebalances.update(3, TimeUnit.MILLISECONDS);
        assertThat(seen).containsExactly(TimeUnit.MILLISECONDS.toNanos(3));
        assertThat(rebalances.count()).isEqualTo(2);
        assertThat(rebalances.sum()).isEqualTo(TimeUnit.MILLISECONDS.toNanos(4));
    }
}
