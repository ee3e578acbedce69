// SPDX-License-Identifier: Apache-2.0

/**
 * What the Redis transports share whatever client library they use: the Lua scripts behind
 * the lock operations, the rules for the URL's command timeout, the meaning of some Redis
 * replies, and failure messages that name the server without ever showing the URL's
 * secrets. Nothing here talks to a server; the transports hand it their client's results.
 * {@link io.runnel.redis.common.ScriptedTransport} is the half of a transport that is those
 * scripts, which each client's transport extends with its own connection and commands.
 */
package io.runnel.redis.common;
