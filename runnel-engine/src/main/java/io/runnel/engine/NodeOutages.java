// SPDX-License-Identifier: Apache-2.0

package io.runnel.engine;

import org.slf4j.Logger;

import java.time.Duration;
import java.util.ArrayList;
import java.util.Collection;
import java.util.HashMap;
import java.util.Iterator;
import java.util.LinkedHashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.SortedSet;
import java.util.TreeSet;
import java.util.function.IntPredicate;
import java.util.function.Supplier;

/**
 * The outages of a fetcher's reads, one per Redis node: a single server, or each master of
 * a Redis Cluster. An outage is logged once at WARN when it starts, naming the node and the
 * partitions that wait for it, and once at INFO when they all flow again; the retries of its
 * partitions back off exponentially up to a cap. Reads of partitions on other nodes neither
 * end it nor are held back by it, so one dead master of a cluster is one warning, not a
 * warning and a recovery each time another master answers.
 *
 * <p>On a cluster, a partition waits in the outage it first failed in until a read of it
 * succeeds, wherever that read went: after a failover the partition is read from the promoted
 * replica, and the dead node's outage ends when the last of its partitions flows again there.
 * A partition no longer read here (given up, moved to another worker) stops waiting. On a
 * single server (node {@code ""}) any read that succeeds ends the outage. As with
 * {@link Outage}, a read that started before its node's last recovery and fails after it
 * opens no new outage; likewise a read that started before an outage opened and succeeds
 * after it (a late reply) ends nothing.
 *
 * <p>Called from the fetcher's read threads; the state is guarded by this object's lock.
 */
final class NodeOutages {
    private static final Duration FIRST = Duration.ofMillis(50);
    private static final Duration CAP = Duration.ofSeconds(2);

    private final Logger log;
    private final String what;
    private final IntPredicate stillRead;
    /** The open outages by node. */
    private final Map<String, Episode> open = new LinkedHashMap<>();
    /** {@link System#nanoTime()} of the end of each node's last outage. */
    private final Map<String, Long> recoveredAt = new HashMap<>();

    /** One node's outage. */
    private static final class Episode {
        final String node;
        final long since = System.nanoTime();
        /** Partitions whose reads have not succeeded since the outage began. */
        final SortedSet<Integer> waiting = new TreeSet<>();
        /** Every partition that waited. */
        final SortedSet<Integer> waited = new TreeSet<>();
        int failures = 1;
        Duration backoff = FIRST;
        /** The node the layout moved the waiting partitions to (a promoted replica), or null. */
        String movedTo;
        /** The backoff of reads from {@link #movedTo}, which start afresh on a node of their own. */
        Duration movedBackoff = FIRST;

        Episode(String node) {
            this.node = node;
        }
    }

    /**
     * @param what      the calls, for messages, e.g. {@code "reading events of orders/proc"}
     * @param stillRead whether a partition is still read here; others stop waiting
     */
    NodeOutages(Logger log, String what, IntPredicate stillRead) {
        this.log = log;
        this.what = what;
        this.stillRead = stillRead;
    }

    /**
     * A read of {@code partitions} from {@code node} failed.
     *
     * @param node       where the read went by the layout when it started ({@code ""}: a single server);
     *                   null for a read over several nodes, whose failure opens no outage (its
     *                   partitions are read node by node next)
     * @param alsoOnNode the other partitions read here that the node serves, named in the warning
     * @param startedAt  {@link System#nanoTime()} when the read started
     * @return how long to wait before reading these partitions again
     */
    synchronized Duration failed(String node, Collection<Integer> partitions, Supplier<Collection<Integer>> alsoOnNode,
                                 Exception error, long startedAt) {
        forgetPartitionsNotRead();
        Set<Episode> waitingIn = new LinkedHashSet<>();
        List<Integer> fresh = new ArrayList<>();
        for (int p : partitions) {
            Episode episode = episodeOf(p);
            if (episode != null) {
                waitingIn.add(episode); // waits where it first failed, whichever node this read went to
            } else {
                fresh.add(p);
            }
        }
        Duration wait = FIRST;
        for (Episode episode : waitingIn) {
            wait = longer(wait, backOff(episode, node));
        }
        if (fresh.isEmpty() || node == null) {
            return wait;
        }
        Episode episode = open.get(node);
        if (episode != null) {
            episode.waiting.addAll(fresh);
            episode.waited.addAll(fresh);
            return waitingIn.contains(episode) ? wait : longer(wait, backOff(episode, node));
        }
        Long recovered = recoveredAt.get(node);
        if (recovered != null && startedAt - recovered < 0) {
            // In flight across the node's recovery: its failure is the old outage's, already reported.
            return wait;
        }
        episode = new Episode(node);
        open.put(node, episode);
        episode.waiting.addAll(fresh);
        for (int p : alsoOnNode.get()) {
            if (stillRead.test(p) && episodeOf(p) == null) {
                episode.waiting.add(p);
            }
        }
        episode.waited.addAll(episode.waiting);
        if (node.isEmpty()) {
            log.warn("{} failed, retrying with backoff until the server answers: {}", what, error.getMessage());
        } else {
            log.warn("{} from Redis node {} failed; partitions {} wait for it, retrying with backoff: {}",
                    what, node, episode.waiting, error.getMessage());
        }
        return longer(wait, episode.backoff);
    }

