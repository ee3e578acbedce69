// SPDX-License-Identifier: Apache-2.0

package io.runnel.testkit;

/**
 * One way of providing a Redis server to the tests: a local process, an external server
 * named by {@code REDIS_URL}, or a container. {@link RedisServer} hides which one it is.
 */
interface RedisBackend {

    /** The URL clients connect to, credentials included if the server needs them. */
    String url();

    /** The TCP port the server listens on. */
    int port();

    /** Where administrative commands go, with the credentials they need. */
    Resp.Endpoint adminEndpoint();

    /** Stops the server and waits until it is gone; its data directory is kept. */
    void stop();

    /** Starts a stopped server again with the same port, arguments and data directory. */
    void startAgain();

    /** Stops the server for good and removes what it left behind. */
    void close();
}
