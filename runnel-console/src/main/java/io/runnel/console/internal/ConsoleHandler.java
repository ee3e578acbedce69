// SPDX-License-Identifier: Apache-2.0

package io.runnel.console.internal;

import gg.jte.ContentType;
import gg.jte.TemplateEngine;
import gg.jte.output.StringOutput;
import io.runnel.api.Misconfigured;
import io.runnel.api.transport.ConnectionUrl;
import io.runnel.engine.App;
import io.runnel.engine.DeadLetters;
import io.runnel.engine.MemberStatus;
import io.runnel.engine.ParkedKeys;
import io.runnel.engine.PartitionStatus;
import io.runnel.engine.ProcessorStatus;
import io.runnel.engine.Status;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.time.Clock;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Comparator;
import java.util.LinkedHashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.TreeSet;

/**
 * The console's pages and actions, whatever server carries them: {@link #handle} turns a
 * {@link Request} into a {@link Response}. Pages read Redis at each request (the app's
 * status, dead letters, parked keys); actions go through the engine's own idempotent,
 * fenced operations ({@link DeadLetters#replay}, {@link DeadLetters#purge},
 * {@link ParkedKeys#replay}, {@link ParkedKeys#drop}) and are each logged.
 *
 * <p>Thread-safe: requests come on many threads; it keeps no state of its own besides the
 * {@link Guard}'s sessions and the {@link History}.
 */
public final class ConsoleHandler implements AutoCloseable {
    private static final Logger log = LoggerFactory.getLogger(ConsoleHandler.class);
    /** Where every action is logged, with what it did. */
    private static final Logger actions = LoggerFactory.getLogger("io.runnel.console.actions");
    /** The most dead letters a page lists. */
    static final int DEAD_LETTERS_SHOWN = 500;

    private final App app;
    private final String base;
    private final Guard guard;
    private final History history;
    private final TemplateEngine templates = TemplateEngine.createPrecompiled(null, ContentType.Html, null,
            "io.runnel.console.internal");

    /**
     * A console over {@code app}.
     *
     * @param app             the app: its definition, and the Redis it reads
     * @param base            the path the console is served under, ending with {@code /}
     * @param actions         whether signed-in sessions may act
     * @param token           the token that signs in
     * @param historyInterval how often the history samples the app
     */
    public ConsoleHandler(App app, String base, boolean actions, String token, Duration historyInterval) {
        this.app = app;
        this.base = base.endsWith("/") ? base : base + "/";
        this.guard = new Guard(actions, token, this.base, Clock.systemUTC());
        this.history = History.of(app, historyInterval);
    }

    /**
     * Answers one request.
     *
     * @param method  GET or POST
     * @param path    the path below the base, starting with {@code /}
     * @param query   the raw query string, or null
     * @param body    a POST's URL-encoded body, or null
     * @param headers the request's headers, names in any case
     * @param remote  the peer's address
     * @return the status, the content type, the body and the extra headers
     */
    public Answer handle(String method, String path, String query, String body, Map<String, String> headers,
                         String remote) {
        Map<String, String> lower = new LinkedHashMap<>();
        headers.forEach((k, v) -> lower.put(k.toLowerCase(java.util.Locale.ROOT), v));
        Request request = new Request(method, path, Request.parseUrlEncoded(query),
                "POST".equals(method) ? Request.parseUrlEncoded(body) : Map.of(), lower,
                Request.parseCookies(lower.get("cookie")), remote);
        Response response;
        try {
            response = route(request);
        } catch (Misconfigured | IllegalArgumentException e) {
            response = error(request, 400, e.getMessage());
        } catch (RuntimeException e) {
            log.warn("the console could not answer {} {}: {}", method, path, e.toString());
            response = error(request, 503, "Redis could not be read: " + e.getMessage());
        }
        return new Answer(response.status(), response.contentType(), response.body(),
                withSecurityHeaders(response.headers()));
    }

    /**
     * An answer to a request.
     *
     * @param status      the HTTP status
     * @param contentType the body's type
     * @param body        the body
     * @param headers     the headers to set
     */
    public record Answer(int status, String contentType, byte[] body, Map<String, String> headers) {
    }

