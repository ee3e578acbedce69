package io.runnel.redis.jedis;

import static java.nio.charset.StandardCharsets.UTF_8;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.awaitility.Awaitility.await;

import io.runnel.api.transport.Append;
import io.runnel.api.transport.ConnectionUrl;
import io.runnel.api.transport.StreamEntry;
import io.runnel.api.transport.Transport;
import io.runnel.api.transport.TransportException;
import io.runnel.testkit.RedisServer;
import java.io.File;
import java.io.IOException;
import java.io.PrintWriter;
import java.io.StringWriter;
import java.io.UncheckedIOException;
import java.net.ServerSocket;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import java.util.stream.Stream;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import redis.clients.jedis.Jedis;

/**
 * {@code redis-sentinel://} URLs, against a real sentinel ({@code redis-server --sentinel})
 * watching a password-protected master: the master is found through the sentinel, the
 * URL's credentials reach the master, and blocking reads work on the master as well.
 */
class JedisSentinelTest {
    private static final String MASTER_PASSWORD = "m4ster-pw";
    private static final Duration PATIENCE = Duration.ofSeconds(20);

    private static RedisServer master;
    private static Path sentinelDir;
    private static Process sentinel;
    private static int sentinelPort;

    @BeforeAll
    static void startMasterAndSentinel() throws Exception {
        master = RedisServer.start("--requirepass", MASTER_PASSWORD);
        sentinelDir = Files.createTempDirectory("runnel-sentinel");
        sentinelPort = freePort();
        // A sentinel rewrites its configuration file, so it must live in a writable place.
        Path config = sentinelDir.resolve("sentinel.conf");
        Files.writeString(config, String.join("\n",
                "port " + sentinelPort,
                "bind 127.0.0.1",
                "dir " + sentinelDir,
                "sentinel monitor mymaster 127.0.0.1 " + master.port() + " 1",
                "sentinel auth-pass mymaster " + MASTER_PASSWORD,
                ""));
        sentinel = new ProcessBuilder(redisServer().toString(), config.toString(), "--sentinel")
                .redirectErrorStream(true)
                .redirectOutput(sentinelDir.resolve("sentinel.log").toFile())
                .start();
        await().atMost(PATIENCE).ignoreExceptions().until(() -> {
            try (Jedis probe = new Jedis("127.0.0.1", sentinelPort)) {
                return probe.sentinelGetMasterAddrByName("mymaster").size() == 2;
            }
        });
    }

    @AfterAll
    static void stopMasterAndSentinel() throws Exception {
        try {
            if (sentinel != null) {
                sentinel.destroy();
                if (!sentinel.waitFor(10, TimeUnit.SECONDS)) {
                    sentinel.destroyForcibly().waitFor();
                }
            }
        } finally {
            if (master != null) {
                master.close();
            }
            deleteRecursively(sentinelDir);
        }
    }

    @Test
    void findsTheMasterThroughTheSentinelAndAuthenticatesToIt() {
        try (Transport transport = open("redis-sentinel://:" + MASTER_PASSWORD + "@127.0.0.1:" + sentinelPort
                + "/2#mymaster")) {
            transport.set("k", "v", null);

            assertThat(transport.get("k")).contains("v");
        }
        try (Jedis direct = new Jedis("127.0.0.1", master.port())) {
            direct.auth(MASTER_PASSWORD);
            direct.select(2);
            assertThat(direct.get("k")).as("written to the URL's database").isEqualTo("v");
        }
    }

    @Test
    void acceptsTheMasterNameAsAQueryParameterAndSeveralSentinels() {
        // The second sentinel does not exist: one reachable sentinel is enough.
        String url = "redis-sentinel://:" + MASTER_PASSWORD + "@127.0.0.1:" + sentinelPort + ",127.0.0.1:"
                + freePort() + "?sentinelMasterId=mymaster";
        try (Transport transport = open(url)) {
            transport.set("q", "v", null);

            assertThat(transport.get("q")).contains("v");
        }
    }

    @Test
    void blockingReadsUseTheMasterToo() throws Exception {
        ExecutorService threads = Executors.newVirtualThreadPerTaskExecutor();
        try (Transport transport = open("redis-sentinel://:" + MASTER_PASSWORD + "@127.0.0.1:" + sentinelPort
                + "#mymaster")) {
            transport.delete(List.of("s"));
            transport.createGroup(List.of("s"), "g", "$");
            Future<Map<String, List<StreamEntry>>> read = threads.submit(() ->
                    transport.readGroup("g", "c", Map.of("s", ">"), 10, Duration.ofSeconds(30)));
            await().atMost(PATIENCE).until(() -> String.valueOf(master.call("INFO", "clients"))
                    .matches("(?s).*blocked_clients:[1-9].*"));

            String id = transport.append(new Append("s", null, Map.of("v", "x".getBytes(UTF_8)), 0));

            assertThat(read.get(PATIENCE.toMillis(), TimeUnit.MILLISECONDS).get("s"))
                    .extracting(StreamEntry::id).containsExactly(id);
        } finally {
            threads.shutdownNow();
        }
    }

    @Test
    void unknownMasterNameFails() {
        assertThatThrownBy(() -> open("redis-sentinel://127.0.0.1:" + sentinelPort + "#nosuchmaster").close())
                .isInstanceOf(TransportException.class)
                .hasMessageContaining("nosuchmaster");
    }

    @Test
    void wrongMasterPasswordFailsWithoutShowingIt() {
        String url = "redis-sentinel://:wr0ng-pa55@127.0.0.1:" + sentinelPort + "#mymaster";

        assertThatThrownBy(() -> open(url).close())
                .isInstanceOf(TransportException.class)
                .satisfies(failure -> {
                    StringWriter trace = new StringWriter();
                    failure.printStackTrace(new PrintWriter(trace));
                    assertThat(trace.toString()).doesNotContain("wr0ng-pa55").contains("WRONGPASS");
                });
    }

    private static Transport open(String url) {
        return new JedisTransportProvider().open(ConnectionUrl.parse(url));
    }

    private static Path redisServer() {
        List<String> dirs = new ArrayList<>(List.of(String.valueOf(System.getenv("PATH")).split(File.pathSeparator)));
        dirs.addAll(List.of("/usr/bin", "/usr/local/bin"));
        return dirs.stream()
                .filter(dir -> !dir.isBlank())
                .map(dir -> Path.of(dir, "redis-server"))
                .filter(Files::isExecutable)
                .findFirst()
                .orElseThrow(() -> new IllegalStateException(
                        "the Sentinel tests need redis-server: apt-get install -y redis-server"));
    }

    private static int freePort() {
        try (ServerSocket socket = new ServerSocket(0)) {
            return socket.getLocalPort();
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    private static void deleteRecursively(Path dir) throws IOException {
        if (dir == null || !Files.exists(dir)) {
            return;
        }
        try (Stream<Path> paths = Files.walk(dir)) {
            for (Path path : paths.sorted(Comparator.reverseOrder()).toList()) {
                Files.deleteIfExists(path);
            }
        }
    }
}
