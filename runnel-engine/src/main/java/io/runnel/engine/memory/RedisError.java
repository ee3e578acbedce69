// SPDX-License-Identifier: Apache-2.0

package io.runnel.engine.memory;

/**
 * A command refused the way Redis would refuse it, with Redis's error text (prefix included),
 * so a test sees the same reason it would get from a server. {@link MemoryTransport} turns it
 * into a {@link io.runnel.api.transport.TransportException}.
 */
final class RedisError extends RuntimeException {

    RedisError(String message) {
        // An error reply, not a bug: a stack trace would only cost time on hot paths.
        super(message, null, false, false);
    }

    static RedisError wrongType() {
        return new RedisError("WRONGTYPE Operation against a key holding the wrong kind of value");
    }

    static RedisError invalidStreamId() {
        return new RedisError("ERR Invalid stream ID specified as stream command argument");
    }

    static RedisError idNotGreater() {
        return new RedisError("ERR The ID specified in XADD is equal or smaller than the target stream top item");
    }

    static RedisError noGroup(String key, String group, String suffix) {
        return new RedisError("NOGROUP No such key '" + key + "' or consumer group '" + group + "'" + suffix);
    }

    static RedisError busyGroup() {
        return new RedisError("BUSYGROUP Consumer Group name already exists");
    }

    boolean hasCode(String code) {
        return getMessage().startsWith(code + " ");
    }
}