    private static Map<String, String> withSecurityHeaders(Map<String, String> headers) {
        Map<String, String> all = new LinkedHashMap<>(headers);
        // Nothing from elsewhere: no CDN, no inline script, no framing by another site.
        all.put("Content-Security-Policy", "default-src 'self'; img-src 'self' data:; style-src 'self'; "
                + "script-src 'self'; frame-ancestors 'none'; form-action 'self'");
        all.put("X-Content-Type-Options", "nosniff");
        all.put("Referrer-Policy", "same-origin");
        all.put("Cache-Control", "no-store");
        return all;
    }

    private Response route(Request r) {
        String[] parts = Arrays.stream(r.path().split("/")).filter(s -> !s.isEmpty()).toArray(String[]::new);
        if (parts.length == 0) {
            return overview(r);
        }
        return switch (parts[0]) {
            case "static" -> parts.length == 2 ? asset(parts[1]) : notFound(r);
            case "processors" -> parts.length == 2 ? processor(r, parts[1]) : notFound(r);
            case "members" -> members(r);
            case "history" -> historyPage(r);
            case "dead" -> parts.length == 2 ? dead(r, parts[1], null, 200, null, null)
                    : parts.length == 3 && r.isPost() ? deadAction(r, parts[1], parts[2]) : notFound(r);
            case "parked" -> parts.length == 2 ? parked(r, parts[1], 200, null, null)
                    : parts.length == 3 && r.isPost() ? parkedAction(r, parts[1], parts[2]) : notFound(r);
            case "sign-in" -> signIn(r);
            case "sign-out" -> signOut(r);
            default -> notFound(r);
        };
    }

    // ------------------------------------------------------------------ pages

    private Pages.Shell shell(Request r, Status status, String title, String nav) {
        List<Pages.Link> processors = status.processors().stream()
                .map(p -> new Pages.Link(p.name(), base + "processors/" + p.name())).toList();
        List<Pages.Link> streams = streamsOf(status).stream()
                .map(s -> new Pages.Link(s, base + "dead/" + s)).toList();
        return new Pages.Shell(app.name(), ConnectionUrl.redact(app.settings().redisUrl()), base, title, nav,
                guard.actionsEnabled(), guard.csrfOf(r).orElse(null), processors, streams, null, null);
    }

    private static List<String> streamsOf(Status status) {
        Set<String> streams = new LinkedHashSet<>();
        status.processors().forEach(p -> streams.add(p.stream()));
        return List.copyOf(streams);
    }

    private Response overview(Request r) {
        Status status = app.status();
        List<Pages.StreamRow> streams = new ArrayList<>();
        long deadTotal = 0;
        for (String name : streamsOf(status)) {
            ProcessorStatus any = status.processors().stream().filter(p -> p.stream().equals(name)).findFirst()
                    .orElseThrow();
            long length = any.partitions().stream().mapToLong(PartitionStatus::length).sum();
            long dead = app.deadLetters(name).count();
            deadTotal += dead;
            streams.add(new Pages.StreamRow(name, any.partitions().size(), any.retention(), length, dead,
                    base + "dead/" + name));
        }
        int stuck = 0;
        int poisoned = 0;
        int halted = 0;
        int parked = 0;
        int gone = 0;
        List<Pages.ProcessorRow> processors = new ArrayList<>();
        for (ProcessorStatus p : status.processors()) {
            int pStuck = (int) p.partitions().stream().filter(s -> s.stuckSince().isPresent()).count();
            int pPoisoned = (int) p.partitions().stream().filter(PartitionStatus::poisoned).count();
            int pHalted = (int) p.partitions().stream().filter(s -> s.halted().isPresent()).count();
            int pParked = p.parkedKeys().size();
            stuck += pStuck;
            poisoned += pPoisoned;
            halted += pHalted;
            parked += pParked;
            gone += (int) p.members().stream().filter(this::gone).count();
            Optional<Duration> oldest = p.partitions().stream().map(PartitionStatus::oldestPendingAge)
                    .flatMap(Optional::stream).max(Comparator.naturalOrder());
            processors.add(new Pages.ProcessorRow(p.name(), base + "processors/" + p.name(), p.stream(),
                    p.members().size(), p.assignmentGeneration(), lagOf(p), pendingOf(p), Format.duration(oldest),
                    pStuck, pPoisoned, pHalted, pParked));
        }
        Pages.Health health = new Pages.Health(stuck, poisoned, halted, parked, deadTotal, gone);
        return render("overview.jte", new Pages.OverviewPage(shell(r, status, "Overview", "overview"),
                Format.time(status.at()), status.leader().orElse("none"), health, streams, processors));
    }

