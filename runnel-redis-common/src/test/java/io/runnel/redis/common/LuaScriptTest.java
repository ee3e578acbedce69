// SPDX-License-Identifier: Apache-2.0

package io.runnel.redis.common;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;

class LuaScriptTest {

    /** A server whose script cache holds the script only for keys in {@code loadedFor}. */
    private static final class FakeServer implements LuaScript.Runner {
        final List<String> sent = new ArrayList<>();
        final List<String> loadedFor;

        FakeServer(List<String> loadedFor) {
            this.loadedFor = loadedFor;
        }

        @Override
        public List<Object> send(String command, String scriptOrSha, boolean array, List<LuaScript.Run> runs) {
            List<Object> replies = new ArrayList<>();
            for (LuaScript.Run run : runs) {
                String key = run.keys().get(0);
                sent.add(command + " " + key);
                if (key.startsWith("error")) {
                    replies.add(new IllegalStateException("WRONGTYPE " + key));
                } else if (command.equals("EVALSHA") && !loadedFor.contains(key)) {
                    replies.add(new IllegalStateException("NOSCRIPT No matching script"));
                } else {
                    replies.add((long) key.length());
                }
            }
            return replies;
        }
    }

    @Test
    void runsBySha1AndFallsBackToTheSourceOnlyWhereTheScriptWasMissing() {
        FakeServer server = new FakeServer(List.of("a", "ccc"));

        List<Long> results = LuaScript.EXTEND_IF_OWNER.runPerKey(List.of("a", "bb", "ccc"), server,
                error -> new IllegalArgumentException(error), new byte[0]);

        assertThat(results).containsExactly(1L, 2L, 3L);
        assertThat(server.sent).containsExactly("EVALSHA a", "EVALSHA bb", "EVALSHA ccc", "EVAL bb");
    }

    @Test
    void oneRoundTripWhenTheScriptIsLoaded() {
        FakeServer server = new FakeServer(List.of("a", "b"));

        assertThat(LuaScript.GROUP_EXISTS.runPerKey(List.of("a", "b"), server, IllegalArgumentException::new, new byte[0]))
                .containsExactly(1L, 1L);
        assertThat(server.sent).containsExactly("EVALSHA a", "EVALSHA b");
    }

    @Test
    void anErrorReplyFailsTheRun() {
        FakeServer server = new FakeServer(List.of("a", "error-key"));

        assertThatThrownBy(() -> LuaScript.DELETE_IF_OWNER.runPerKey(List.of("a", "error-key"), server,
                error -> new IllegalArgumentException("failed: " + error.getMessage()), new byte[0]))
                .isInstanceOf(IllegalArgumentException.class).hasMessage("failed: WRONGTYPE error-key");
    }
}
