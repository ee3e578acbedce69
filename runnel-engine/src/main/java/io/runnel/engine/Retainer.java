// SPDX-License-Identifier: Apache-2.0

package io.runnel.engine;

import io.runnel.api.transport.CommandRejected;
import io.runnel.api.transport.RetentionResult;
import io.runnel.api.transport.Transport;
import io.runnel.api.transport.TransportException;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.util.HashMap;
import java.util.Map;
import java.util.Set;
import java.util.function.IntPredicate;

/**
 * Trims the partitions one executor owns, as the stream's {@link Retention} says, and
 * reports entries removed before a consumer group read them. Every owner of a partition
 * (one per processor of the stream) trims it; the trim is atomic on the server and needs
 * no coordination, so doing it twice costs a round trip and nothing else.
 *
 * <p>Which partitions are due each interval is {@link RetentionSchedule}'s call: under the
 * acked policy without limits, quiet partitions are passed over most of the time.
 *
 * <p>The pass runs even when Redis's memory is full (see {@code RetentionScript}): trimming is
 * what frees it. A refusal of a pass (by a server that cannot run it) is warned of once,
 * like an outage, and the pass is tried again the next interval.
 *
 * <p>Called by the executor's retention thread only.
 */
final class Retainer {
    private static final Logger log = LoggerFactory.getLogger(Retainer.class);

    private final Processor<?> processor;
    private final Transport transport;
    private final Outage outage;
    /** Per partition, this processor's lost total at the last pass: losses others find are counted too. */
    private final Map<Integer, Long> lostTotals = new HashMap<>();
    private final RetentionSchedule schedule = new RetentionSchedule();
    private final IntPredicate ackedSinceLastPass;

    /** @param ackedSinceLastPass whether this executor's acks of a partition were taken since the last call for it */
    Retainer(Processor<?> processor, Transport transport, IntPredicate ackedSinceLastPass) {
        this.processor = processor;
        this.transport = transport;
        this.ackedSinceLastPass = ackedSinceLastPass;
        this.outage = new Outage(log, "trimming partitions of stream " + processor.stream().name(),
                processor.metrics().redisOom());
    }

    /** One pass over those of {@code partitions} that are due; failures are logged and left to the next pass. */
    void trim(Set<Integer> partitions) {
        Stream<?> stream = processor.stream();
        Retention retention = stream.retention();
        schedule.keepOnly(partitions);
        for (int partition : partitions) {
            // Asked every time, whatever the policy: the answer is given once.
            boolean acked = ackedSinceLastPass.test(partition);
            if (retention.trimsOnlyAcked() && !schedule.due(partition, acked)) {
                continue;
            }
            RetentionResult result;
            try {
                result = transport.retain(retention.pass(stream.partitionKey(partition), processor.retentionKey(partition)));
                outage.succeeded();
            } catch (CommandRejected e) {
                if (e.isWrongType()) {
                    // About this key alone (another type written over it: its executor quarantines
                    // the partition); the other partitions are still trimmed.
                    log.debug("partition {} of stream {} cannot be trimmed: {}", partition, stream.name(), e.getMessage());
                } else {
                    // Refused on every key alike (a server that cannot run the pass, or whose memory
                    // is full, should it ever refuse the pass): said once, and tried again next time.
                    schedule.retry(partition);
                    outage.failed(e);
                }
                continue;
            } catch (TransportException e) {
                schedule.retry(partition);
                outage.failed(e);
                return;
            }
            log.debug("partition {} of stream {}: trimmed {} entries, {} left", partition, stream.name(),
                    result.trimmed(), result.length());
            processor.metrics().retentionTrimmed(result.trimmed());
            for (RetentionResult.GroupRetention group : result.groups()) {
                if (group.lostNow() > 0) {
                    report(partition, group);
                }
                if (group.group().equals(processor.group())) {
                    count(partition, group);
                }
            }
        }
    }

    private void report(int partition, RetentionResult.GroupRetention group) {
        log.error("{} event(s) of stream {} partition {} were removed before processor {} read them "
                        + "({} in all so far; retention: {}). Raise max_partition_size or max_age, or use the acked "
                        + "retention, if that was not meant",
                group.lostNow(), processor.stream().name(), partition, group.group(), group.lostTotal(),
                processor.stream().retention().describe());
    }

    /**
     * Marks this processor's meter with what it lost since the last pass, whoever found it
     * (another processor's owner may have run the audit first); losses found before this
     * executor's first pass on a partition show in status only.
     */
    private void count(int partition, RetentionResult.GroupRetention group) {
        Long before = lostTotals.put(partition, group.lostTotal());
        long lost = before == null ? group.lostNow() : group.lostTotal() - before;
        if (lost > 0) {
            processor.metrics().trimmedUnprocessed(lost);
        }
    }
}