    private static String lagOf(ProcessorStatus p) {
        boolean unknown = p.partitions().stream().anyMatch(s -> s.lag().isEmpty());
        long lag = p.partitions().stream().mapToLong(s -> s.lag().orElse(0)).sum();
        return unknown ? lag + "+" : Long.toString(lag);
    }

    private static long pendingOf(ProcessorStatus p) {
        return p.partitions().stream().mapToLong(PartitionStatus::pending).sum();
    }

    /** A member whose heartbeat key has expired: its process stopped beating; its locks go next. */
    private boolean gone(MemberStatus m) {
        return m.heartbeatAge().isEmpty();
    }

    private Response processor(Request r, String name) {
        Status status = app.status();
        ProcessorStatus p = status.processors().stream().filter(x -> x.name().equals(name)).findFirst()
                .orElse(null);
        if (p == null) {
            return error(r, 404, "no processor " + name + " in app " + app.name());
        }
        String sort = Optional.ofNullable(r.param("sort")).orElse("worst");
        List<PartitionStatus> partitions = new ArrayList<>(p.partitions());
        partitions.sort(switch (sort) {
            case "partition" -> Comparator.comparingInt(PartitionStatus::partition);
            case "lag" -> Comparator.comparingLong((PartitionStatus s) -> s.lag().orElse(Long.MAX_VALUE)).reversed();
            case "pending" -> Comparator.comparingLong(PartitionStatus::pending).reversed();
            case "age" -> Comparator.comparing((PartitionStatus s) -> s.oldestPendingAge().orElse(Duration.ZERO))
                    .reversed();
            default -> worstFirst();
        });
        Map<Integer, String> heartbeatOf = new LinkedHashMap<>();
        for (MemberStatus m : p.members()) {
            m.partitions().forEach(i -> heartbeatOf.put(i, Format.duration(m.heartbeatAge())));
        }
        List<Pages.PartitionRow> rows = partitions.stream().map(s -> new Pages.PartitionRow(s.partition(),
                s.owner().orElse(""), s.leaseToken().orElse(""), heartbeatOf.getOrDefault(s.partition(), ""),
                s.lag().isPresent() ? Long.toString(s.lag().getAsLong()) : "?", s.pending(),
                oldestPending(s), s.stuckSince().map(Format::time).orElse(""),
                s.inFlight().isPresent() ? Integer.toString(s.inFlight().getAsInt()) : "",
                s.parkedKeys().size(), mark(s), trouble(s))).toList();
        List<Pages.SortLink> sorts = new ArrayList<>();
        for (String[] option : new String[][] {{"worst", "worst first"}, {"partition", "partition"},
                {"lag", "lag"}, {"pending", "pending"}, {"age", "oldest pending"}}) {
            sorts.add(new Pages.SortLink(option[1], base + "processors/" + name + "?sort=" + option[0],
                    option[0].equals(sort)));
        }
        List<History.Point> points = history.of(name);
        Pages.ProcessorCharts charts = charts(name, points);
        return render("processor.jte", new Pages.ProcessorPage(shell(r, status, "Processor " + name, "processors"),
                name, p.stream(), p.assignmentGeneration(), p.retention(), sorts, rows, memberRows(p),
                charts.lagChart(), charts.rateChart(), base + "parked/" + name, historyNote(points)));
    }

    /** The oldest pending entry's age, and how often it was delivered when more than once. */
    private static String oldestPending(PartitionStatus s) {
        String age = Format.duration(s.oldestPendingAge());
        return s.oldestPendingDeliveries() > 1 ? age + " (delivered " + s.oldestPendingDeliveries() + "×)" : age;
    }

    private static Comparator<PartitionStatus> worstFirst() {
        return Comparator.comparing((PartitionStatus s) -> !trouble(s))
                .thenComparing(s -> s.oldestPendingAge().orElse(Duration.ZERO), Comparator.reverseOrder())
                .thenComparing(s -> s.lag().orElse(0), Comparator.reverseOrder())
                .thenComparingInt(PartitionStatus::partition);
    }

    private static boolean trouble(PartitionStatus s) {
        return s.poisoned() || s.halted().isPresent() || s.stuckSince().isPresent();
    }

