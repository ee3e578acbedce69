// SPDX-License-Identifier: Apache-2.0

package io.runnel.redis.lettuce;

import io.lettuce.core.RedisFuture;
import io.lettuce.core.api.StatefulConnection;
import io.lettuce.core.api.StatefulRedisConnection;
import io.lettuce.core.protocol.AsyncCommand;
import io.runnel.api.transport.Append;
import io.runnel.api.transport.CommandRejected;
import io.runnel.api.transport.TransportException;
import io.runnel.redis.common.RedisFailures;
import java.time.Duration;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionException;

/**
 * A durable append on a Redis Cluster: each master's share of the appends goes, followed by
 * a WAIT, on a connection of its own to that master (WAIT answers for the writes of its own
 * connection, and holds it meanwhile), all masters at once. A master that cannot be reached
 * fails the call, after the others' replies were read; it never keeps the appends of the
 * others from being made and confirmed. Appends answered MOVED are sent again where the
 * answer points, with the layout read again.
 */
final class DurableAppends {

    /** Runs work on a connection of its own to a node (see {@code LettuceConnection.onNode}). */
    @FunctionalInterface
    interface OnNode {
        Share run(String node, Duration wait, LettuceConnection.BlockingWork<Share> work);
    }

    /** What a durable append got: the entries' ids in order, and the fewest replicas any master confirmed. */
    record Appended(List<String> ids, int confirmed) {
    }

    /** One master's part of a round: each append's outcome, and its WAIT's. */
    record Share(List<Replies.Settled<String>> adds, Replies.Settled<Long> confirmed) {
    }

    private final ClusterNodes nodes;
    private final Replies replies;
    private final RedisFailures failures;
    private final int maxRedirections;
    private final OnNode onNode;

    DurableAppends(ClusterNodes nodes, Replies replies, RedisFailures failures, int maxRedirections, OnNode onNode) {
        this.nodes = nodes;
        this.replies = replies;
        this.failures = failures;
        this.maxRedirections = maxRedirections;
        this.onNode = onNode;
    }

    /**
     * Appends, and asks each master written to for {@code replicas} confirmations.
     *
     * @param waitMillis WAIT's timeout
     * @param timeout    how long an XADD may take to answer
     * @param wait       how long a WAIT may take to answer
     * @throws TransportException if a master could not be reached or refused an append
     */
    Appended append(List<Append> appends, int replicas, long waitMillis, Duration timeout, Duration wait) {
        String[] ids = new String[appends.size()];
        int confirmed = Integer.MAX_VALUE; // no master written to (no appends): nothing to confirm
        Map<String, List<Integer>> todo = new LinkedHashMap<>();
        for (int i = 0; i < appends.size(); i++) {
            String node = nodes.masterOf(appends.get(i).key());
            if (node.isEmpty()) {
                nodes.refreshSoon();
                throw failures.failure("XADD found no master serving the hash slot of " + appends.get(i).key()
                        + " in the cluster's layout as last read");
            }
            todo.computeIfAbsent(node, n -> new ArrayList<>()).add(i);
        }
        for (int round = 0; !todo.isEmpty(); round++) {
            if (round > maxRedirections) {
                throw failures.failure("XADD was redirected " + maxRedirections + " times without reaching the master "
                        + "of its slot");
            }
            Map<String, CompletableFuture<Share>> sent = new LinkedHashMap<>();
            todo.forEach((node, positions) -> sent.put(node, CompletableFuture.supplyAsync(() -> onNode.run(node, wait,
                    (connection, w) -> share(connection, positions.stream().map(appends::get).toList(), replicas,
                            waitMillis, timeout, w)), Thread::startVirtualThread)));
            Map<String, List<Integer>> redirected = new LinkedHashMap<>();
            TransportException failed = null;
            for (Map.Entry<String, CompletableFuture<Share>> node : sent.entrySet()) {
                Share share;
                try {
                    share = node.getValue().join();
                } catch (CompletionException e) {
                    if (e.getCause() instanceof TransportException unreachable) {
                        failed = failed != null ? failed : unreachable;
                        continue;
                    }
                    throw e.getCause() instanceof RuntimeException r ? r : e;
                }
                List<Integer> positions = todo.get(node.getKey());
                boolean took = false;
                for (int j = 0; j < positions.size(); j++) {
                    Replies.Settled<String> add = share.adds().get(j);
                    if (!add.failed()) {
                        ids[positions.get(j)] = add.value();
                        took = true;
                        continue;
                    }
                    TransportException refused = replies.failure("XADD", add.error());
                    Optional<String> movedTo = refused instanceof CommandRejected r ? Redirection.movedTo(r) : Optional.empty();
                    if (movedTo.isPresent()) {
                        redirected.computeIfAbsent(movedTo.get(), n -> new ArrayList<>()).add(positions.get(j));
                    } else {
                        failed = failed != null ? failed : refused;
                    }
                }
                if (took && share.confirmed().failed()) {
                    failed = failed != null ? failed : replies.failure("WAIT", share.confirmed().error());
                } else if (took) {
                    confirmed = (int) Math.min(confirmed, share.confirmed().value());
                }
                // else every append was redirected: the node is a replica now, which refuses WAIT
            }
            if (failed != null) {
                throw failed;
            }
            if (!redirected.isEmpty()) {
                nodes.refreshSoon();
                redirected.values().forEach(positions -> positions.sort(null)); // the batch's order, per master
            }
            todo = redirected;
        }
        return new Appended(List.of(ids), confirmed);
    }

    /** A master's appends and its WAIT, sent in one write and then awaited. */
    private Share share(StatefulConnection<String, byte[]> connection, List<Append> appends, int replicas,
                        long waitMillis, Duration timeout, Duration wait) {
        List<AsyncCommand<String, byte[], String>> adds = LettuceStreamCommands.xadds(appends);
        connection.setAutoFlushCommands(false);
        RedisFuture<Long> waited;
        try {
            connection.dispatch(adds);
            waited = ((StatefulRedisConnection<String, byte[]>) connection).async().waitForReplication(replicas, waitMillis);
        } finally {
            connection.flushCommands();
            connection.setAutoFlushCommands(true);
        }
        List<Replies.Settled<String>> settled = replies.settleAll("XADD", adds, timeout);
        return new Share(settled, replies.settleAll("WAIT", List.of(waited), wait).get(0));
    }
}
