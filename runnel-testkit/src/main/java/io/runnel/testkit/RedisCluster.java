// SPDX-License-Identifier: Apache-2.0

package io.runnel.testkit;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;
import java.util.stream.Collectors;

/**
 * A real Redis Cluster for tests: {@code redis-server} processes in cluster mode on free
 * loopback ports (by default 3 masters and 3 replicas), joined with
 * {@code redis-cli --cluster create}, with a short {@code cluster-node-timeout} so that a
 * killed master's replica takes over within a few seconds.
 *
 * <pre>{@code
 * try (RedisCluster cluster = RedisCluster.start()) {
 *     connectTo(cluster.url());                      // redis-cluster://127.0.0.1:p1,127.0.0.1:p2,...
 *     cluster.kill(cluster.masterOf("some-key"));    // SIGKILL; its replica is promoted
 *     cluster.awaitHealthy();
 * }
 * }</pre>
 */
public final class RedisCluster implements AutoCloseable {
    private static final String HOST = "127.0.0.1";
    /** Short, so failover tests wait seconds, not the default 15 s. */
    static final Duration NODE_TIMEOUT = Duration.ofMillis(1000);
    private static final Duration FORM_TIMEOUT = Duration.ofSeconds(60);
    private static final Duration ADMIN_TIMEOUT = Duration.ofSeconds(2);
    private static final int SLOTS = 16384;

    /** One {@code redis-server} of the cluster. */
    public static final class Node {
        private final RedisProcess process;
        private final int tlsPort;

        private Node(RedisProcess process, int tlsPort) {
            this.process = process;
            this.tlsPort = tlsPort;
        }

        /**
         * The node's client port on 127.0.0.1.
         *
         * @return the port for plain connections
         */
        public int port() {
            return process.port();
        }

        /**
         * Sends one command to this node, e.g. {@code call("CLUSTER", "INFO")}.
         *
         * @param command the command's name and arguments
         * @return {@code String} for status and bulk replies, {@code Long} for integers,
         *     {@code List<Object>} for arrays, {@code null} for nil
         * @throws IllegalStateException when the node answers with an error
         * @throws UncheckedIOException  when it cannot be reached
         */
        public Object call(String... command) {
            try {
                return Resp.call(process.adminEndpoint(), ADMIN_TIMEOUT, command);
            } catch (Resp.ErrorReply e) {
                throw new IllegalStateException("node " + port() + " rejected " + command[0] + ": " + e.getMessage(), e);
            } catch (IOException e) {
                throw new UncheckedIOException("cannot reach node " + port(), e);
            }
        }

        /**
         * Whether the process runs (a killed one does not).
         *
         * @return true while the node's process is alive
         */
        public boolean alive() {
            return process.alive();
        }

        @Override
        public String toString() {
            return HOST + ":" + port();
        }
    }

    private final List<Node> nodes;
    /** The certificate the nodes listen for TLS with, or null. */
    private final TestCertificate certificate;
    /** The password of the nodes' default user, or null. */
    private final String password;

    private RedisCluster(List<Node> nodes, TestCertificate certificate, String password) {
        this.nodes = List.copyOf(nodes);
        this.certificate = certificate;
        this.password = password;
    }

    /**
     * 3 masters with one replica each, every slot covered, {@code cluster_state:ok} on every node.
     *
     * @return the running cluster, which the caller closes
     * @throws IllegalStateException when redis-server or redis-cli is missing, or the cluster does not form
     */
    public static RedisCluster start() {
        return start(3, 1);
    }

    /**
     * Starts {@code masters × (1 + replicasPerMaster)} nodes and forms the cluster.
     *
     * @param masters           how many masters share the slots (at least 3, as
     *                          {@code redis-cli --cluster create} asks)
     * @param replicasPerMaster how many replicas each master gets (0 or more)
     * @return the running cluster, which the caller closes
     * @throws IllegalStateException when redis-server or redis-cli is missing, or the cluster does not form
     */
    public static RedisCluster start(int masters, int replicasPerMaster) {
        return start(masters, replicasPerMaster, (TestCertificate) null);
    }