    /**
     * A read of {@code partitions} from {@code node} (null: from several) succeeded: they no
     * longer wait, and an outage they ended is logged. A read that started before an outage
     * opened ends none of it: its reply, sent before the node failed, can arrive late on a
     * loaded machine, and says nothing of whether the node answers now.
     *
     * @param startedAt {@link System#nanoTime()} when the read started
     */
    synchronized void succeeded(String node, Collection<Integer> partitions, long startedAt) {
        if (open.isEmpty()) {
            return;
        }
        for (Iterator<Episode> it = open.values().iterator(); it.hasNext(); ) {
            Episode episode = it.next();
            if (startedAt - episode.since < 0) {
                continue; // under way before the outage opened: a late reply, not a recovery
            }
            if (episode.node.isEmpty()) {
                episode.waiting.clear(); // a single server: it answers again
            } else if (!episode.waiting.removeAll(partitions)) {
                continue;
            }
            dropNotRead(episode);
            if (episode.waiting.isEmpty()) {
                it.remove();
                recoveredAt.put(episode.node, System.nanoTime());
                if (episode.node.isEmpty()) {
                    log.info("{} working again after {} failed tries", what, episode.failures);
                } else {
                    log.info("{}: partitions {} flow again{} (reads from Redis node {} failed for {} ms, {} failed tries)",
                            what, episode.waited, node == null || node.isEmpty() ? "" : ", now from Redis node " + node,
                            episode.node, Duration.ofNanos(System.nanoTime() - episode.since).toMillis(), episode.failures);
                }
            }
        }
        forgetPartitionsNotRead();
    }

    /** Whether any outage is open. */
    synchronized boolean any() {
        return !open.isEmpty();
    }

    private Episode episodeOf(int partition) {
        for (Episode episode : open.values()) {
            if (episode.waiting.contains(partition)) {
                return episode;
            }
        }
        return null;
    }

    /**
     * Counts a failure of a read of the episode's partitions from {@code node} and returns the
     * wait before the next. A read that went to another node than the one that failed first
     * (the layout moved the partitions: a replica promoted in a dead master's place) backs off
     * afresh: the dead node's long backoff would hold up partitions that are likely to flow on
     * the next try (whose first command may have met a link still being made).
     */
    private static Duration backOff(Episode episode, String node) {
        episode.failures++;
        if (node != null && !node.isEmpty() && !node.equals(episode.node)) {
            if (!node.equals(episode.movedTo)) {
                episode.movedTo = node;
                episode.movedBackoff = FIRST;
            } else {
                episode.movedBackoff = doubled(episode.movedBackoff);
            }
            return episode.movedBackoff;
        }
        episode.backoff = doubled(episode.backoff);
        return episode.backoff;
    }

    private static Duration doubled(Duration backoff) {
        Duration doubled = backoff.multipliedBy(2);
        return doubled.compareTo(CAP) > 0 ? CAP : doubled;
    }

    /** Partitions given up here wait no more; an outage left with none ends without a word of recovery. */
    private void forgetPartitionsNotRead() {
        for (Iterator<Episode> it = open.values().iterator(); it.hasNext(); ) {
            Episode episode = it.next();
            dropNotRead(episode);
            if (episode.waiting.isEmpty()) {
                it.remove();
                recoveredAt.put(episode.node, System.nanoTime());
                log.info("{}: no partition read here waits for Redis node {} any more ({} ms, {} failed tries)",
                        what, episode.node.isEmpty() ? "(the server)" : episode.node,
                        Duration.ofNanos(System.nanoTime() - episode.since).toMillis(), episode.failures);
            }
        }
    }

    private void dropNotRead(Episode episode) {
        for (Iterator<Integer> p = episode.waiting.iterator(); p.hasNext(); ) {
            int partition = p.next();
            if (!stillRead.test(partition)) {
                p.remove();
                episode.waited.remove(partition);
            }
        }
    }

    private static Duration longer(Duration a, Duration b) {
        return a == null || b.compareTo(a) > 0 ? b : a;
    }
}
