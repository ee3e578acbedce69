// SPDX-License-Identifier: Apache-2.0

package io.runnel.redis.lettuce;

import io.lettuce.core.RedisURI;
import io.runnel.api.transport.ConnectionUrl;
import io.runnel.api.transport.TransportException;
import io.runnel.redis.common.CommandTimeout;
import io.runnel.redis.common.RedisFailures;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;

/**
 * Reads a URL as Lettuce understands it, refusing what Lettuce would accept only to fail
 * every command later: Lettuce reads {@code timeout=0} and negative timeouts as zero, and a
 * zero timeout leaves no time for any reply.
 */
final class LettuceUrl {

    private LettuceUrl() {
    }

    /** @throws TransportException if the URL is invalid; the message shows it redacted */
    static RedisURI parse(ConnectionUrl url, RedisFailures failures) {
        RedisURI uri;
        try {
            uri = RedisURI.create(url.secretValue());
        } catch (RuntimeException e) {
            // Only the class: the parser's message may quote the URL with its credentials.
            throw failures.invalidUrl(e.getClass().getSimpleName());
        }
        try {
            CommandTimeout.requirePositive(uri.getTimeout(), timeoutAsWritten(url));
        } catch (IllegalArgumentException e) {
            throw failures.invalidUrl(e.getMessage());
        }
        return uri;
    }

    /**
     * The seed nodes of a {@code redis-cluster://[user:password@]host:port[,host:port…][?…]}
     * URL ({@code rediss-cluster://} for TLS), each as a single-server URI with the same
     * credentials and parameters. A cluster has one database, 0.
     *
     * @throws TransportException if the URL is invalid; the message shows it redacted
     */
    static List<RedisURI> parseCluster(ConnectionUrl url, RedisFailures failures) {
        String text = url.secretValue();
        int start = text.indexOf("://") + 3;
        int end = start;
        while (end < text.length() && text.charAt(end) != '/' && text.charAt(end) != '?') {
            end++;
        }
        String authority = text.substring(start, end);
        String rest = text.substring(end);
        int at = authority.lastIndexOf('@');
        String userInfo = at < 0 ? "" : authority.substring(0, at + 1);
        String hosts = authority.substring(at + 1);
        String path = rest.indexOf('?') < 0 ? rest : rest.substring(0, rest.indexOf('?'));
        if (!path.isEmpty() && !path.equals("/") && !path.equals("/0")) {
            throw failures.invalidUrl("a Redis Cluster has only database 0");
        }
        String query = rest.indexOf('?') < 0 ? "" : rest.substring(rest.indexOf('?'));
        String scheme = url.scheme().equals("rediss-cluster") ? "rediss" : "redis";
        List<RedisURI> seeds = new ArrayList<>();
        for (String host : hosts.split(",")) {
            if (host.isBlank()) {
                throw failures.invalidUrl("empty host in the list of cluster nodes");
            }
            seeds.add(parse(ConnectionUrl.parse(scheme + "://" + userInfo + host.trim() + query), failures));
        }
        return seeds;
    }

    /** The {@code timeout} query parameter as the URL spells it (the last, if repeated). */
    private static String timeoutAsWritten(ConnectionUrl url) {
        String query = url.uri().getRawQuery();
        String value = "";
        for (String parameter : query == null ? new String[0] : query.split("[&;]")) {
            int equals = parameter.indexOf('=');
            String name = equals < 0 ? parameter : parameter.substring(0, equals);
            if (name.toLowerCase(Locale.ROOT).equals("timeout")) {
                value = equals < 0 ? "" : parameter.substring(equals + 1);
            }
        }
        return value;
    }
}
