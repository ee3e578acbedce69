// SPDX-License-Identifier: Apache-2.0

package io.runnel.docs;

import io.runnel.console.Console;
import io.runnel.engine.App;
import io.runnel.engine.ProcessorFunction;
import io.runnel.engine.Stream;
import org.junit.jupiter.api.Test;

import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;

import static org.assertj.core.api.Assertions.assertThat;

/** The snippet of docs/operations/console.md, run: the console serves the app's overview. */
class ConsoleSnippets {
    record Order(String customer, long orderId) {
    }

    @Test
    void a_console_serves_the_apps_overview() throws Exception {
        try (App app = App.builder("docs-console").setting("console_port", 0).build()) {
            Stream<Order> orders = app.stream("orders", Order.class, Order::customer);
            app.processor(orders, "billing", ProcessorFunction.<Order>eachRecord(order -> { }));
            // tag::console[]
            try (Console console = Console.builder(app).actions(true).start()) {
                System.out.println("console at " + console.uri());
                console.generatedToken().ifPresent(token -> System.out.println("sign in with " + token));
                untilTheOperatorIsDone(console);
            }
            // end::console[]
        }
    }

    /** What an operator would see first: the overview, naming the app and its processor. */
    private static void untilTheOperatorIsDone(Console console) throws Exception {
        HttpResponse<String> overview = HttpClient.newHttpClient().send(
                HttpRequest.newBuilder(console.uri()).GET().build(), HttpResponse.BodyHandlers.ofString());
        assertThat(overview.statusCode()).isEqualTo(200);
        assertThat(overview.body()).contains("docs-console", "billing");
        assertThat(console.generatedToken()).isPresent();
    }
}
