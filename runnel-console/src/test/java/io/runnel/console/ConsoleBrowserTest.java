// SPDX-License-Identifier: Apache-2.0

package io.runnel.console;

import io.runnel.testkit.RedisServer;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;
import org.openqa.selenium.By;
import org.openqa.selenium.OutputType;
import org.openqa.selenium.TakesScreenshot;
import org.openqa.selenium.WebDriver;
import org.openqa.selenium.WebElement;
import org.openqa.selenium.chrome.ChromeDriver;
import org.openqa.selenium.chrome.ChromeDriverService;
import org.openqa.selenium.chrome.ChromeOptions;

import java.io.File;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.time.Duration;
import java.util.List;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

/**
 * The console in a real browser: Debian's headless Chromium, driven by Selenium through
 * Debian's chromedriver (packages {@code chromium} and {@code chromium-driver}; {@code .ci/run}
 * installs them). Each view loads, the partition table renders, the charts draw, and the
 * dead-letter replay's dry run and confirmation work by clicking.
 *
 * <p>With {@code -Drunnel.console.screenshots=DIR} it saves a screenshot of each view there:
 * {@code docs/operations/console.md} says how the docs' pictures are made.
 */
@Tag("redis")
@Tag("browser")
class ConsoleBrowserTest {
    private static final String TOKEN = "t0ken-for-the-browser";
    private static final Path CHROMIUM = Path.of("/usr/bin/chromium");
    private static final Path CHROMEDRIVER = Path.of("/usr/bin/chromedriver");

    private static RedisServer redis;
    private static Path profile;
    private static ChromeDriverService service;
    private static WebDriver browser;

    @BeforeAll
    static void start() throws IOException {
        if (!Files.isExecutable(CHROMIUM) || !Files.isExecutable(CHROMEDRIVER)) {
            throw new IllegalStateException("the browser tests need Debian's chromium and chromium-driver "
                    + "(/usr/bin/chromium, /usr/bin/chromedriver): apt-get install chromium chromium-driver");
        }
        redis = RedisServer.start();
        profile = Files.createTempDirectory("runnel-console-chromium");
        ChromeOptions options = new ChromeOptions();
        options.setBinary(CHROMIUM.toFile());
        // No network beyond the console: without these, Chromium keeps reaching for Google's hosts.
        options.addArguments("--headless=new", "--no-sandbox", "--disable-gpu", "--disable-dev-shm-usage",
                "--disable-quic", "--no-first-run", "--disable-background-networking", "--disable-component-update",
                "--disable-sync", "--window-size=1280,1000", "--user-data-dir=" + profile);
        service = new ChromeDriverService.Builder().usingDriverExecutable(CHROMEDRIVER.toFile()).usingAnyFreePort()
                .build();
        browser = new ChromeDriver(service, options);
        browser.manage().timeouts().pageLoadTimeout(Duration.ofSeconds(30));
    }

    @AfterAll
    static void stop() throws IOException {
        if (browser != null) {
            browser.quit();
        }
        if (service != null) {
            service.stop();
        }
        if (redis != null) {
            redis.close();
        }
        if (profile != null) {
            try (var files = Files.walk(profile)) {
                files.sorted(java.util.Comparator.reverseOrder()).map(Path::toFile).forEach(File::delete);
            }
        }
    }

