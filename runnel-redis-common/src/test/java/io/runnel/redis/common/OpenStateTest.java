// SPDX-License-Identifier: Apache-2.0

package io.runnel.redis.common;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatCode;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.runnel.api.transport.TransportException;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;

class OpenStateTest {
    private final OpenState state = new OpenState(() -> new TransportException("closed"));

    @Test
    void closesOnceAndThenFailsCalls() {
        List<String> released = new ArrayList<>();
        assertThatCode(state::ensureOpen).doesNotThrowAnyException();

        state.close(() -> released.add("first"));
        state.close(() -> released.add("again"));

        assertThat(released).containsExactly("first");
        assertThat(state.isClosed()).isTrue();
        assertThatThrownBy(state::ensureOpen).isInstanceOf(TransportException.class).hasMessage("closed");
    }

    @Test
    void everyStepRunsEvenAfterOneFails() {
        List<String> released = new ArrayList<>();

        assertThatThrownBy(() -> state.close(
                () -> {
                    throw new IllegalStateException("first");
                },
                () -> released.add("second"),
                () -> {
                    throw new IllegalStateException("third");
                }))
                .hasMessage("first")
                .satisfies(e -> assertThat(e.getSuppressed()).extracting(Throwable::getMessage).containsExactly("third"));
        assertThat(released).containsExactly("second");
    }
}
