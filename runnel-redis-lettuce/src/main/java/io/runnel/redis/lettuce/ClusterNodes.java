// SPDX-License-Identifier: Apache-2.0

package io.runnel.redis.lettuce;

import io.lettuce.core.RedisURI;
import io.lettuce.core.cluster.RedisClusterClient;
import io.lettuce.core.cluster.SlotHash;
import io.lettuce.core.cluster.event.ClusterTopologyChangedEvent;
import io.lettuce.core.cluster.models.partitions.Partitions;
import io.lettuce.core.cluster.models.partitions.RedisClusterNode;
import io.lettuce.core.resource.ClientResources;
import io.runnel.redis.common.NodeAddress;
import java.time.Duration;
import java.util.HashSet;
import java.util.Set;
import java.util.concurrent.TimeUnit;
import java.util.function.Consumer;
import java.util.function.Predicate;
import java.util.function.Supplier;
import reactor.core.Disposable;

/**
 * A Redis Cluster's masters as the Lettuce transport reaches them outside its shared cluster
 * connection: which master serves a slot by the layout the shared connection routes by,
 * how to connect to one master alone, and when to read the layout again.
 *
 * <p>The layout leaves out nodes the cluster has marked as failed (see
 * {@link #LIVE_NODES}): Redis keeps listing a dead master as {@code master,fail} until it
 * rejoins or is forgotten, and a connection that tried to link every listed master would
 * never open while one is dead.
 */
final class ClusterNodes implements AutoCloseable {
    /**
     * The nodes the layout keeps: a node the cluster agreed is failing ({@code fail}, not
     * merely suspected, {@code fail?}) serves nothing until it comes back, which clears the flag.
     */
    static final Predicate<RedisClusterNode> LIVE_NODES = node -> !node.is(RedisClusterNode.NodeFlag.FAIL);
    /** The least time between two readings of the layout that calls asked for. */
    private static final Duration REFRESH_GAP = Duration.ofMillis(500);

    private final Supplier<Partitions> layout;
    private final RedisURI seed;
    private final LayoutRefresh refresh;
    private final Disposable layoutChanges;

    /**
     * @param client          the cluster client, whose layout this reads again
     * @param layout          the layout the shared connection routes by, always the latest read
     * @param seed            a seed node's URI, whose credentials, TLS settings and timeout every node shares
     * @param resources       the client's resources: their event bus tells of layout changes
     * @param onLayoutChanged told, on a thread of its own, the masters serving slots after each change of the layout
     */
    ClusterNodes(RedisClusterClient client, Supplier<Partitions> layout, RedisURI seed, ClientResources resources,
                 Consumer<Set<String>> onLayoutChanged) {
        this.layout = layout;
        this.seed = seed;
        this.refresh = new LayoutRefresh(client::refreshPartitionsAsync, this::unsettled,
                (task, delay) -> resources.eventExecutorGroup().schedule(task, delay.toNanos(), TimeUnit.NANOSECONDS),
                REFRESH_GAP);
        // Told on the Lettuce thread that read the layout, which must not wait for connections
        // to close: the listener runs on a thread of its own.
        this.layoutChanges = resources.eventBus().get()
                .filter(ClusterTopologyChangedEvent.class::isInstance)
                .subscribe(changed -> Thread.ofVirtual().name("runnel-lettuce-layout-changed")
                        .start(() -> onLayoutChanged.accept(servingMasters())));
    }

    /** The address of the master serving the key's slot by the layout, or empty when it names none. */
    String masterOf(String key) {
        RedisClusterNode master = layout.get().getMasterBySlot(SlotHash.getSlot(key));
        return master == null ? "" : address(master);
    }

    /** The addresses of the masters that serve slots by the layout. */
    Set<String> servingMasters() {
        Set<String> masters = new HashSet<>();
        for (RedisClusterNode node : layout.get()) {
            if (node.is(RedisClusterNode.NodeFlag.UPSTREAM) && !node.getSlots().isEmpty()) {
                masters.add(address(node));
            }
        }
        return masters;
    }

    /** The URI of the node at {@code address}, with the seed's credentials, TLS settings and timeout. */
    RedisURI uriOf(String address) {
        NodeAddress node = NodeAddress.parse(address);
        return RedisURI.builder(seed).withHost(node.host()).withPort(node.port()).build();
    }

    /** A node's address as {@link #masterOf} gives it. */
    static String address(RedisClusterNode node) {
        return new NodeAddress(node.getUri().getHost(), node.getUri().getPort()).toString();
    }

    /** Has the layout read again soon, on another thread; returns at once. */
    void refreshSoon() {
        refresh.requestSoon();
    }

    /** Whether some slot has no master in the layout, or one the cluster suspects or agreed is failing. */
    private boolean unsettled() {
        Partitions partitions = layout.get();
        for (int slot = 0; slot < SlotHash.SLOT_COUNT; slot++) {
            RedisClusterNode master = partitions.getMasterBySlot(slot);
            if (master == null || master.is(RedisClusterNode.NodeFlag.EVENTUAL_FAIL)
                    || master.is(RedisClusterNode.NodeFlag.FAIL)) {
                return true;
            }
        }
        return false;
    }

    @Override
    public void close() {
        refresh.close();
        layoutChanges.dispose();
    }
}