    /**
     * Starts {@code masters × (1 + replicasPerMaster)} nodes with more {@code redis-server}
     * options and forms the cluster, e.g. {@code "--cluster-require-full-coverage", "no"}.
     *
     * @param masters           how many masters share the slots (at least 3, as
     *                          {@code redis-cli --cluster create} asks)
     * @param replicasPerMaster how many replicas each master gets (0 or more)
     * @param extraArgs         more {@code redis-server} options for every node
     * @return the running cluster, which the caller closes
     * @throws IllegalStateException when redis-server or redis-cli is missing, or the cluster does not form
     */
    public static RedisCluster start(int masters, int replicasPerMaster, String... extraArgs) {
        return start(masters, replicasPerMaster, null, extraArgs);
    }

    /**
     * Starts {@code masters} masters without replicas that also listen for TLS with
     * {@code certificate}, among themselves too (the cluster bus, {@code tls-cluster}).
     * Clients reach them with {@link #tlsUrl()}; plain connections keep working, so the
     * fixture's own administration is unchanged.
     *
     * @param masters     how many masters share the slots (at least 3, as
     *                    {@code redis-cli --cluster create} asks)
     * @param certificate the certificate the nodes present and trust
     * @param extraArgs   more {@code redis-server} options for every node, e.g. {@code --requirepass}
     * @return the running cluster, which the caller closes
     * @throws IllegalStateException when redis-server or redis-cli is missing, or the cluster does not form
     */
    public static RedisCluster startTls(int masters, TestCertificate certificate, String... extraArgs) {
        return start(masters, 0, certificate, extraArgs);
    }

    private static RedisCluster start(int masters, int replicasPerMaster, TestCertificate certificate,
                                      String... extraArgs) {
        Path server = RedisExecutable.find().orElseThrow(() -> new IllegalStateException(RedisServer.NOTHING_TO_RUN));
        Path cli = server.resolveSibling("redis-cli");
        List<Node> nodes = new ArrayList<>();
        try {
            for (int i = 0; i < masters * (1 + replicasPerMaster); i++) {
                List<String> args = new ArrayList<>(List.of(
                        "--cluster-enabled", "yes",
                        "--cluster-config-file", "nodes.conf",
                        "--cluster-node-timeout", Long.toString(NODE_TIMEOUT.toMillis()),
                        // The bus port defaults to port + 10000, which may be taken or out of range.
                        "--cluster-port", Integer.toString(FreePort.find()),
                        "--appendonly", "no"));
                int tlsPort = 0;
                if (certificate != null) {
                    tlsPort = FreePort.find();
                    args.addAll(certificate.serverArgs(tlsPort));
                    args.addAll(List.of("--tls-cluster", "yes", "--tls-replication", "yes"));
                }
                args.addAll(List.of(extraArgs));
                nodes.add(new Node(RedisProcess.launch(server, args), tlsPort));
            }
            RedisCluster cluster = new RedisCluster(nodes, certificate, ServerArgs.requirePass(List.of(extraArgs)));
            cluster.create(cli, replicasPerMaster);
            cluster.awaitHealthy();
            cluster.await("every master to have " + replicasPerMaster + " replicas in sync", () -> cluster.masters().stream()
                    .allMatch(m -> replicasInSync(m) == replicasPerMaster));
            return cluster;
        } catch (RuntimeException e) {
            nodes.forEach(n -> n.process.close());
            throw e;
        }
    }

    private void create(Path cli, int replicasPerMaster) {
        List<String> command = new ArrayList<>(List.of(cli.toString()));
        if (password != null) {
            command.addAll(List.of("-a", password, "--no-auth-warning"));
        }
        if (certificate != null) {
            // With tls-cluster the nodes announce their TLS ports, which redis-cli then talks to.
            command.addAll(List.of("--tls", "--cacert", certificate.certFile().toString()));
        }
        command.addAll(List.of("--cluster", "create"));
        nodes.forEach(n -> command.add(certificate != null ? HOST + ":" + n.tlsPort : n.toString()));
        command.addAll(List.of("--cluster-replicas", Integer.toString(replicasPerMaster), "--cluster-yes"));
        try {
            Process p = new ProcessBuilder(command).redirectErrorStream(true).start();
            String output;
            try (var in = p.getInputStream()) {
                output = new String(in.readAllBytes(), StandardCharsets.UTF_8);
            }
            if (!p.waitFor(FORM_TIMEOUT.toSeconds(), TimeUnit.SECONDS) || p.exitValue() != 0) {
                throw new IllegalStateException("redis-cli --cluster create failed:\n" + output);
            }
        } catch (IOException e) {
            throw new UncheckedIOException("cannot run " + cli, e);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IllegalStateException("interrupted forming the cluster", e);
        }
    }

