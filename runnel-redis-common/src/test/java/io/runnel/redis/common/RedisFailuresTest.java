// SPDX-License-Identifier: Apache-2.0

package io.runnel.redis.common;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.runnel.api.transport.CommandRejected;
import io.runnel.api.transport.ConnectionUrl;
import io.runnel.api.transport.ServerOutOfMemory;
import java.io.IOException;
import java.time.Duration;
import org.junit.jupiter.api.Test;

class RedisFailuresTest {
    private final RedisFailures failures = new RedisFailures(ConnectionUrl.parse("redis://:s3cret@h:1"),
            error -> switch (error.getClass().getSimpleName()) {
                case "IOException" -> RedisFailures.Kind.CONNECTION;
                case "IllegalStateException" -> RedisFailures.Kind.ERROR_REPLY;
                default -> RedisFailures.Kind.OTHER;
            });

    @Test
    void translationsNameTheOperationAndTheRedactedServer() {
        assertThat(failures.translate("XLEN", new IllegalStateException("WRONGTYPE s3cret")))
                .hasMessage("XLEN was rejected by redis://***@h:1: WRONGTYPE ***");
        assertThat(failures.translate("GET", new IOException("refused")))
                .hasMessage("cannot connect to redis://***@h:1 for GET: refused");
        assertThat(failures.translate("", new IOException("refused")))
                .hasMessage("cannot connect to redis://***@h:1: refused");
        assertThat(failures.translate("SET", new RuntimeException("broken")))
                .hasMessage("SET failed on redis://***@h:1: broken");
    }

    @Test
    void errorRepliesAreRefusalsWithTheServersErrorCode() {
        assertThat(failures.translate("XLEN", new IllegalStateException("WRONGTYPE Operation against a key")))
                .isInstanceOfSatisfying(CommandRejected.class, e -> {
                    assertThat(e.errorCode()).isEqualTo("WRONGTYPE");
                    assertThat(e.isWrongType()).isTrue();
                });
        assertThat(failures.translate("AUTH", new IllegalStateException("s3cret")))
                .isInstanceOfSatisfying(CommandRejected.class, e -> assertThat(e.errorCode()).isEqualTo("***"));
        assertThat(failures.translate("XADD", new IllegalStateException("  ")))
                .isInstanceOfSatisfying(CommandRejected.class, e -> assertThat(e.errorCode()).isEqualTo("ERR"));
        assertThat(failures.translate("GET", new IOException("refused"))).isNotInstanceOf(CommandRejected.class);
        assertThat(failures.translate("SET", new RuntimeException("broken"))).isNotInstanceOf(CommandRejected.class);
    }

    @Test
    void errorRepliesAboutTheServersStateAreOutagesNotRefusals() {
        for (String reply : new String[] {"CLUSTERDOWN The cluster is down", "TRYAGAIN Multiple keys request during rehashing of slot",
                "LOADING Redis is loading the dataset in memory", "MASTERDOWN Link with MASTER is down"}) {
            assertThat(failures.translate("XREADGROUP", new IllegalStateException(reply)))
                    .as(reply)
                    .isNotInstanceOf(CommandRejected.class)
                    .hasMessage("XREADGROUP could not be served by redis://***@h:1 for now: " + reply);
        }
    }

    @Test
    void aRefusalAtMaxmemoryIsServerOutOfMemoryWithTheRemedy() {
        assertThat(failures.translate("XADD", new IllegalStateException(
                "OOM command not allowed when used memory > 'maxmemory'. script: abc, on @user_script:1.")))
                .isInstanceOfSatisfying(ServerOutOfMemory.class, e -> {
                    assertThat(e.errorCode()).isEqualTo("OOM");
                    assertThat(e.getMessage()).isEqualTo("XADD was refused by redis://***@h:1 because its memory is "
                            + "full (used memory above maxmemory, and its policy evicts nothing): OOM command not "
                            + "allowed when used memory > 'maxmemory'. script: abc, on @user_script:1. "
                            + ServerOutOfMemory.REMEDY + ".");
                });
        assertThat(failures.translate("XADD", new IllegalStateException("OOMISH")))
                .isNotInstanceOf(ServerOutOfMemory.class);
    }

    @Test
    void aWrappedReasonIsAddedToTheMessage() {
        RuntimeException wrapped = new RuntimeException("Unable to connect", new IOException("Connection refused"));
        RuntimeException withSuppressed = new RuntimeException("Failed to connect");
        withSuppressed.addSuppressed(new IOException("No route to host"));

        assertThat(RedisFailures.describe(wrapped)).isEqualTo("Unable to connect (Connection refused)");
        assertThat(RedisFailures.describe(withSuppressed)).isEqualTo("Failed to connect (No route to host)");
        assertThat(RedisFailures.describe(new RuntimeException("x", new IOException()))).isEqualTo("x (IOException)");
    }

    @Test
    void ourOwnFailuresNameTheServerToo() {
        assertThat(failures.closed()).hasMessage("the transport is closed (redis://***@h:1)");
        assertThat(failures.interrupted("XREAD", null)).hasMessage("XREAD was interrupted (redis://***@h:1)");
        assertThat(failures.closing("XREAD", new IOException("s3cret")))
                .hasMessage("XREAD was cancelled, the transport is closing (redis://***@h:1)")
                .cause().hasMessageNotContaining("s3cret");
        assertThat(failures.invalidUrl("bad s3cret")).hasMessage("invalid Redis URL redis://***@h:1 (bad ***)")
                .hasNoCause();
    }

    @Test
    void aUrlTimeoutMustBePositiveAndABlockingReadWaitsItOnTopOfTheBlock() {
        assertThat(CommandTimeout.requirePositive(Duration.ofMillis(1), "1")).isEqualTo(Duration.ofMillis(1));
        assertThatThrownBy(() -> CommandTimeout.requirePositive(Duration.ZERO, "0"))
                .isInstanceOf(IllegalArgumentException.class).hasMessage("the timeout must be positive, not '0'");
        assertThat(CommandTimeout.forBlockingRead(Duration.ofMillis(200), Duration.ofMillis(800)))
                .isEqualTo(Duration.ofSeconds(1));
    }
}
