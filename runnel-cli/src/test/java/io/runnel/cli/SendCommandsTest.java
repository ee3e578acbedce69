// SPDX-License-Identifier: Apache-2.0

package io.runnel.cli;

import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;

import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Instant;
import java.util.List;

import static org.assertj.core.api.Assertions.assertThat;

/** {@code runnel send} and {@code runnel sendmany}, run as processes against a real Redis. */
@Tag("redis")
@Tag("process")
class SendCommandsTest extends CliTestBase {
    private static final String APP = ShopApp.class.getName();

    private static String order(long id, String customer, double amount) {
        return "{\"orderId\": " + id + ", \"customer\": \"" + customer + "\", \"amount\": " + amount
                + ", \"createdAt\": \"2024-01-02T03:04:05Z\"}";
    }

    private static ShopApp.Order expected(long id, String customer, double amount) {
        return new ShopApp.Order(id, customer, amount, Instant.parse("2024-01-02T03:04:05Z"));
    }

    private static Path file(String name, String... lines) throws Exception {
        Path dir = Files.createDirectories(Path.of("target", "cli-input"));
        Path file = dir.resolve(name + "-" + System.nanoTime() + ".jsonl");
        Files.writeString(file, String.join("\n", lines) + "\n", StandardCharsets.UTF_8);
        return file;
    }

    @Test
    void send_prints_the_id_of_the_record_it_stored() throws Exception {
        CliProcess.Result result = cli.run("send", APP, "orders", order(7, "ann", 9.99));

        assertThat(result.exit()).as(result.stderr()).isZero();
        String id = result.stdout().strip();
        assertThat(id).matches("\\d+-\\d+");
        assertThat(stored()).containsExactly(new Stored(id, orders().partitionOf(expected(7, "ann", 9.99)),
                expected(7, "ann", 9.99)));
    }

    @Test
    void send_works_with_a_static_factory_app_class() throws Exception {
        CliProcess.Result result = cli.run("send", FactoryApp.class.getName(), "orders", order(8, "bob", 1.5));

        assertThat(result.exit()).as(result.stderr()).isZero();
        assertThat(stored()).extracting(Stored::order).containsExactly(expected(8, "bob", 1.5));
    }

    @Test
    void send_rejects_json_that_does_not_match_the_record_and_sends_nothing() throws Exception {
        CliProcess.Result typo = cli.run("send", APP, "orders",
                "{\"orderId\": 1, \"customer\": \"ann\", \"amout\": 2.0, \"createdAt\": \"2024-01-02T03:04:05Z\"}");
        CliProcess.Result missing = cli.run("send", APP, "orders", "{\"orderId\": 1, \"customer\": \"ann\"}");
        CliProcess.Result broken = cli.run("send", APP, "orders", "{\"orderId\": 1,");

        assertThat(typo.exit()).isEqualTo(2);
        assertThat(typo.stderr()).contains("has no component 'amout'").contains("orderId, customer, amount, createdAt");
        assertThat(missing.exit()).isEqualTo(2);
        assertThat(missing.stderr()).contains("component 'amount' of record Order is missing");
        assertThat(broken.exit()).isEqualTo(2);
        assertThat(broken.stderr()).contains("invalid JSON");
        assertThat(typo.stdout() + missing.stdout() + broken.stdout()).isEmpty();
        assertThat(stored()).isEmpty();
    }

    @Test
    void sendmany_sends_every_line_of_a_good_file_in_order() throws Exception {
        Path input = file("good", order(1, "ann", 1), order(2, "bob", 2), "", order(3, "ann", 3),
                order(4, "cid", 4), order(5, "ann", 5));

        CliProcess.Result result = cli.run("sendmany", APP, "orders", input.toString());

        assertThat(result.exit()).as(result.stderr()).isZero();
        assertThat(result.stdout()).contains("sent 5 records to stream orders");
        List<ShopApp.Order> stored = stored().stream().map(Stored::order).toList();
        assertThat(stored).containsExactlyInAnyOrder(expected(1, "ann", 1), expected(2, "bob", 2), expected(3, "ann", 3),
                expected(4, "cid", 4), expected(5, "ann", 5));
        assertThat(stored.stream().filter(o -> o.customer().equals("ann")).map(ShopApp.Order::orderId))
                .as("one customer's orders stay in file order").containsExactly(1L, 3L, 5L);
    }

    @Test
    void sendmany_with_a_bad_line_names_it_and_sends_nothing() throws Exception {
        Path input = file("bad", order(1, "ann", 1), order(2, "bob", 2), "{\"orderId\": 3, \"customer\": ",
                order(4, "cid", 4), "{\"orderId\": \"five\", \"customer\": \"ann\", \"amount\": 5, \"createdAt\": null}",
                order(6, "ann", 6));

        CliProcess.Result result = cli.run("sendmany", APP, "orders", input.toString());

        assertThat(result.exit()).isEqualTo(2);
        assertThat(result.stderr()).contains("2 lines are not a record of stream orders; nothing was sent")
                .contains(input + " line 3: invalid JSON")
                .contains(input + " line 5: does not match record Order at 'orderId'");
        assertThat(result.stderr()).doesNotContain("line 1:").doesNotContain("line 6:");
        assertThat(result.stdout()).isEmpty();
        assertThat(stored()).isEmpty();
    }

    @Test
    void sendmany_reads_standard_input_given_a_dash() throws Exception {
        String stdin = order(1, "ann", 1) + "\n" + order(2, "bob", 2) + "\n" + order(3, "ann", 3) + "\n";

        CliProcess.Result result = cli.runWithInput(stdin, "sendmany", APP, "orders", "-");

        assertThat(result.exit()).as(result.stderr()).isZero();
        assertThat(result.stdout()).contains("sent 3 records to stream orders");
        assertThat(stored()).extracting(Stored::order)
                .containsExactlyInAnyOrder(expected(1, "ann", 1), expected(2, "bob", 2), expected(3, "ann", 3));
    }

    @Test
    void sendmany_from_stdin_with_a_bad_line_sends_nothing() throws Exception {
        CliProcess.Result result = cli.runWithInput(order(1, "ann", 1) + "\nnot json\n", "sendmany", APP, "orders", "-");

        assertThat(result.exit()).isEqualTo(2);
        assertThat(result.stderr()).contains("stdin line 2: invalid JSON");
        assertThat(stored()).isEmpty();
    }
}