    private static String mark(PartitionStatus s) {
        List<String> marks = new ArrayList<>();
        if (s.poisoned()) {
            marks.add("poisoned");
        }
        s.halted().ifPresent(h -> marks.add("halted"));
        s.stuckSince().ifPresent(t -> marks.add("stuck"));
        if (!s.parkedKeys().isEmpty()) {
            marks.add("parked keys");
        }
        return String.join(", ", marks);
    }

    private List<Pages.MemberRow> memberRows(ProcessorStatus p) {
        return p.members().stream().map(m -> new Pages.MemberRow(p.name(), m.executor(), m.staticMember(),
                Format.time(m.joinedAt()), m.heartbeatAge().map(Format::duration).orElse("gone"),
                new TreeSet<>(m.partitions()).toString(), gone(m))).toList();
    }

    private Response members(Request r) {
        Status status = app.status();
        List<Pages.MemberRow> rows = new ArrayList<>();
        status.processors().forEach(p -> rows.addAll(memberRows(p)));
        return render("members.jte", new Pages.MembersPage(shell(r, status, "Members", "members"), rows));
    }

    private Response historyPage(Request r) {
        Status status = app.status();
        List<Pages.ProcessorCharts> charts = status.processors().stream()
                .map(p -> charts(p.name(), history.of(p.name()))).toList();
        return render("history.jte", new Pages.HistoryPage(shell(r, status, "History", "history"),
                "the last " + Format.duration(History.KEPT) + ", sampled every "
                        + Format.duration(history.interval()), charts));
    }

    private Pages.ProcessorCharts charts(String processor, List<History.Point> points) {
        long now = System.currentTimeMillis();
        // From the first sample, up to the hour kept: a console started minutes ago shows those minutes.
        long from = points.isEmpty() ? now - History.KEPT.toMillis()
                : Math.max(now - History.KEPT.toMillis(), points.get(0).atMillis());
        List<Long> rebalances = new ArrayList<>();
        List<String> rebalanceText = new ArrayList<>();
        for (int i = 1; i < points.size(); i++) {
            if (points.get(i).generation() != points.get(i - 1).generation()) {
                rebalances.add(points.get(i).atMillis());
                rebalanceText.add(Format.time(java.time.Instant.ofEpochMilli(points.get(i).atMillis()))
                        + ": generation " + points.get(i - 1).generation() + " → " + points.get(i).generation());
            }
        }
        String lag = Charts.line("lag of " + processor + " (entries not delivered yet)", "", points.stream()
                .map(p -> new Charts.Value(p.atMillis(), p.lag())).toList(), rebalances, from, now);
        String rate = Charts.line("events delivered per second to " + processor, "/s", points.stream()
                .filter(p -> p.perSecond() >= 0).map(p -> new Charts.Value(p.atMillis(), p.perSecond())).toList(),
                rebalances, from, now);
        return new Pages.ProcessorCharts(processor, base + "processors/" + processor, lag, rate, rebalanceText);
    }

    private static String historyNote(List<History.Point> points) {
        return points.isEmpty() ? "no samples yet: the console samples while it runs" : points.size() + " samples";
    }

    // ------------------------------------------------------------ dead letters

    private Response dead(Request r, String stream, Pages.Preview preview, int code, String notice, String problem) {
        Status status = app.status();
        if (!streamsOf(status).contains(stream)) {
            return error(r, 404, "no stream " + stream + " with a processor in app " + app.name());
        }
        DeadLetters letters = app.deadLetters(stream);
        String errorFilter = blankToNull(r.param("error"));
        String partitionFilter = blankToNull(r.param("partition"));
        String since = blankToNull(r.param("since"));
        List<DeadLetters.DeadLetter> all = letters.list(DEAD_LETTERS_SHOWN);
        Set<String> classes = new TreeSet<>();
        all.forEach(d -> classes.add(Format.errorClass(d.error())));
        classes.remove("");
        List<Pages.DeadRow> rows = all.stream()
                .filter(d -> errorFilter == null || Format.errorClass(d.error()).equals(errorFilter))
                .filter(d -> partitionFilter == null || Integer.toString(d.partition()).equals(partitionFilter))
                .filter(d -> since == null || d.failedAt() == null || d.failedAt().compareTo(since) >= 0)
                .map(this::deadRow).toList();
        Pages.Shell shell = shell(r, status, "Dead letters of " + stream, "dead").withNotice(notice).withError(problem);
        return render(code, "dead.jte", new Pages.DeadPage(shell, stream, errorFilter == null ? "" : errorFilter,
                partitionFilter == null ? "" : partitionFilter, since == null ? "" : since, List.copyOf(classes),
                rows, (int) letters.count(), preview));
    }

