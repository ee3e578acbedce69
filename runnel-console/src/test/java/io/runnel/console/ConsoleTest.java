// SPDX-License-Identifier: Apache-2.0

package io.runnel.console;

import io.runnel.engine.PartitionStatus;
import io.runnel.engine.ProcessorStatus;
import io.runnel.engine.Status;
import io.runnel.testkit.RedisServer;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;

import java.net.CookieManager;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.NetworkInterface;
import java.net.Socket;
import java.net.URLEncoder;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.Map;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.stream.Collectors;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

/**
 * The console over HTTP, against a real Redis and a real worker with a known workload: what
 * each page shows, each action, and what is refused.
 */
@Tag("redis")
class ConsoleTest {
    private static final String TOKEN = "t0ken-for-the-console-tests";
    private static final Pattern CSRF = Pattern.compile("name=\"csrf\" value=\"([^\"]+)\"");
    private static final Pattern DEAD_ID = Pattern.compile("name=\"ids\" value=\"([0-9]+-[0-9]+)\"");
    private static final Pattern PROOF = Pattern.compile("name=\"proof\" value=\"([^\"]+)\"");

    private static RedisServer redis;
    private final List<AutoCloseable> closing = new ArrayList<>();

    @BeforeAll
    static void startRedis() {
        redis = RedisServer.start();
    }

    @AfterAll
    static void stopRedis() {
        redis.close();
    }

    @AfterEach
    void close() throws Exception {
        Collections.reverse(closing);
        for (AutoCloseable c : closing) {
            c.close();
        }
    }

    /** The fixture's workload, processed: no lag, 3 dead letters, 2 parked keys. */
    private ConsoleFixture settled(String redisUrl) {
        ConsoleFixture fixture = new ConsoleFixture(redisUrl).run();
        closing.add(fixture);
        await().atMost(ConsoleFixture.patience()).until(() -> {
            Status s = fixture.app.status();
            return s.processors().stream().allMatch(p -> p.partitions().stream()
                    .allMatch(x -> x.lag().orElse(-1) == 0 && x.pending() == 0))
                    && fixture.app.deadLetters("orders").count() == ConsoleFixture.BAD
                    && fixture.app.parkedKeys("shipping").list().size() == 2;
        });
        return fixture;
    }

    private Console console(Console.Builder builder) {
        Console console = builder.port(0).start();
        closing.add(console);
        return console;
    }

    /** A browser: keeps cookies, does not follow redirects. */
    private static HttpClient browser() {
        return HttpClient.newBuilder().cookieHandler(new CookieManager()).followRedirects(HttpClient.Redirect.NEVER)
                .build();
    }

    private static HttpResponse<String> get(HttpClient client, Console console, String path) throws Exception {
        return client.send(HttpRequest.newBuilder(console.uri().resolve(path)).GET().build(),
                HttpResponse.BodyHandlers.ofString());
    }

    private static HttpResponse<String> post(HttpClient client, Console console, String path, Map<String, ?> form,
                                             String... headers) throws Exception {
        String body = form.entrySet().stream().flatMap(e -> (e.getValue() instanceof List<?> many ? many : List.of(e.getValue()))
                .stream().map(v -> enc(e.getKey()) + "=" + enc(String.valueOf(v)))).collect(Collectors.joining("&"));
        HttpRequest.Builder request = HttpRequest.newBuilder(console.uri().resolve(path))
                .header("Content-Type", "application/x-www-form-urlencoded")
                .POST(HttpRequest.BodyPublishers.ofString(body));
        for (int i = 0; i + 1 < headers.length; i += 2) {
            request.header(headers[i], headers[i + 1]);
        }
        return client.send(request.build(), HttpResponse.BodyHandlers.ofString());
    }

    private static String enc(String text) {
        return URLEncoder.encode(text, StandardCharsets.UTF_8);
    }

    private static HttpClient signedIn(Console console) throws Exception {
        HttpClient client = browser();
        HttpResponse<String> signIn = post(client, console, "sign-in", Map.of("token", TOKEN));
        assertThat(signIn.statusCode()).as(signIn.body()).isEqualTo(303);
        return client;
    }

    private static String first(Pattern pattern, String html) {
        Matcher m = pattern.matcher(html);
        assertThat(m.find()).as("%s in the page", pattern).isTrue();
        return m.group(1);
    }

    private static List<String> all(Pattern pattern, String html) {
        List<String> out = new ArrayList<>();
        Matcher m = pattern.matcher(html);
        while (m.find()) {
            out.add(m.group(1));
        }
        return out;
    }

