// SPDX-License-Identifier: Apache-2.0

package io.runnel.cli;

import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;

import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.time.Duration;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

/** {@code runnel console} as a real process: it serves the app's pages, prints its token once, and stops on SIGTERM. */
@Tag("redis")
@Tag("process")
class ConsoleCommandTest extends CliTestBase {
    private static final String APP = ShopApp.class.getName();
    private static final Pattern AT = Pattern.compile("at (http://127\\.0\\.0\\.1:\\d+/)");
    private static final Pattern TOKEN = Pattern.compile("token \\(shown once\\): (\\S+)");

    @Test
    void console_serves_the_apps_pages_prints_its_token_once_and_exits_0_on_sigterm() throws Exception {
        CliProcess.Running console = cli.with("RUNNEL_CONSOLE_PORT", "0").start("console", APP, "--actions");
        await().atMost(Duration.ofSeconds(60)).until(() -> AT.matcher(console.stdout()).find()
                && TOKEN.matcher(console.stdout()).find());
        Matcher at = AT.matcher(console.stdout());
        assertThat(at.find()).isTrue();
        Matcher token = TOKEN.matcher(console.stdout());
        assertThat(token.find()).isTrue();
        URI base = URI.create(at.group(1));

        HttpClient http = HttpClient.newHttpClient();
        HttpResponse<String> overview = http.send(HttpRequest.newBuilder(base).GET().build(),
                HttpResponse.BodyHandlers.ofString());
        assertThat(overview.statusCode()).isEqualTo(200);
        assertThat(overview.body()).contains("printer", "orders").doesNotContain(token.group(1));
        assertThat(http.send(HttpRequest.newBuilder(base.resolve("processors/printer")).GET().build(),
                HttpResponse.BodyHandlers.ofString()).body()).contains("id=\"partitions\"");

        console.process().destroy(); // SIGTERM
        CliProcess.Result result = console.awaitExit();
        assertThat(result.exit()).as(result.stderr()).isZero();
        assertThat(result.stderr()).as("the token is never logged").doesNotContain(token.group(1));
    }
}
