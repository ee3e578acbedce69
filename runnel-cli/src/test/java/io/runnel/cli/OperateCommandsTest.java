// SPDX-License-Identifier: Apache-2.0

package io.runnel.cli;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.runnel.api.transport.GroupInfo;
import io.runnel.engine.PartitionStatus;
import io.runnel.engine.Status;
import io.runnel.engine.Worker;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;

import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

/**
 * {@code runnel processor reset}, {@code runnel status} and the errors every command shares
 * (unknown class, a class that is no app, unknown stream or processor), run as processes.
 */
@Tag("redis")
@Tag("process")
class OperateCommandsTest extends CliTestBase {
    private static final String APP = ShopApp.class.getName();
    private static final ObjectMapper JSON = new ObjectMapper();

    private List<String> sendOrders(int count) {
        List<ShopApp.Order> batch = new ArrayList<>();
        for (int i = 0; i < count; i++) {
            batch.add(new ShopApp.Order(i, "customer-" + i, i, Instant.parse("2024-01-02T03:04:05Z")));
        }
        return orders().sendAll(batch);
    }

    private List<GroupInfo> groups(String processor) {
        List<GroupInfo> infos = new ArrayList<>();
        for (int p = 0; p < 4; p++) {
            infos.add(redisView.groupInfo(orders().partitionKey(p), processor).orElseThrow());
        }
        return infos;
    }

    @Test
    void processor_reset_moves_the_group_to_the_start_or_the_end() throws Exception {
        sendOrders(12);
        app.resetProcessor("printer", "0");

        CliProcess.Result toEnd = cli.run("processor", "reset", APP, "printer", "--start", "$");

        assertThat(toEnd.exit()).as(toEnd.stderr()).isZero();
        assertThat(toEnd.stdout()).contains("reset processor printer to start after $");
        for (int p = 0; p < 4; p++) {
            GroupInfo info = groups("printer").get(p);
            assertThat(info.lag()).hasValue(0);
            assertThat(info.lastDeliveredId()).isEqualTo(redisView.lastId(orders().partitionKey(p)));
        }

        CliProcess.Result toStart = cli.run("processor", "reset", APP, "printer");

        assertThat(toStart.exit()).as(toStart.stderr()).isZero();
        assertThat(toStart.stdout()).contains("reset processor printer to start after 0");
        for (int p = 0; p < 4; p++) {
            assertThat(groups("printer").get(p).lag()).hasValue(redisView.length(orders().partitionKey(p)));
            assertThat(groups("printer").get(p).lastDeliveredId()).isEqualTo("0-0");
        }
        for (int p = 0; p < 4; p++) {
            assertThat(redisView.groupInfo(orders().partitionKey(p), "fussy")).as("other processors untouched").isEmpty();
        }
    }

    @Test
    void processor_reset_rejects_a_bad_start_id_or_processor_and_changes_nothing() throws Exception {
        sendOrders(4);
        app.resetProcessor("printer", "$");

        CliProcess.Result badId = cli.run("processor", "reset", APP, "printer", "--start", "yesterday");
        CliProcess.Result badProcessor = cli.run("processor", "reset", APP, "pinter");

        assertThat(badId.exit()).isEqualTo(2);
        assertThat(badId.stderr()).contains("start id 'yesterday' is not a stream id");
        assertThat(badProcessor.exit()).isEqualTo(2);
        assertThat(badProcessor.stderr()).contains("has no processor 'pinter'").contains("[printer, fussy]");
        assertThat(groups("printer")).allSatisfy(info -> assertThat(info.lag()).hasValue(0));
    }