    /** The cells of a partition row of the processor page, by class. */
    private static String cell(String html, int partition, String cssClass) {
        Matcher row = Pattern.compile("data-partition=\"" + partition + "\">(.*?)</tr>", Pattern.DOTALL).matcher(html);
        assertThat(row.find()).as("row of partition %s", partition).isTrue();
        Matcher cell = Pattern.compile("class=\"[^\"]*\\b" + cssClass + "\\b[^\"]*\">([^<]*)<").matcher(row.group(1));
        assertThat(cell.find()).as("%s of partition %s", cssClass, partition).isTrue();
        return cell.group(1);
    }

    @Test
    void the_pages_show_the_owners_lag_pending_dead_letters_and_parked_keys_of_a_known_workload() throws Exception {
        ConsoleFixture fixture = settled(redis.url());
        Console console = console(Console.builder(fixture.app).historyInterval(Duration.ofMillis(200)));
        HttpClient client = browser();
        // Each processor has an executor of its own in the worker: the one its partitions' locks name.
        String billingExecutor = fixture.app.status().processor("billing").members().get(0).executor();

        HttpResponse<String> overview = get(client, console, "");
        assertThat(overview.statusCode()).isEqualTo(200);
        assertThat(overview.body()).contains("billing", "shipping", "read-only")
                .contains("<b>3</b> dead letter(s)").contains("<b>2</b> parked key(s)");
        assertThat(overview.headers().firstValue("Content-Security-Policy")).hasValueSatisfying(csp ->
                assertThat(csp).contains("default-src 'self'"));

        String billing = get(client, console, "processors/billing").body();
        for (int p = 0; p < 4; p++) {
            assertThat(cell(billing, p, "owner")).as("owner of %s", p).isEqualTo(billingExecutor);
            assertThat(cell(billing, p, "token")).as("lease token of %s", p).startsWith(billingExecutor + ":");
            assertThat(cell(billing, p, "lag")).isEqualTo("0");
            assertThat(cell(billing, p, "pending")).isEqualTo("0");
        }
        String shipping = get(client, console, "processors/shipping").body();
        ProcessorStatus shippingStatus = fixture.app.status().processor("shipping");
        for (PartitionStatus s : shippingStatus.partitions()) {
            assertThat(cell(shipping, s.partition(), "marks")).isEqualTo(s.parkedKeys().isEmpty() ? "" : "parked keys");
        }

        assertThat(get(client, console, "members").body()).contains(billingExecutor).contains("dynamic");
        String dead = get(client, console, "dead/orders").body();
        assertThat(all(DEAD_ID, dead)).hasSize(ConsoleFixture.BAD);
        assertThat(dead).contains("java.lang.IllegalStateException").contains("card declined for order 0")
                .contains("\"customer\" : \"bad\"").doesNotContain("Dry run: replay selected");
        assertThat(get(client, console, "dead/orders?error=java.lang.IllegalStateException&partition=99").body())
                .doesNotContain("name=\"ids\" value=");
        String parked = get(client, console, "parked/shipping").body();
        assertThat(parked).contains("data-key=\"stuck\"", "data-key=\"stuck-too\"", "no address for order 0");

        await().atMost(Duration.ofSeconds(30)).untilAsserted(() -> assertThat(all(
                Pattern.compile("<polyline class=\"line\" points=\"([^\"]+)\""), get(client, console, "history").body()))
                .as("a lag and a rate line per processor").hasSize(4));
        assertThat(get(client, console, "no-such-page").statusCode()).isEqualTo(404);
        assertThat(get(client, console, "processors/nobody").statusCode()).isEqualTo(404);
    }

    /**
     * A handler that will not return (it ignores its interrupt): its partition is stuck, and
     * the processor page lists it first, marked, with its owner; the overview counts it.
     */
    @Test
    void a_stuck_partition_comes_first_marked_with_its_owner() throws Exception {
        java.util.concurrent.CountDownLatch release = new java.util.concurrent.CountDownLatch(1);
        ConsoleFixture fixture = new ConsoleFixture(redis.url(), 0, release);
        closing.add(fixture);
        closing.add(release::countDown);
        fixture.run();
        fixture.orders.send(new ConsoleFixture.Order("blocker", 0));
        int partition = fixture.orders.partitionOf(new ConsoleFixture.Order("blocker", 0));
        await().atMost(ConsoleFixture.patience()).until(() ->
                fixture.app.status().processor("packing").partition(partition).stuckSince().isPresent());
        Console console = console(Console.builder(fixture.app));
        HttpClient client = browser();

        String page = get(client, console, "processors/packing").body();
        Matcher firstRow = Pattern.compile("<tbody>\\s*<tr class=\"([^\"]*)\" data-partition=\"(\\d+)\">")
                .matcher(page);
        assertThat(firstRow.find()).isTrue();
        assertThat(firstRow.group(1)).isEqualTo("trouble");
        assertThat(Integer.parseInt(firstRow.group(2))).as("the stuck partition, first").isEqualTo(partition);
        assertThat(cell(page, partition, "marks")).contains("stuck");
        assertThat(cell(page, partition, "owner"))
                .isEqualTo(fixture.app.status().processor("packing").members().get(0).executor());
        assertThat(get(client, console, "").body()).contains("<b>1</b> stuck partition(s)");
    }

