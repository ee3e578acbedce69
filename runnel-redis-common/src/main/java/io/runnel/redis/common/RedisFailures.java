// SPDX-License-Identifier: Apache-2.0

package io.runnel.redis.common;

import io.runnel.api.transport.CommandRejected;
import io.runnel.api.transport.ConnectionUrl;
import io.runnel.api.transport.ServerOutOfMemory;
import io.runnel.api.transport.TransportException;
import java.util.function.Function;

/**
 * Builds the {@link TransportException}s of a Redis transport, so both clients word their
 * failures alike: each names the command and the server by its redacted URL, and neither
 * its message nor its causes carry the URL's {@link Secrets}. The one client-specific part
 * is telling what kind of failure a client exception is (a {@link Kind}).
 */
public final class RedisFailures {

    /** What went wrong, as far as the wording of a failure goes. */
    public enum Kind {
        /** No connection could be made. */
        CONNECTION,
        /** No reply came in time. */
        TIMEOUT,
        /** The server answered with an error reply. */
        ERROR_REPLY,
        /** Anything else, e.g. a connection that broke during the command. */
        OTHER
    }

    private final ConnectionUrl url;
    private final Secrets secrets;
    private final Function<Throwable, Kind> kinds;

    /**
     * The failures of one transport.
     *
     * @param url   the transport's URL: its redacted form names the server, its secrets are
     *              scrubbed from every message
     * @param kinds tells the kind of the client's exceptions
     */
    public RedisFailures(ConnectionUrl url, Function<Throwable, Kind> kinds) {
        this.url = url;
        this.secrets = Secrets.of(url);
        this.kinds = kinds;
    }

    /**
     * The URL fit for messages.
     *
     * @return the URL without its credentials
     */
    public String where() {
        return url.redacted();
    }

    /**
     * The text with the URL's secrets replaced by {@code ***}.
     *
     * @param text any text, e.g. a client's error message
     * @return the text, scrubbed
     */
    public String scrub(String text) {
        return secrets.scrub(text);
    }

    /**
     * A client exception as a {@link TransportException}, worded by its {@link Kind}.
     *
     * @param operation the command or step that failed, e.g. {@code XADD}; empty for
     *                  opening a connection
     * @param error     the client's exception
     * @return a {@link CommandRejected} (a {@link ServerOutOfMemory} at maxmemory) for an
     *         error reply about the command, else a plain {@link TransportException}: an
     *         outage the caller may retry
     */
    public TransportException translate(String operation, Throwable error) {
        return switch (kinds.apply(error)) {
            case CONNECTION -> because(cannotConnect(operation), error);
            case TIMEOUT -> because(operation + " timed out on " + where(), error);
            case ERROR_REPLY -> transientState(error)
                    ? because(operation + " could not be served by " + where() + " for now", error)
                    : rejected(operation, error);
            case OTHER -> because(operation + " failed on " + where(), error);
        };
    }

    /**
     * Error replies about the server's state rather than the command's data: a cluster with a
     * slot no master serves ({@code CLUSTERDOWN}, between a master's failure and its replica's
     * promotion with {@code cluster-require-full-coverage yes}), a slot in migration
     * ({@code TRYAGAIN}), a server loading its data set ({@code LOADING}), a replica cut off
     * from its master ({@code MASTERDOWN}). The same command succeeds once that passes, so
     * they are outages, retried with backoff, not refusals.
     */
    private static final java.util.Set<String> TRANSIENT_CODES = java.util.Set.of("CLUSTERDOWN", "TRYAGAIN", "LOADING",
            "MASTERDOWN");

    private static boolean transientState(Throwable error) {
        return TRANSIENT_CODES.contains(CommandRejected.codeOf(error.getMessage()));
    }

