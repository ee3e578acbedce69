// SPDX-License-Identifier: Apache-2.0

package io.runnel.testkit;

import com.github.dockerjava.api.DockerClient;
import com.github.dockerjava.api.model.ExposedPort;
import com.github.dockerjava.api.model.PortBinding;
import com.github.dockerjava.api.model.Ports;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import org.testcontainers.DockerClientFactory;
import org.testcontainers.containers.GenericContainer;
import org.testcontainers.containers.wait.strategy.Wait;
import org.testcontainers.utility.DockerImageName;

/**
 * A {@code redis:7} container, the last resort when no {@code redis-server} binary is
 * installed. The host port is fixed when the container is created so that a restart keeps
 * it, as {@link RedisServer#restart()} promises.
 */
final class RedisContainer implements RedisBackend {
    private static final int REDIS_PORT = 6379;
    private static final Duration START_TIMEOUT = Duration.ofSeconds(60);
    private static final Duration ADMIN_TIMEOUT = Duration.ofSeconds(2);

    private final GenericContainer<?> container;
    private final int port;
    private final String password;

    private RedisContainer(GenericContainer<?> container, int port, String password) {
        this.container = container;
        this.port = port;
        this.password = password;
    }

    /** Whether a Docker engine answers; false rather than an exception when Testcontainers cannot tell. */
    static boolean dockerAvailable() {
        try {
            return DockerClientFactory.instance().isDockerAvailable();
        } catch (RuntimeException | LinkageError e) {
            return false;
        }
    }

    static RedisContainer launch(List<String> extraArgs) {
        int port = FreePort.find();
        List<String> command = new ArrayList<>(List.of(
                "redis-server", "--save", "", "--appendonly", "no", "--protected-mode", "no"));
        command.addAll(extraArgs);
        GenericContainer<?> container = new GenericContainer<>(DockerImageName.parse("redis:7"))
                .withExposedPorts(REDIS_PORT)
                .withCommand(command.toArray(String[]::new))
                .withCreateContainerCmdModifier(cmd -> cmd.getHostConfig().withPortBindings(new PortBinding(
                        Ports.Binding.bindIpAndPort("127.0.0.1", port), ExposedPort.tcp(REDIS_PORT))))
                .waitingFor(Wait.forLogMessage(".*Ready to accept connections.*\\n", 1)
                        .withStartupTimeout(START_TIMEOUT));
        container.start();
        return new RedisContainer(container, port, ServerArgs.requirePass(extraArgs));
    }

    @Override
    public String url() {
        return "redis://127.0.0.1:" + port;
    }

    @Override
    public int port() {
        return port;
    }

    @Override
    public Resp.Endpoint adminEndpoint() {
        return Resp.Endpoint.plain("127.0.0.1", port).withPassword(null, password);
    }

    @Override
    public void stop() {
        // Stop, not remove: the container keeps its file system (AOF) and port binding.
        docker().stopContainerCmd(container.getContainerId()).exec();
    }

    @Override
    public void startAgain() {
        docker().startContainerCmd(container.getContainerId()).exec();
        long deadline = System.nanoTime() + START_TIMEOUT.toNanos();
        while (!Resp.answers(adminEndpoint(), ADMIN_TIMEOUT)) {
            if (System.nanoTime() > deadline) {
                throw new IllegalStateException("the Redis container did not answer PING on port " + port
                        + " after a restart within " + START_TIMEOUT.toSeconds() + " s");
            }
            try {
                Thread.sleep(50);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                throw new IllegalStateException("interrupted while restarting the Redis container", e);
            }
        }
    }

    @Override
    public void close() {
        container.stop();
    }

    private static DockerClient docker() {
        return DockerClientFactory.instance().client();
    }
}