    @Test
    void a_replay_needs_its_dry_run_and_resends_exactly_the_selected_dead_letters_once() throws Exception {
        ConsoleFixture fixture = settled(redis.url());
        fixture.worker.stop(); // the re-sent events stay in the stream, to be counted
        Console console = console(Console.builder(fixture.app).actions(true).token(TOKEN));
        HttpClient client = signedIn(console);
        String page = get(client, console, "dead/orders").body();
        String csrf = first(CSRF, page);
        List<String> ids = all(DEAD_ID, page);
        List<String> chosen = ids.subList(0, 2);
        long before = length(fixture);

        HttpResponse<String> dryRun = post(client, console, "dead/orders/replay", Map.of("csrf", csrf, "ids", chosen));
        assertThat(dryRun.statusCode()).isEqualTo(200);
        assertThat(dryRun.body()).contains("Dry run: the replay would re-send 2 event(s)");
        assertThat(fixture.app.deadLetters("orders").count()).as("a dry run changes nothing").isEqualTo(3);
        assertThat(length(fixture)).isEqualTo(before);

        String proof = first(PROOF, dryRun.body());
        HttpResponse<String> forged = post(client, console, "dead/orders/replay",
                Map.of("csrf", csrf, "ids", ids, "proof", proof));
        assertThat(forged.statusCode()).as("a proof is for its own selection").isEqualTo(400);
        assertThat(fixture.app.deadLetters("orders").count()).isEqualTo(3);

        Map<String, Object> confirm = Map.of("csrf", csrf, "ids", String.join(",", chosen), "proof", proof);
        HttpResponse<String> replayed = post(client, console, "dead/orders/replay", confirm);
        assertThat(replayed.statusCode()).isEqualTo(200);
        assertThat(replayed.body()).contains("re-sent 2 dead letter(s)");
        assertThat(fixture.app.deadLetters("orders").count()).isEqualTo(1);
        assertThat(length(fixture)).isEqualTo(before + 2);

        // The same confirmation again (a double click, a reload): nothing more is sent.
        assertThat(post(client, console, "dead/orders/replay", confirm).body()).contains("re-sent 0 dead letter(s)");
        assertThat(length(fixture)).isEqualTo(before + 2);
    }

    @Test
    void a_purge_needs_the_streams_name_typed_and_parked_keys_are_replayed_or_dropped() throws Exception {
        ConsoleFixture fixture = settled(redis.url());
        fixture.worker.stop();
        Console console = console(Console.builder(fixture.app).actions(true).token(TOKEN));
        HttpClient client = signedIn(console);
        String page = get(client, console, "dead/orders").body();
        String csrf = first(CSRF, page);
        List<String> ids = all(DEAD_ID, page);

        HttpResponse<String> unconfirmed = post(client, console, "dead/orders/purge", Map.of("csrf", csrf, "ids", ids));
        assertThat(unconfirmed.statusCode()).isEqualTo(400);
        assertThat(unconfirmed.body()).contains("to confirm the purge");
        assertThat(fixture.app.deadLetters("orders").count()).isEqualTo(3);
        HttpResponse<String> purged = post(client, console, "dead/orders/purge",
                Map.of("csrf", csrf, "ids", ids.subList(0, 1), "confirm", "orders"));
        assertThat(purged.body()).contains("deleted 1 dead letter(s)");
        assertThat(fixture.app.deadLetters("orders").count()).isEqualTo(2);

        assertThat(post(client, console, "parked/shipping/drop", Map.of("csrf", csrf, "key", "stuck-too"))
                .statusCode()).as("a drop needs the key typed").isEqualTo(400);
        assertThat(post(client, console, "parked/shipping/drop",
                Map.of("csrf", csrf, "key", "stuck-too", "confirm", "stuck-too")).body())
                .contains("dropped key stuck-too: 1 event(s) deleted");
        assertThat(post(client, console, "parked/shipping/replay", Map.of("csrf", csrf, "key", "stuck")).body())
                .contains("replaying key stuck: 1 event(s)");
        assertThat(fixture.app.parkedKeys("shipping").list()).extracting(p -> p.key() + " " + p.state())
                .allMatch(text -> text.startsWith("stuck replaying"));
    }

