// SPDX-License-Identifier: Apache-2.0

package io.runnel.testkit;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.runnel.api.transport.TransportArgs;
import java.time.Duration;
import org.junit.jupiter.api.Test;

/**
 * The argument rules of the Transport contract, one by one; the conformance suite checks
 * that every transport applies them.
 */
class TransportArgsTest {

    @Test
    void onlyAPositiveBlockBlocks() {
        assertThat(TransportArgs.isBlocking(null)).isFalse();
        assertThat(TransportArgs.isBlocking(Duration.ZERO)).isFalse();
        assertThat(TransportArgs.isBlocking(Duration.ofMillis(-1))).isFalse();
        assertThat(TransportArgs.isBlocking(Duration.ofNanos(1))).isTrue();

        assertThat(TransportArgs.blockMillis(null)).isZero();
        assertThat(TransportArgs.blockMillis(Duration.ofSeconds(-3))).isZero();
        assertThat(TransportArgs.blockMillis(Duration.ofNanos(1))).as("rounded up, never BLOCK 0").isEqualTo(1);
        assertThat(TransportArgs.blockMillis(Duration.ofMillis(250))).isEqualTo(250);
    }

    @Test
    void aCountOfZeroOrLessIsNoLimit() {
        assertThat(TransportArgs.hasLimit(1)).isTrue();
        assertThat(TransportArgs.hasLimit(0)).isFalse();
        assertThat(TransportArgs.hasLimit(-1)).isFalse();
    }

    @Test
    void timesToLiveArePositiveAndRoundUpToWholeMilliseconds() {
        assertThat(TransportArgs.ttlMillis(Duration.ofSeconds(2))).isEqualTo(2000);
        assertThat(TransportArgs.ttlMillis(Duration.ofNanos(1_000_001))).isEqualTo(2);
        assertThat(TransportArgs.ttlMillisOrZero(null)).as("no expiry").isZero();
        assertThat(TransportArgs.ttlMillisOrZero(Duration.ofNanos(1))).isEqualTo(1);

        assertThatThrownBy(() -> TransportArgs.ttlMillis(null)).isInstanceOf(NullPointerException.class);
        assertThatThrownBy(() -> TransportArgs.ttlMillis(Duration.ZERO))
                .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("positive");
        assertThatThrownBy(() -> TransportArgs.ttlMillisOrZero(Duration.ofMillis(-5)))
                .isInstanceOf(IllegalArgumentException.class);
    }
}
