// SPDX-License-Identifier: Apache-2.0

package io.runnel.redis.common;

import static org.assertj.core.api.Assertions.assertThat;

import io.runnel.api.transport.GroupInfo;
import java.nio.charset.StandardCharsets;
import java.util.List;
import java.util.Optional;
import java.util.OptionalLong;
import org.junit.jupiter.api.Test;

class GroupInfoScriptTest {

    private static byte[] bytes(String text) {
        return text.getBytes(StandardCharsets.UTF_8);
    }

    @Test
    void anEmptyReplyMeansNoStreamOrNoGroup() {
        assertThat(GroupInfoScript.parse(List.of())).isEmpty();
        assertThat(GroupInfoScript.parse(null)).isEmpty();
    }

    @Test
    void readsBulkStringsAsBytesOrText() {
        assertThat(GroupInfoScript.parse(List.of(2L, bytes("5-0"), bytes("7-1"), 3L)))
                .contains(new GroupInfo(2, Optional.of("5-0"), "7-1", OptionalLong.of(3)));
        assertThat(GroupInfoScript.parse(List.of(2L, "5-0", "7-1", 3L)))
                .contains(new GroupInfo(2, Optional.of("5-0"), "7-1", OptionalLong.of(3)));
    }

    @Test
    void readsTheEntriesReadWhenKnown() {
        assertThat(GroupInfoScript.parse(List.of(2L, "5-0", "7-1", 3L, 12L, 4L)))
                .contains(new GroupInfo(2, Optional.of("5-0"), "7-1", OptionalLong.of(3), OptionalLong.of(12), 4));
        assertThat(GroupInfoScript.parse(List.of(2L, "5-0", "7-1", 3L, -1L, 1L)))
                .contains(new GroupInfo(2, Optional.of("5-0"), "7-1", OptionalLong.of(3), OptionalLong.empty(), 1));
    }

    @Test
    void anEmptyOldestIdMeansNothingPendingAndMinusOneMeansUnknownLag() {
        assertThat(GroupInfoScript.parse(List.of(0L, bytes(""), bytes("0-0"), -1L)))
                .contains(new GroupInfo(0, Optional.empty(), "0-0", OptionalLong.empty()));
    }
}