    @Test
    void every_view_loads_the_tables_render_the_charts_draw_and_a_replay_is_dry_run_then_confirmed() throws Exception {
        try (ConsoleFixture fixture = new ConsoleFixture(redis.url(), 3);
             Console console = Console.builder(fixture.app).port(0).actions(true).token(TOKEN)
                     .historyInterval(Duration.ofMillis(300)).start()) {
            // The console samples from the start: the history shows the backlog come and go.
            await().atMost(Duration.ofSeconds(10)).until(() -> console.uri() != null);
            fixture.run();
            List<ConsoleFixture.Order> backlog = new java.util.ArrayList<>();
            for (int i = 0; i < 1200; i++) {
                backlog.add(new ConsoleFixture.Order("customer-" + i % ConsoleFixture.CUSTOMERS, 100 + i));
            }
            fixture.orders.sendAll(backlog);
            await().atMost(ConsoleFixture.patience()).until(() -> fixture.app.deadLetters("orders").count()
                    == ConsoleFixture.BAD && fixture.app.parkedKeys("shipping").list().size() == 2
                    && fixture.app.status().processors().stream().allMatch(p -> p.partitions().stream()
                    .allMatch(s -> s.lag().orElse(-1) == 0 && s.pending() == 0)));
            String base = console.uri().toString();

            // Sign in, as an operator would.
            browser.get(base + "sign-in");
            browser.findElement(By.name("token")).sendKeys(TOKEN);
            browser.findElement(By.cssSelector("#sign-in button")).click();
            await().atMost(Duration.ofSeconds(10)).until(() -> browser.getCurrentUrl().equals(base));

            browser.get(base);
            assertThat(browser.findElement(By.id("health")).getText()).contains("3 dead letter(s)", "2 parked key(s)");
            assertThat(browser.findElements(By.cssSelector("#processors tbody tr"))).hasSize(2);
            screenshot("overview");

            browser.get(base + "processors/billing");
            List<WebElement> rows = browser.findElements(By.cssSelector("#partitions tbody tr"));
            assertThat(rows).hasSize(4);
            String owner = fixture.app.status().processor("billing").members().get(0).executor();
            assertThat(rows).allSatisfy(row -> assertThat(row.findElement(By.className("owner")).getText())
                    .isEqualTo(owner));
            assertThat(browser.findElement(By.cssSelector("#partitions tbody tr")).isDisplayed()).isTrue();

            // The charts draw once the console has sampled a few times.
            await().atMost(Duration.ofSeconds(30)).untilAsserted(() -> {
                browser.get(base + "history");
                List<WebElement> lines = browser.findElements(By.cssSelector("svg.chart polyline.line"));
                assertThat(lines).as("a lag and a rate line per processor").hasSize(4);
                assertThat(lines).allSatisfy(line -> {
                    assertThat(line.getAttribute("points").split(" ")).hasSizeGreaterThanOrEqualTo(2);
                    assertThat(line.getSize().getWidth()).as("drawn, with a width").isPositive();
                });
            });
            screenshot("history");
            browser.get(base + "processors/billing");
            screenshot("processor");

            browser.get(base + "members");
            assertThat(browser.findElements(By.cssSelector("table.members tbody tr"))).hasSize(2);
            screenshot("members");

            browser.get(base + "parked/shipping");
            assertThat(browser.findElements(By.cssSelector("#parked tbody tr"))).hasSize(2);
            screenshot("parked");

            // Dead letters: open one, pick it, dry run, then confirm.
            fixture.worker.stop(); // the re-sent event stays in the stream, where the test sees it
            browser.get(base + "dead/orders");
            List<WebElement> dead = browser.findElements(By.cssSelector("#dead tbody tr"));
            assertThat(dead).hasSize(3);
            WebElement first = dead.get(0);
            String id = first.getAttribute("data-id");
            first.findElement(By.tagName("summary")).click();
            assertThat(first.findElement(By.cssSelector("pre.record")).getText()).contains("\"customer\" : \"bad\"");
            screenshot("dead-letters");
            first.findElement(By.cssSelector("input[name=ids]")).click();
            browser.findElement(By.id("dry-run-replay")).click();
            WebElement preview = browser.findElement(By.id("dry-run"));
            assertThat(preview.getText()).contains("would re-send 1 event(s)").contains(id);
            assertThat(fixture.app.deadLetters("orders").count()).as("the dry run changed nothing").isEqualTo(3);
            screenshot("replay-dry-run");
            browser.findElement(By.cssSelector("#confirm-replay button")).click();
            assertThat(browser.findElement(By.cssSelector("p.notice")).getText()).contains("re-sent 1 dead letter(s)");
            assertThat(fixture.app.deadLetters("orders").count()).isEqualTo(2);
            assertThat(browser.findElements(By.cssSelector("#dead tbody tr"))).hasSize(2);
        }
    }

    /** Saves the page as {@code <name>.png} when asked to (-Drunnel.console.screenshots=DIR). */
    private static void screenshot(String name) {
        String dir = System.getProperty("runnel.console.screenshots");
        if (dir == null || dir.isBlank()) {
            return;
        }
        try {
            Path target = Path.of(dir).resolve(name + ".png");
            Files.createDirectories(target.getParent());
            File shot = ((TakesScreenshot) browser).getScreenshotAs(OutputType.FILE);
            Files.copy(shot.toPath(), target, StandardCopyOption.REPLACE_EXISTING);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }
}