    @Test
    void status_prints_tables_and_json_for_a_running_worker() throws Exception {
        Worker worker = app.worker("printer").start();
        await().atMost(Duration.ofSeconds(60)).until(() -> worker.ownedPartitions("printer").size() == 4
                && worker.isLeader());
        sendOrders(8);
        await().atMost(Duration.ofSeconds(60)).until(() -> app.status().processor("printer").partitions().stream()
                .allMatch(p -> p.lag().orElse(-1) == 0 && p.pending() == 0));
        Status expected = app.status();
        String executor = expected.processor("printer").members().get(0).executor();

        CliProcess.Result table = cli.run("status", APP);
        CliProcess.Result json = cli.run("status", FactoryApp.class.getName(), "--json");

        assertThat(table.exit()).as(table.stderr()).isZero();
        assertThat(table.stdout())
                .contains("app shop at ")
                .contains("leader: " + worker.id())
                .containsPattern("processor printer \\(stream orders, retention acked, assignment generation [1-9]\\d*\\)")
                .contains("processor fussy (stream orders, retention acked, assignment generation 0)")
                .contains("no members")
                .containsPattern("MEMBER +JOINED +HEARTBEAT +PARTITIONS")
                .containsPattern(executor + " +\\S+ +\\d+\\.\\ds ago +0,1,2,3")
                .containsPattern("PARTITION +OWNER +LENGTH +PENDING +OLDEST PENDING +LAG +OLDEST ENTRY "
                        + "+TRIMMED UNPROCESSED +POISONED +STUCK SINCE +IN FLIGHT");
        for (PartitionStatus p : expected.processor("printer").partitions()) {
            // The last column, IN FLIGHT: a loop-form processor's owner reports nothing in flight.
            assertThat(table.stdout()).containsPattern("(?m)^  " + p.partition() + " +" + executor + " +" + p.length()
                    + " +0 +- +0 +" + (p.length() > 0 ? "\\d+\\.\\ds" : "-") + " +0 +no +- +-$");
        }
        assertThat(json.exit()).as(json.stderr()).isZero();
        JsonNode root = JSON.readTree(json.stdout());
        assertThat(root.path("app").asText()).isEqualTo("shop");
        assertThat(Instant.parse(root.path("at").asText())).isAfter(expected.at());
        assertThat(root.path("leader").asText()).isEqualTo(worker.id());
        JsonNode printer = root.path("processors").get(0);
        assertThat(printer.path("name").asText()).isEqualTo("printer");
        assertThat(printer.path("stream").asText()).isEqualTo("orders");
        assertThat(printer.path("retention").asText()).isEqualTo("acked");
        assertThat(printer.path("assignment_generation").asLong()).isPositive();
        assertThat(printer.path("members")).hasSize(1);
        JsonNode member = printer.path("members").get(0);
        assertThat(member.path("executor").asText()).isEqualTo(executor);
        assertThat(Instant.parse(member.path("joined_at").asText()))
                .isEqualTo(expected.processor("printer").members().get(0).joinedAt());
        assertThat(member.path("heartbeat_age_ms").asLong()).isBetween(0L, 4000L);
        assertThat(member.path("partitions").toString()).isEqualTo("[0,1,2,3]");
        long total = 0;
        for (int p = 0; p < 4; p++) {
            JsonNode partition = printer.path("partitions").get(p);
            assertThat(partition.path("partition").asInt()).isEqualTo(p);
            assertThat(partition.path("owner").asText()).isEqualTo(executor);
            assertThat(partition.path("length").asLong()).isEqualTo(expected.processor("printer").partition(p).length());
            assertThat(partition.path("pending").asLong()).isZero();
            assertThat(partition.path("oldest_pending_age_ms").isNull()).isTrue();
            assertThat(partition.path("lag").asLong()).isZero();
            assertThat(partition.path("oldest_entry_age_ms").isNull())
                    .isEqualTo(expected.processor("printer").partition(p).length() == 0);
            assertThat(partition.path("trimmed_unprocessed").asLong()).isZero();
            assertThat(partition.path("poisoned").asBoolean()).isFalse();
            assertThat(partition.path("stuck_since").isNull()).isTrue();
            assertThat(partition.path("halted").isNull()).isTrue();
            total += partition.path("length").asLong();
        }
        assertThat(total).isEqualTo(8);
        JsonNode fussy = root.path("processors").get(1);
        assertThat(fussy.path("name").asText()).isEqualTo("fussy");
        assertThat(fussy.path("members")).isEmpty();
        assertThat(fussy.path("partitions").get(0).path("owner").isNull()).isTrue();
        assertThat(fussy.path("partitions").get(0).path("lag").isNull()).as("no group yet").isTrue();
    }

