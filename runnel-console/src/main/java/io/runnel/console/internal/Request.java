// SPDX-License-Identifier: Apache-2.0

package io.runnel.console.internal;

import java.net.URLDecoder;
import java.nio.charset.StandardCharsets;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * One HTTP request to the console, as any server hands it over.
 *
 * @param method  GET or POST
 * @param path    the path below the console's base, starting with {@code /}
 * @param query   the query's parameters
 * @param form    a POST's form fields (URL-encoded body); empty otherwise
 * @param headers the headers, names lower-cased
 * @param cookies the cookies by name
 * @param remote  who asked: the peer's address
 */
record Request(String method, String path, Map<String, List<String>> query, Map<String, List<String>> form,
               Map<String, String> headers, Map<String, String> cookies, String remote) {

    /** The first value of a query parameter or form field, or null. */
    String param(String name) {
        List<String> values = params(name);
        return values.isEmpty() ? null : values.get(0);
    }

    /** Every value of a query parameter and form field, query first. */
    List<String> params(String name) {
        List<String> fromQuery = query.getOrDefault(name, List.of());
        List<String> fromForm = form.getOrDefault(name, List.of());
        if (fromForm.isEmpty()) {
            return fromQuery;
        }
        if (fromQuery.isEmpty()) {
            return fromForm;
        }
        return java.util.stream.Stream.concat(fromQuery.stream(), fromForm.stream()).toList();
    }

    boolean isPost() {
        return "POST".equals(method);
    }

    /** Parses {@code a=1&b=2&a=3} (a query string or a URL-encoded form). */
    static Map<String, List<String>> parseUrlEncoded(String text) {
        Map<String, List<String>> out = new LinkedHashMap<>();
        if (text == null || text.isEmpty()) {
            return out;
        }
        for (String pair : text.split("&")) {
            if (pair.isEmpty()) {
                continue;
            }
            int eq = pair.indexOf('=');
            String name = decode(eq < 0 ? pair : pair.substring(0, eq));
            String value = eq < 0 ? "" : decode(pair.substring(eq + 1));
            out.computeIfAbsent(name, n -> new java.util.ArrayList<>()).add(value);
        }
        out.replaceAll((name, values) -> List.copyOf(values));
        return out;
    }

    /** Parses a Cookie header. */
    static Map<String, String> parseCookies(String header) {
        Map<String, String> out = new LinkedHashMap<>();
        if (header == null) {
            return out;
        }
        // Browsers send "a=1; b=2"; some clients send RFC 2965 cookies ($Version="1", a="1";$Path="/").
        for (String part : header.split("[;,]")) {
            int eq = part.indexOf('=');
            String name = eq > 0 ? part.substring(0, eq).trim() : "";
            if (!name.isEmpty() && !name.startsWith("$")) {
                String value = part.substring(eq + 1).trim();
                if (value.length() >= 2 && value.startsWith("\"") && value.endsWith("\"")) {
                    value = value.substring(1, value.length() - 1);
                }
                out.putIfAbsent(name, value);
            }
        }
        return out;
    }

    private static String decode(String text) {
        try {
            return URLDecoder.decode(text, StandardCharsets.UTF_8);
        } catch (IllegalArgumentException malformed) {
            return text;
        }
    }
}