    /**
     * The URL of every node, as clients take it: {@code redis-cluster://127.0.0.1:p1,127.0.0.1:p2,…}.
     *
     * @return the plain URL, without credentials
     */
    public String url() {
        return "redis-cluster://" + nodes.stream().map(Node::toString).collect(Collectors.joining(","));
    }

    /**
     * The TLS URL of every node: {@code rediss-cluster://127.0.0.1:t1,…}; for a cluster from {@link #startTls}.
     *
     * @return the TLS URL, without credentials
     * @throws IllegalStateException if the cluster does not listen for TLS
     */
    public String tlsUrl() {
        if (certificate == null) {
            throw new IllegalStateException("this cluster does not listen for TLS (start it with startTls)");
        }
        return "rediss-cluster://" + nodes.stream().map(n -> HOST + ":" + n.tlsPort).collect(Collectors.joining(","));
    }

    /**
     * Every node, masters and replicas, killed ones included.
     *
     * @return the nodes, in the order they were started
     */
    public List<Node> nodes() {
        return nodes;
    }

    /**
     * The live nodes that are masters now.
     *
     * @return the live nodes whose role, as each reports it, is master
     */
    public List<Node> masters() {
        return nodes.stream().filter(Node::alive).filter(n -> role(n).equals("master")).toList();
    }

    /**
     * The live master serving {@code key}'s slot now.
     *
     * @param key any key
     * @return the master of its hash slot
     * @throws IllegalStateException if no live master serves the slot
     */
    public Node masterOf(String key) {
        long slot = (Long) anyLive().call("CLUSTER", "KEYSLOT", key);
        return masterOfSlot((int) slot);
    }

    /**
     * The live master serving {@code slot} now.
     *
     * @param slot a hash slot, 0 to 16383
     * @return its master
     * @throws IllegalStateException if no live master serves it
     */
    public Node masterOfSlot(int slot) {
        return masters().stream().filter(m -> slotsOf(m).stream().anyMatch(r -> slot >= r[0] && slot <= r[1]))
                .findFirst().orElseThrow(() -> new IllegalStateException("no live master serves slot " + slot));
    }

    /**
     * A live replica of {@code master}, by the replica's own view of whom it replicates.
     *
     * @param master a master of this cluster
     * @return one of its live replicas
     * @throws IllegalStateException if it has none
     */
    public Node replicaOf(Node master) {
        String masterId = String.valueOf(master.call("CLUSTER", "MYID"));
        return nodes.stream().filter(Node::alive).filter(n -> role(n).equals("slave"))
                .filter(n -> myselfLine(n).split(" ")[3].equals(masterId))
                .findFirst().orElseThrow(() -> new IllegalStateException("master " + master + " has no live replica"));
    }

    /**
     * Has {@code replica} take over from its master with {@code CLUSTER FAILOVER}, the
     * handshake an operator starts for maintenance: the master stops taking writes, the
     * replica catches up with it and takes its slots, and the old master becomes its replica,
     * so nothing is lost. Returns once the replica serves the slots and the cluster is healthy.
     *
     * @param replica a live replica of this cluster
     * @throws IllegalStateException if it has not taken over within a minute
     */
    public void failover(Node replica) {
        replica.call("CLUSTER", "FAILOVER");
        await("replica " + replica + " to take over", () -> role(replica).equals("master") && !slotsOf(replica).isEmpty()
                && health().isEmpty());
    }

    /**
     * Kills a node's process with SIGKILL, as a crash would: no shutdown, no failover handshake.
     *
     * @param node a node of this cluster
     */
    public void kill(Node node) {
        node.process.kill();
    }

    /**
     * Starts a killed node again on its port and data directory: it rejoins the cluster from
     * its {@code nodes.conf}, as a replica if its slots were taken over meanwhile. Returns once
     * it streams from a master (a replica) or serves slots again.
     *
     * @param node a killed node of this cluster
     * @throws IllegalStateException if it has not rejoined within a minute
     */
    public void restart(Node node) {
        node.process.startAgain();
        await("node " + node + " to rejoin", () -> role(node).equals("slave")
                ? String.valueOf(node.call("INFO", "replication")).contains("master_link_status:up")
                : health().isEmpty());
    }