    private Pages.DeadRow deadRow(DeadLetters.DeadLetter d) {
        return new Pages.DeadRow(d.id(), d.partition(), d.eventId(), d.processor(), Format.errorClass(d.error()),
                d.error() == null ? "" : d.error(), d.failedAt() == null ? "" : d.failedAt(), Records.pretty(d.fields()));
    }

    private Response deadAction(Request r, String stream, String action) {
        Optional<Guard.Refusal> refused = guard.refuse(r);
        if (refused.isPresent()) {
            return refusal(r, refused.get());
        }
        String csrf = guard.csrfOf(r).orElseThrow();
        List<String> ids = selectedIds(r);
        if (ids.isEmpty()) {
            return dead(r, stream, null, 400, null, "select at least one dead letter");
        }
        DeadLetters letters = app.deadLetters(stream);
        DeadLetters.Selection selection = new DeadLetters.Selection(ids, null, null);
        String subject = action + ":" + stream + ":" + String.join(",", ids);
        switch (action) {
            case "replay" -> {
                String proof = r.param("proof");
                if (proof == null) {
                    List<Pages.DeadRow> would = letters.select(selection).stream().map(this::deadRow).toList();
                    actions.info("console dry run from {}: replaying {} dead letter(s) of stream {} would re-send {}",
                            r.remote(), would.size(), stream, would.stream().map(Pages.DeadRow::id).toList());
                    return dead(r, stream, new Pages.Preview(would, String.join(",", ids), guard.proof(csrf, subject)),
                            200, null, null);
                }
                if (!proof.equals(guard.proof(csrf, subject))) {
                    return dead(r, stream, null, 400, null, "confirm the replay from its dry run: the selection "
                            + "changed since");
                }
                List<DeadLetters.DeadLetter> sent = letters.replay(selection);
                actions.warn("console action from {}: replayed {} dead letter(s) of stream {}: {}", r.remote(),
                        sent.size(), stream, sent.stream().map(d -> d.id() + " (event " + d.eventId() + " for "
                                + d.processor() + ")").toList());
                return dead(r, stream, null, 200, "re-sent " + sent.size() + " dead letter(s), each once, to the "
                        + "partitions they failed on", null);
            }
            case "purge" -> {
                if (!stream.equals(r.param("confirm"))) {
                    return dead(r, stream, null, 400, null, "type the stream's name, " + stream
                            + ", to confirm the purge");
                }
                List<DeadLetters.DeadLetter> gone = letters.purge(selection);
                actions.warn("console action from {}: purged {} dead letter(s) of stream {}: {}", r.remote(),
                        gone.size(), stream, gone.stream().map(DeadLetters.DeadLetter::id).toList());
                return dead(r, stream, null, 200, "deleted " + gone.size() + " dead letter(s)", null);
            }
            default -> {
                return notFound(r);
            }
        }
    }

    private static List<String> selectedIds(Request r) {
        List<String> ids = new ArrayList<>();
        for (String value : r.params("ids")) {
            for (String id : value.split(",")) {
                if (!id.isBlank()) {
                    ids.add(id.trim());
                }
            }
        }
        return List.copyOf(new LinkedHashSet<>(ids));
    }

    // ------------------------------------------------------------- parked keys

    private Response parked(Request r, String processor, int code, String notice, String problem) {
        Status status = app.status();
        if (status.processors().stream().noneMatch(p -> p.name().equals(processor))) {
            return error(r, 404, "no processor " + processor + " in app " + app.name());
        }
        List<Pages.ParkedRow> rows = app.parkedKeys(processor).list().stream()
                .map(p -> new Pages.ParkedRow(p.key(), p.partition(), p.state(), p.events(),
                        p.firstId() == null ? "" : p.firstId(), p.parkedAt() == null ? "" : p.parkedAt(),
                        p.error() == null ? "" : p.error())).toList();
        Pages.Shell shell = shell(r, status, "Parked keys of " + processor, "parked").withNotice(notice)
                .withError(problem);
        return render(code, "parked.jte", new Pages.ParkedPage(shell, processor, rows));
    }