    /**
     * An error reply as {@link CommandRejected}, or as {@link ServerOutOfMemory} when the server
     * refused the command at maxmemory: then the message says so and what to do about it.
     */
    private CommandRejected rejected(String operation, Throwable error) {
        String code = scrub(CommandRejected.codeOf(error.getMessage()));
        String reply = scrub(describe(error));
        if (ServerOutOfMemory.isCode(code)) {
            return new ServerOutOfMemory(operation + " was refused by " + where() + " because its memory is full "
                    + "(used memory above maxmemory, and its policy evicts nothing): " + reply
                    + (reply.endsWith(".") ? " " : ". ") + ServerOutOfMemory.REMEDY + ".", secrets.sanitize(error));
        }
        return new CommandRejected(operation + " was rejected by " + where() + ": " + reply, code,
                secrets.sanitize(error));
    }

    /**
     * The message of a failure to connect.
     *
     * @param operation the command needing the connection; empty when opening the transport
     * @return {@code "cannot connect to <where>"}, then {@code " for <operation>"} when there
     *         is one
     */
    public String cannotConnect(String operation) {
        return "cannot connect to " + where() + (operation.isEmpty() ? "" : " for " + operation);
    }

    /**
     * A failure worded {@code what}, explained by a client exception: the message ends
     * with the client's own explanation (see {@link #describe(Throwable)}), scrubbed.
     *
     * @param what  what failed, e.g. {@code "XADD timed out on <where>"}
     * @param error the client's exception, kept as the cause (scrubbed if it names a secret)
     * @return the failure
     */
    public TransportException because(String what, Throwable error) {
        return new TransportException(what + ": " + scrub(describe(error)), secrets.sanitize(error));
    }

    /**
     * A failure with no client exception behind it: {@code "<message> (<where>)"}.
     *
     * @param message what failed
     * @return the failure
     */
    public TransportException failure(String message) {
        return new TransportException(scrub(message) + " (" + where() + ")");
    }

    /**
     * A failure of ours that a client exception caused, e.g. the transport closing under a
     * read; {@code cause} may be null.
     *
     * @param message what failed
     * @param cause   the client's exception, or null
     * @return the failure, {@code "<message> (<where>)"}
     */
    public TransportException failure(String message, Throwable cause) {
        return new TransportException(scrub(message) + " (" + where() + ")", secrets.sanitize(cause));
    }

    /**
     * A call on a closed transport.
     *
     * @return the failure
     */
    public TransportException closed() {
        return failure("the transport is closed");
    }

    /**
     * A call that the transport closing broke off; {@code cause} may be null.
     *
     * @param operation the command broken off
     * @param cause     the client's exception, or null
     * @return the failure
     */
    public TransportException closing(String operation, Throwable cause) {
        return failure(operation + " was cancelled, the transport is closing", cause);
    }

    /**
     * A call whose thread was interrupted; {@code cause} may be null. The caller keeps the interrupt set.
     *
     * @param operation the command interrupted
     * @param cause     the client's exception, or null
     * @return the failure
     */
    public TransportException interrupted(String operation, Throwable cause) {
        return failure(operation + " was interrupted", cause);
    }

    /**
     * A URL the transport cannot use. There is no cause: a parser's message may quote the
     * URL with its credentials, so only {@code reason}, scrubbed, is kept.
     *
     * @param reason what is wrong with the URL
     * @return the failure, naming the redacted URL
     */
    public TransportException invalidUrl(String reason) {
        return new TransportException("invalid Redis URL " + where() + " (" + scrub(reason) + ")");
    }

    /**
     * A client exception's message, with the telling reason added when the client wrapped
     * it in a generic message: the root cause's message (or its class), found through the
     * causes or, for an exception without one, its first suppressed exception.
     */
    static String describe(Throwable error) {
        String message = String.valueOf(error.getMessage());
        Throwable root = rootCause(error);
        if (root == error && root.getSuppressed().length > 0) {
            root = rootCause(root.getSuppressed()[0]);
        }
        String reason = root.getMessage() == null ? root.getClass().getSimpleName() : root.getMessage();
        if (root == error || message.contains(reason)) {
            return message;
        }
        return message + " (" + reason + ")";
    }

    /**
     * The last exception of a cause chain.
     *
     * @param error any exception
     * @return the deepest cause, or {@code error} itself when it has none
     */
    public static Throwable rootCause(Throwable error) {
        Throwable root = error;
        while (root.getCause() != null && root.getCause() != root) {
            root = root.getCause();
        }
        return root;
    }
}