    /**
     * Waits until every live node reports {@code cluster_state:ok} and every slot is served by
     * a live master (after a kill: until the replica was promoted).
     */
    public void awaitHealthy() {
        await("the cluster to be healthy", () -> health().isEmpty());
    }

    private void await(String what, java.util.function.BooleanSupplier condition) {
        long deadline = System.nanoTime() + FORM_TIMEOUT.toNanos();
        RuntimeException last = null;
        while (System.nanoTime() < deadline) {
            try {
                if (condition.getAsBoolean()) {
                    return;
                }
            } catch (RuntimeException e) {
                last = e; // a node still starting up or failing over
            }
            try {
                Thread.sleep(50);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                throw new IllegalStateException("interrupted waiting for " + what, e);
            }
        }
        String state;
        try {
            state = health();
        } catch (RuntimeException e) {
            state = e.toString();
        }
        throw new IllegalStateException("timed out after " + FORM_TIMEOUT + " waiting for " + what + " ("
                + (state.isEmpty() ? "cluster ok" : state) + ")", last);
    }

    /**
     * Clients blocked in a command right now, over every live node.
     *
     * @return the sum of {@code blocked_clients} of {@code INFO clients}
     */
    public long blockedClients() {
        long blocked = 0;
        for (Node n : nodes) {
            if (n.alive()) {
                for (String line : String.valueOf(n.call("INFO", "clients")).split("\r?\n")) {
                    if (line.startsWith("blocked_clients:")) {
                        blocked += Long.parseLong(line.substring("blocked_clients:".length()).trim());
                    }
                }
            }
        }
        return blocked;
    }

    /** Removes every key from every master. */
    public void flushAll() {
        masters().forEach(n -> n.call("FLUSHALL"));
    }

    @Override
    public void close() {
        nodes.forEach(n -> n.process.close());
    }

    /** Empty when healthy, else what is wrong. */
    private String health() {
        for (Node n : nodes) {
            if (n.alive()) {
                String info = String.valueOf(n.call("CLUSTER", "INFO"));
                if (!info.contains("cluster_state:ok")) {
                    return "node " + n + " is not ok: " + info.lines().findFirst().orElse("");
                }
            }
        }
        int covered = 0;
        for (Node m : masters()) {
            for (int[] r : slotsOf(m)) {
                covered += r[1] - r[0] + 1;
            }
        }
        return covered == SLOTS ? "" : covered + " of " + SLOTS + " slots served by live masters";
    }

    private Node anyLive() {
        return nodes.stream().filter(Node::alive).findFirst().orElseThrow(() -> new IllegalStateException("no live node"));
    }

    /** Replicas a master streams to that are online (ROLE lists those it knows). */
    private static int replicasInSync(Node master) {
        String info = String.valueOf(master.call("INFO", "replication"));
        return (int) info.lines().filter(l -> l.matches("slave\\d+:.*state=online.*")).count();
    }

    /** The node's role from ROLE: master or slave. */
    private static String role(Node n) {
        return String.valueOf(((List<?>) n.call("ROLE")).get(0));
    }

    /** The node's own line of CLUSTER NODES: id, address, flags, master id, …, slots. */
    private static String myselfLine(Node n) {
        return String.valueOf(n.call("CLUSTER", "NODES")).lines()
                .filter(l -> l.contains("myself")).findFirst().orElse("");
    }

    /** The slot ranges a master serves, as {@code int[]{from, to}}, from its own CLUSTER NODES line. */
    private static List<int[]> slotsOf(Node master) {
        List<int[]> ranges = new ArrayList<>();
        String[] fields = myselfLine(master).split(" ");
        for (int i = 8; i < fields.length; i++) {
            String f = fields[i].trim();
            if (f.isEmpty() || f.startsWith("[")) {
                continue; // a slot being migrated
            }
            int dash = f.indexOf('-');
            int from = Integer.parseInt(dash < 0 ? f : f.substring(0, dash));
            int to = dash < 0 ? from : Integer.parseInt(f.substring(dash + 1));
            ranges.add(new int[] {from, to});
        }
        return ranges;
    }
}