    private Response parkedAction(Request r, String processor, String action) {
        Optional<Guard.Refusal> refused = guard.refuse(r);
        if (refused.isPresent()) {
            return refusal(r, refused.get());
        }
        String key = r.param("key");
        if (key == null || key.isEmpty()) {
            return parked(r, processor, 400, null, "which key?");
        }
        ParkedKeys parkedKeys = app.parkedKeys(processor);
        switch (action) {
            case "replay" -> {
                long n = parkedKeys.replay(key);
                actions.warn("console action from {}: replayed parked key {} of processor {} ({} event(s))",
                        r.remote(), key, processor, n);
                return parked(r, processor, 200, "replaying key " + key + ": " + n + " event(s) go back to processor "
                        + processor + ", in order", null);
            }
            case "drop" -> {
                if (!key.equals(r.param("confirm"))) {
                    return parked(r, processor, 400, null, "type the key, " + key + ", to confirm the drop");
                }
                long n = parkedKeys.drop(key);
                actions.warn("console action from {}: dropped parked key {} of processor {} ({} event(s) deleted)",
                        r.remote(), key, processor, n);
                return parked(r, processor, 200, "dropped key " + key + ": " + n + " event(s) deleted", null);
            }
            default -> {
                return notFound(r);
            }
        }
    }

    // ---------------------------------------------------------------- sign-in

    private Response signIn(Request r) {
        Status status = app.status();
        Pages.Shell shell = shell(r, status, "Sign in", "sign-in");
        if (!r.isPost()) {
            return render("signin.jte", new Pages.SignInPage(shell));
        }
        if (!guard.actionsEnabled()) {
            return render(403, "signin.jte", new Pages.SignInPage(shell.withError(
                    "the console is read-only: start it with console_actions=on (runnel console --actions)")));
        }
        Optional<String> cookie = guard.signIn(r.param("token"));
        if (cookie.isEmpty()) {
            actions.warn("console sign-in refused from {}: wrong token", r.remote());
            return render(401, "signin.jte", new Pages.SignInPage(shell.withError("that is not the console's token")));
        }
        actions.info("console sign-in from {}", r.remote());
        return Response.seeOther(base).with("Set-Cookie", cookie.get());
    }

    private Response signOut(Request r) {
        if (!r.isPost()) {
            return notFound(r);
        }
        return Response.seeOther(base).with("Set-Cookie", guard.signOut(r));
    }

    // ---------------------------------------------------------------- helpers

    private Response refusal(Request r, Guard.Refusal refusal) {
        actions.warn("console action refused ({}) from {}: {} {}: {}", refusal.status(), r.remote(), r.method(),
                r.path(), refusal.why());
        return error(r, refusal.status(), refusal.why());
    }

    private Response error(Request r, int status, String message) {
        Pages.Shell shell;
        try {
            shell = shell(r, app.status(), "Error", "");
        } catch (RuntimeException unreadable) {
            shell = new Pages.Shell(app.name(), ConnectionUrl.redact(app.settings().redisUrl()), base, "Error", "",
                    guard.actionsEnabled(), null, List.of(), List.of(), null, null);
        }
        return render(status, "error.jte", new Pages.ErrorPage(shell, status, message));
    }

    private Response notFound(Request r) {
        return error(r, 404, "no such page: " + r.path());
    }

    private Response render(String template, Object page) {
        return render(200, template, page);
    }

    private Response render(int status, String template, Object page) {
        StringOutput out = new StringOutput();
        templates.render(template, page, out);
        return Response.html(status, out.toString());
    }

    private static Response asset(String name) {
        String type = name.endsWith(".css") ? "text/css; charset=utf-8"
                : name.endsWith(".js") ? "text/javascript; charset=utf-8" : null;
        if (type == null || !name.matches("[a-z-]+\\.(css|js)")) {
            return Response.text(404, "no such file");
        }
        try (InputStream in = ConsoleHandler.class.getResourceAsStream("static/" + name)) {
            if (in == null) {
                return Response.text(404, "no such file");
            }
            return new Response(200, type, in.readAllBytes(), Map.of());
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    private static String blankToNull(String text) {
        return text == null || text.isBlank() ? null : text.trim();
    }

    /** Stops the history's sampling. */
    @Override
    public void close() {
        history.close();
    }
}
