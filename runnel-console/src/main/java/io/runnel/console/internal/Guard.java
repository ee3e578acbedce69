// SPDX-License-Identifier: Apache-2.0

package io.runnel.console.internal;

import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.security.SecureRandom;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.Base64;
import java.util.Iterator;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.ConcurrentHashMap;

/**
 * Who may act: the console is read-only unless started with actions, and an action needs a
 * session signed in with the token, and the session's CSRF value in its form, from a page of
 * the console itself (the Origin, when the browser sends one, names the console's own host).
 *
 * <p>Thread-safe: requests come on many threads.
 */
final class Guard {
    static final String COOKIE = "runnel_console";
    /** How long a session lasts after it signed in. */
    static final Duration SESSION = Duration.ofHours(8);
    /** The most sessions kept; the oldest goes first. */
    private static final int MAX_SESSIONS = 64;

    private final boolean actions;
    private final byte[] token;
    private final String cookiePath;
    private final Clock clock;
    private final SecureRandom random = new SecureRandom();
    private final Map<String, Session> sessions = new ConcurrentHashMap<>();

    /** A signed-in browser: the value its forms carry, and when it stops. */
    private record Session(String csrf, Instant until) {
    }

    /** Why an action was refused: the HTTP status and what the page says. */
    record Refusal(int status, String why) {
    }

    Guard(boolean actions, String token, String cookiePath, Clock clock) {
        this.actions = actions;
        this.token = token.getBytes(StandardCharsets.UTF_8);
        this.cookiePath = cookiePath;
        this.clock = clock;
    }

    boolean actionsEnabled() {
        return actions;
    }

    /** The CSRF value of the request's session, when it is signed in. */
    Optional<String> csrfOf(Request request) {
        String id = request.cookies().get(COOKIE);
        if (id == null) {
            return Optional.empty();
        }
        Session session = sessions.get(id);
        if (session == null || session.until().isBefore(clock.instant())) {
            sessions.remove(id);
            return Optional.empty();
        }
        return Optional.of(session.csrf());
    }

    /**
     * Signs a browser in when {@code offered} is the token.
     *
     * @return the Set-Cookie value of its new session; empty when the token is wrong
     */
    Optional<String> signIn(String offered) {
        if (!actions || offered == null
                || !MessageDigest.isEqual(token, offered.getBytes(StandardCharsets.UTF_8))) {
            return Optional.empty();
        }
        Instant now = clock.instant();
        sessions.values().removeIf(s -> s.until().isBefore(now));
        while (sessions.size() >= MAX_SESSIONS) {
            Iterator<Map.Entry<String, Session>> oldest = sessions.entrySet().stream()
                    .sorted(Map.Entry.comparingByValue(java.util.Comparator.comparing(Session::until))).iterator();
            sessions.remove(oldest.next().getKey());
        }
        String id = randomText();
        sessions.put(id, new Session(randomText(), now.plus(SESSION)));
        return Optional.of(COOKIE + "=" + id + "; Path=" + cookiePath + "; HttpOnly; SameSite=Strict; Max-Age="
                + SESSION.toSeconds());
    }

    /** Ends the request's session; the Set-Cookie value that clears it. */
    String signOut(Request request) {
        String id = request.cookies().get(COOKIE);
        if (id != null) {
            sessions.remove(id);
        }
        return COOKIE + "=; Path=" + cookiePath + "; HttpOnly; SameSite=Strict; Max-Age=0";
    }

    /** Why the action {@code request} asks for may not happen; empty when it may. */
    Optional<Refusal> refuse(Request request) {
        if (!actions) {
            return Optional.of(new Refusal(403, "the console is read-only: start it with console_actions=on "
                    + "(runnel console --actions) to replay, purge or drop"));
        }
        if (!request.isPost()) {
            return Optional.of(new Refusal(405, "an action is a POST from the console's own form"));
        }
        Optional<String> csrf = csrfOf(request);
        if (csrf.isEmpty()) {
            return Optional.of(new Refusal(401, "sign in with the console's token first"));
        }
        String origin = request.headers().get("origin");
        String host = request.headers().get("host");
        if (origin != null && (host == null || !origin.replaceFirst("^https?://", "").equals(host))) {
            return Optional.of(new Refusal(403, "the request came from another site (Origin " + origin + ")"));
        }
        if ("cross-site".equals(request.headers().get("sec-fetch-site"))) {
            return Optional.of(new Refusal(403, "the request came from another site"));
        }
        String offered = request.param("csrf");
        if (offered == null || !MessageDigest.isEqual(csrf.get().getBytes(StandardCharsets.UTF_8),
                offered.getBytes(StandardCharsets.UTF_8))) {
            return Optional.of(new Refusal(403, "the form's CSRF value does not match this session: reload the page"));
        }
        return Optional.empty();
    }

    /** A proof, tied to the session, that {@code subject} was shown to it (a dry run's list). */
    String proof(String csrf, String subject) {
        try {
            MessageDigest sha = MessageDigest.getInstance("SHA-256");
            sha.update(csrf.getBytes(StandardCharsets.UTF_8));
            sha.update((byte) 0);
            sha.update(subject.getBytes(StandardCharsets.UTF_8));
            return Base64.getUrlEncoder().withoutPadding().encodeToString(sha.digest());
        } catch (java.security.NoSuchAlgorithmException e) {
            throw new IllegalStateException("every JDK has SHA-256", e);
        }
    }

    private String randomText() {
        byte[] bytes = new byte[24];
        random.nextBytes(bytes);
        return Base64.getUrlEncoder().withoutPadding().encodeToString(bytes);
    }

}