    @Test
    void actions_are_refused_read_only_without_the_token_with_a_wrong_csrf_and_from_another_site() throws Exception {
        ConsoleFixture fixture = settled(redis.url());
        fixture.worker.stop();
        Console readOnly = console(Console.builder(fixture.app).token(TOKEN));
        HttpClient anyone = browser();
        assertThat(post(anyone, readOnly, "sign-in", Map.of("token", TOKEN)).statusCode()).isEqualTo(403);
        HttpResponse<String> refused = post(anyone, readOnly, "dead/orders/purge",
                Map.of("ids", "1-1", "confirm", "orders"));
        assertThat(refused.statusCode()).isEqualTo(403);
        assertThat(refused.body()).contains("read-only");

        Console acting = console(Console.builder(fixture.app).actions(true).token(TOKEN));
        HttpClient stranger = browser();
        assertThat(post(stranger, acting, "sign-in", Map.of("token", "guess")).statusCode()).isEqualTo(401);
        String page = get(stranger, acting, "dead/orders").body();
        List<String> ids = all(DEAD_ID, page);
        assertThat(post(stranger, acting, "dead/orders/purge", Map.of("ids", ids, "confirm", "orders")).statusCode())
                .as("not signed in").isEqualTo(401);

        HttpClient operator = signedIn(acting);
        String csrf = first(CSRF, get(operator, acting, "dead/orders").body());
        assertThat(post(operator, acting, "dead/orders/purge", Map.of("csrf", "forged", "ids", ids, "confirm", "orders"))
                .statusCode()).as("a wrong CSRF value").isEqualTo(403);
        assertThat(post(operator, acting, "dead/orders/purge", Map.of("csrf", csrf, "ids", ids, "confirm", "orders"),
                "Origin", "http://evil.example").statusCode()).as("from another site").isEqualTo(403);
        assertThat(fixture.app.deadLetters("orders").count()).as("nothing was purged").isEqualTo(3);
        assertThat(get(operator, acting, "dead/orders/purge").statusCode()).as("a GET never acts").isEqualTo(404);
    }

    @Test
    void no_password_of_the_redis_url_nor_the_token_appears_in_any_response() throws Exception {
        try (RedisServer locked = RedisServer.start("--requirepass", "s3cret-pass")) {
            String url = "redis://:s3cret-pass@127.0.0.1:" + locked.port();
            ConsoleFixture fixture = settled(url);
            Console console = console(Console.builder(fixture.app).actions(true).token(TOKEN));
            HttpClient client = signedIn(console);
            List<String> bodies = new ArrayList<>();
            for (String path : List.of("", "processors/billing", "processors/shipping", "members", "history",
                    "dead/orders", "parked/shipping", "sign-in", "nowhere", "dead/orders?since=x")) {
                bodies.add(get(client, console, path).body());
            }
            String csrf = first(CSRF, bodies.get(5));
            bodies.add(post(client, console, "dead/orders/replay", Map.of("csrf", csrf, "ids", all(DEAD_ID, bodies.get(5))))
                    .body());
            bodies.add(post(browser(), console, "sign-in", Map.of("token", "wrong")).body());
            assertThat(bodies).allSatisfy(body -> assertThat(body).doesNotContain("s3cret-pass").doesNotContain(TOKEN));
            assertThat(bodies.get(0)).contains("redis://***@127.0.0.1:" + locked.port());
            fixture.close();
        }
    }

    @Test
    void the_console_listens_on_this_machine_only_by_default() throws Exception {
        ConsoleFixture fixture = new ConsoleFixture(redis.url());
        closing.add(fixture);
        assertThat(fixture.app.settings().consoleHost()).isEqualTo("127.0.0.1");
        Console console = console(Console.builder(fixture.app));
        assertThat(console.uri().getHost()).isEqualTo("127.0.0.1");
        assertThat(console.generatedToken()).as("generated, for the operator to sign in with").isPresent();
        InetAddress outside = NetworkInterface.networkInterfaces().filter(i -> {
            try {
                return i.isUp() && !i.isLoopback();
            } catch (java.net.SocketException e) {
                return false;
            }
        }).flatMap(NetworkInterface::inetAddresses).filter(a -> a instanceof java.net.Inet4Address).findFirst()
                .orElse(null);
        if (outside != null) {
            try (Socket socket = new Socket()) {
                assertThat(org.assertj.core.api.Assertions.catchThrowable(() ->
                        socket.connect(new InetSocketAddress(outside, console.uri().getPort()), 2000)))
                        .as("reaching the console through %s", outside).isNotNull();
            }
        }
    }

    private static long length(ConsoleFixture fixture) {
        return fixture.app.status().processor("billing").partitions().stream().mapToLong(PartitionStatus::length)
                .sum();
    }
}