    @Test
    void every_command_answers_help_with_its_usage_and_exit_0() throws Exception {
        Map<List<String>, String> usages = Map.of(
                List.of("--help"), "Usage: runnel [-hV] [-cp=PATH] COMMAND",
                List.of("--version"), "runnel 0.1.0-SNAPSHOT",
                List.of("worker", "--help"), "Usage: runnel worker [-hV] [--processors=NAME[,NAME...]]... <AppClass>",
                List.of("send", "--help"), "Usage: runnel send [-hV] <AppClass> <stream> <json>",
                List.of("sendmany", "-h"), "Usage: runnel sendmany [-hV] <AppClass> <stream> <file.jsonl|->",
                List.of("processor", "reset", "--help"), "Usage: runnel processor reset [-hV] [--start=ID] <AppClass>",
                List.of("status", "--help"), "Usage: runnel status [-hV] [--json] <AppClass>");
        for (Map.Entry<List<String>, String> usage : usages.entrySet()) {
            CliProcess.Result result = cli.run(usage.getKey().toArray(String[]::new));
            assertThat(result.exit()).as(usage.getKey() + ": " + result.stderr()).isZero();
            assertThat(result.stdout()).as(usage.getKey().toString()).startsWith(usage.getValue());
        }
    }

    @Test
    void an_unknown_class_or_a_class_that_is_no_app_is_a_configuration_error() throws Exception {
        CliProcess.Result missing = cli.run("status", "com.example.Missing");
        CliProcess.Result notAnApp = cli.run("send", NotAnApp.class.getName(), "orders", "{}");

        assertThat(missing.exit()).isEqualTo(3);
        assertThat(missing.stderr()).contains("class com.example.Missing is not on the classpath")
                .contains("RUNNEL_CLASSPATH");
        assertThat(notAnApp.exit()).isEqualTo(3);
        assertThat(notAnApp.stderr()).contains("is not a Runnel app").contains("io.runnel.engine.RunnelApp");
        assertThat(missing.stdout() + notAnApp.stdout()).isEmpty();
    }

    @Test
    void a_classpath_entry_that_does_not_exist_is_a_configuration_error() throws Exception {
        CliProcess.Result option = cli.run("--classpath", "target/no-such-dir", "status", APP);
        CliProcess.Result variable = cli.with("RUNNEL_CLASSPATH", "target/no-such.jar").run("status", APP);

        assertThat(option.exit()).isEqualTo(3);
        assertThat(option.stderr()).contains("classpath entry target/no-such-dir does not exist");
        assertThat(variable.exit()).isEqualTo(3);
        assertThat(variable.stderr()).contains("classpath entry target/no-such.jar does not exist");
    }

    @Test
    void an_unknown_stream_or_processor_is_bad_input() throws Exception {
        CliProcess.Result stream = cli.run("send", APP, "ordres", "{}");
        CliProcess.Result processor = cli.run("worker", APP, "--processors", "printer,nope");
        CliProcess.Result noCommand = cli.run("processor");

        assertThat(stream.exit()).isEqualTo(2);
        assertThat(stream.stderr()).contains("has no stream 'ordres'").contains("[orders]");
        assertThat(processor.exit()).isEqualTo(2);
        assertThat(processor.stderr()).contains("has no processor 'nope'");
        assertThat(noCommand.exit()).isEqualTo(2);
        assertThat(noCommand.stderr()).contains("name a processor command: reset");
        assertThat(redisView.get("__memb:shop.orders.printer")).as("the worker never joined").isEmpty();
        assertThat(stored()).isEmpty();
    }

    @Test
    void an_unreachable_redis_exits_4_without_showing_the_password() throws Exception {
        CliProcess.Result result = cli.with("RUNNEL_REDIS_URL", "redis://user:s3cret@127.0.0.1:1")
                .run("send", APP, "orders", "{\"orderId\": 1, \"customer\": \"a\", \"amount\": 1, \"createdAt\": null}");

        assertThat(result.exit()).isEqualTo(4);
        assertThat(result.stderr()).startsWith("runnel: ").doesNotContain("s3cret");
    }
}
