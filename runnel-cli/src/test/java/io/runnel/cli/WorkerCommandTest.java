// SPDX-License-Identifier: Apache-2.0

package io.runnel.cli;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.runnel.engine.PartitionStatus;
import io.runnel.engine.ProcessorStatus;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;

import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

/** {@code runnel worker} as a real process: processing, SIGTERM/SIGINT, failures, and its logs in both formats. */
@Tag("redis")
@Tag("process")
class WorkerCommandTest extends CliTestBase {
    private static final String APP = ShopApp.class.getName();
    private static final ObjectMapper JSON = new ObjectMapper();
    private static final Duration PATIENCE = Duration.ofSeconds(90);

    private static ShopApp.Order order(long id, double amount) {
        return new ShopApp.Order(id, "customer-" + id, amount, Instant.parse("2024-01-02T03:04:05Z"));
    }

    /** Waits until the child's executor owns every partition of the processor. */
    private void awaitOwnsEverything(String processor) {
        await().atMost(PATIENCE).until(() -> {
            ProcessorStatus status = app.status().processor(processor);
            return status.members().size() == 1
                    && status.partitions().stream().allMatch(p -> p.owner().isPresent());
        });
    }

    private static void signal(Process process, String signal) throws Exception {
        Process kill = new ProcessBuilder("kill", "-" + signal, Long.toString(process.pid())).start();
        assertThat(kill.waitFor(30, TimeUnit.SECONDS)).isTrue();
        assertThat(kill.exitValue()).isZero();
    }

    private void assertLeftCleanly(String processor) {
        ProcessorStatus status = app.status().processor(processor);
        assertThat(status.members()).as("departure announced").isEmpty();
        for (PartitionStatus p : status.partitions()) {
            assertThat(p.owner()).as("lock of %s released", p.partition()).isEmpty();
            assertThat(p.pending()).as("acks of %s flushed", p.partition()).isZero();
            assertThat(p.lag()).as("everything of %s delivered", p.partition()).hasValue(0);
        }
    }

    @Test
    void worker_processes_events_and_exits_0_on_sigterm_after_leaving_cleanly() throws Exception {
        CliProcess.Running worker = cli.start("worker", APP, "--processors", "printer");
        awaitOwnsEverything("printer");
        List<ShopApp.Order> sent = new ArrayList<>();
        for (int i = 0; i < 6; i++) {
            sent.add(order(i, i));
        }
        orders().sendAll(sent);
        await().atMost(PATIENCE).untilAsserted(() -> {
            for (ShopApp.Order o : sent) {
                assertThat(worker.stdout()).contains("printer: order " + o.orderId() + " of " + o.customer());
            }
        });

        worker.process().destroy(); // SIGTERM
        CliProcess.Result result = worker.awaitExit();

        assertThat(result.exit()).as(result.stderr()).isZero();
        assertThat(result.stderr()).contains("received SIGTERM").contains("worker stopped");
        assertThat(result.stdout()).as("logs go to stderr").doesNotContain("printed order");
        // Console lines carry the MDC: the processor's own line has all five keys.
        assertThat(result.stderr()).containsPattern(
                "INFO  io\\.runnel\\.cli\\.ShopApp worker=\\S+ executor=\\S+ stream=orders processor=printer partition=\\d - printed order 3");
        assertThat(app.status().processor("fussy").members()).as("only the named processor ran").isEmpty();
        assertLeftCleanly("printer");
    }

    @Test
    void json_logs_are_one_object_per_line_with_the_mdc_and_sigint_stops_with_exit_0() throws Exception {
        CliProcess.Running worker = cli.with("RUNNEL_LOG_FORMAT", "json").with("RUNNEL_LOG_LEVEL", "DEBUG")
                .start("worker", APP, "--processors", "printer");
        awaitOwnsEverything("printer");
        orders().send(order(42, 1));
        await().atMost(PATIENCE).until(() -> worker.stderr().contains("printed order 42"));

        signal(worker.process(), "INT");
        CliProcess.Result result = worker.awaitExit();

        assertThat(result.exit()).as(result.stderr()).isZero();
        List<JsonNode> lines = new ArrayList<>();
        for (String line : result.stderr().split("\n")) {
            if (!line.isBlank()) {
                lines.add(JSON.readTree(line)); // throws if a line is not JSON
            }
        }
        assertThat(lines).allSatisfy(line -> {
            assertThat(line.isObject()).isTrue();
            assertThat(line.has("timestamp")).isTrue();
            assertThat(line.path("level").asText()).isIn("TRACE", "DEBUG", "INFO", "WARN", "ERROR");
            assertThat(line.has("loggerName")).isTrue();
            assertThat(line.has("formattedMessage")).isTrue();
        });
        assertThat(lines).anySatisfy(line -> assertThat(line.path("level").asText()).isEqualTo("DEBUG"));
        JsonNode printed = lines.stream().filter(l -> l.path("formattedMessage").asText().equals("printed order 42"))
                .findFirst().orElseThrow();
        JsonNode mdc = printed.path("mdc");
        assertThat(mdc.path("worker").asText()).isNotBlank();
        assertThat(mdc.path("executor").asText()).isNotBlank();
        assertThat(mdc.path("stream").asText()).isEqualTo("orders");
        assertThat(mdc.path("processor").asText()).isEqualTo("printer");
        assertThat(mdc.path("partition").asInt()).isEqualTo(orders().partitionOf(order(42, 1)));
        assertThat(lines).anySatisfy(line ->
                assertThat(line.path("formattedMessage").asText()).startsWith("received SIGINT"));
        assertLeftCleanly("printer");
    }

    @Test
    void worker_exits_1_when_a_processor_halts_it() throws Exception {
        CliProcess.Running worker = cli.start("worker", APP, "--processors", "fussy");
        awaitOwnsEverything("fussy");
        orders().sendAll(List.of(order(1, 5), order(2, -5)));

        CliProcess.Result result = worker.awaitExit();

        assertThat(result.exit()).isEqualTo(1);
        assertThat(result.stderr()).contains("runnel: worker ").contains("stopped with an error")
                .contains("negative amount in order 2");
        ProcessorStatus fussy = app.status().processor("fussy");
        assertThat(fussy.members()).isEmpty();
        assertThat(fussy.partition(orders().partitionOf(order(2, -5))).pending())
                .as("the failed event stays pending").isEqualTo(1);
    }

    @Test
    void a_bad_log_setting_is_a_configuration_error() throws Exception {
        CliProcess.Result result = cli.with("RUNNEL_LOG_FORMAT", "xml").run("status", APP);

        assertThat(result.exit()).isEqualTo(3);
        assertThat(result.stderr()).contains("RUNNEL_LOG_FORMAT").contains("'xml'").contains("console or json");
    }
}
