// SPDX-License-Identifier: Apache-2.0

package io.runnel.compress;

import com.github.luben.zstd.Zstd;
import io.runnel.api.SerializationException;
import org.junit.jupiter.api.Test;

import java.io.ByteArrayOutputStream;
import java.nio.charset.StandardCharsets;
import java.util.Arrays;
import java.util.HexFormat;
import java.util.Random;

import static io.runnel.compress.Lz4CompressorTest.SMALL_JSON;
import static io.runnel.compress.Lz4CompressorTest.noise;
import static io.runnel.compress.Lz4CompressorTest.text;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

/** Zstandard frames: ours are standard, others' (the zstd tool's, streamed without a content size) are read. */
class ZstdCompressorTest {

    private final ZstdCompressor zstd = new ZstdCompressor();

    /** {@code printf '{"key":"user-1","seq":1}' | zstd -c}: streamed, so no content size; with a checksum. */
    static final String CLI_SMALL = "28b52ffd0458c100007b226b6579223a22757365722d31222c22736571223a317d1875a2cb";

    @Test
    void output_is_a_standard_zstd_frame_with_content_size_and_checksum() {
        byte[] out = zstd.compress(SMALL_JSON);
        // Magic number 0xFD2FB528, little-endian.
        assertThat(Arrays.copyOf(out, 4)).containsExactly(0x28, 0xB5, 0x2F, 0xFD);
        int descriptor = out[4] & 0xFF;
        assertThat(descriptor & 0x04).as("checksum flag").isNotZero();
        assertThat(Zstd.getFrameContentSize(out)).isEqualTo(SMALL_JSON.length);
        assertThat(Zstd.decompress(out, SMALL_JSON.length)).isEqualTo(SMALL_JSON);
    }

    @Test
    void reads_frames_of_the_zstd_tool_without_a_content_size() {
        assertThat(zstd.decompress(HexFormat.of().parseHex(CLI_SMALL))).isEqualTo(SMALL_JSON);
    }

    @Test
    void reads_concatenated_frames_as_one_payload() {
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        out.writeBytes(zstd.compress("hello ".getBytes(StandardCharsets.UTF_8)));
        out.writeBytes(HexFormat.of().parseHex(CLI_SMALL));
        assertThat(new String(zstd.decompress(out.toByteArray()), StandardCharsets.UTF_8))
                .isEqualTo("hello {\"key\":\"user-1\",\"seq\":1}");
    }

    @Test
    void levels_trade_speed_for_size_and_all_read_back() {
        byte[] payload = text(300_000);
        byte[] fast = new ZstdCompressor(1, ZstdCompressor.DEFAULT_MAX_DECOMPRESSED_BYTES).compress(payload);
        byte[] small = new ZstdCompressor(19, ZstdCompressor.DEFAULT_MAX_DECOMPRESSED_BYTES).compress(payload);
        assertThat(small.length).isLessThan(fast.length);
        assertThat(zstd.decompress(fast)).isEqualTo(payload);
        assertThat(zstd.decompress(small)).isEqualTo(payload);
        assertThat(zstd.decompress(new ZstdCompressor(-5, 1 << 20).compress(payload))).isEqualTo(payload);
        assertThatThrownBy(() -> new ZstdCompressor(99, 1)).isInstanceOf(IllegalArgumentException.class);
        assertThatThrownBy(() -> new ZstdCompressor(3, 0)).isInstanceOf(IllegalArgumentException.class);
    }

    @Test
    void every_truncation_is_a_serialization_exception_and_no_flipped_byte_yields_wrong_data() {
        byte[] text = text(70_000);
        byte[] small = HexFormat.of().parseHex(CLI_SMALL);
        for (byte[][] pair : new byte[][][] {{zstd.compress(text), text}, {small, SMALL_JSON}}) {
            byte[] frame = pair[0];
            for (int length = 0; length < frame.length; length++) {
                byte[] prefix = Arrays.copyOf(frame, length);
                assertThatThrownBy(() -> zstd.decompress(prefix)).as("first %d of %d bytes", length, frame.length)
                        .isExactlyInstanceOf(SerializationException.class);
            }
            // The checksum catches every change of content; a flip that leaves the content as it was
            // (another back-reference to equal bytes, an unused header bit) is harmless.
            for (int i = 0; i < frame.length; i++) {
                byte[] corrupt = frame.clone();
                corrupt[i] ^= (byte) (1 + i % 255);
                try {
                    assertThat(zstd.decompress(corrupt)).as("byte %d of %d", i, frame.length).isEqualTo(pair[1]);
                } catch (SerializationException expected) {
                    // detected
                }
            }
        }
    }

    @Test
    void random_mutations_never_escape_as_anything_but_a_serialization_exception() {
        Random random = new Random(42);
        byte[][] seeds = {zstd.compress(text(100_000)), zstd.compress(noise(3000, 3)), HexFormat.of().parseHex(CLI_SMALL)};
        for (int round = 0; round < 6_000; round++) {
            byte[] mutated = seeds[round % seeds.length].clone();
            for (int flips = 1 + random.nextInt(4); flips > 0; flips--) {
                mutated[random.nextInt(mutated.length)] = (byte) random.nextInt(256);
            }
            try {
                zstd.decompress(mutated);
            } catch (SerializationException expected) {
                // fine: the only way a corrupt payload may fail
            }
        }
    }

    @Test
    void malformed_payloads_are_serialization_exceptions() {
        byte[] good = zstd.compress(SMALL_JSON);
        for (byte[] bad : new byte[][] {new byte[0], "{\"key\":1}".getBytes(StandardCharsets.UTF_8),
                Arrays.copyOf(good, good.length + 3), noise(64, 9)}) {
            assertThatThrownBy(() -> zstd.decompress(bad)).isExactlyInstanceOf(SerializationException.class)
                    .hasMessageContaining("zstd");
        }
        assertThatThrownBy(() -> zstd.decompress(null)).isExactlyInstanceOf(SerializationException.class);
    }

    @Test
    void a_payload_expanding_beyond_the_limit_is_refused() {
        ZstdCompressor bounded = new ZstdCompressor(3, 100_000);
        assertThat(bounded.decompress(bounded.compress(new byte[100_000]))).hasSize(100_000);
        assertThatThrownBy(() -> bounded.decompress(bounded.compress(new byte[100_001])))
                .isExactlyInstanceOf(SerializationException.class).hasMessageContaining("100000");
    }

    @Test
    void the_limit_also_holds_for_frames_that_do_not_declare_their_size() throws Exception {
        ZstdCompressor bounded = new ZstdCompressor(3, 100_000);
        byte[] fits = streamed(new byte[100_000]);
        byte[] tooBig = streamed(new byte[100_001]);
        // A streaming encoder leaves the size out, so these take the streaming decoder's path.
        assertThat(Zstd.getFrameContentSize(tooBig)).isNegative();
        assertThat(bounded.decompress(fits)).hasSize(100_000);
        assertThatThrownBy(() -> bounded.decompress(tooBig))
                .isExactlyInstanceOf(SerializationException.class).hasMessageContaining("expands beyond 100000");
    }

    private static byte[] streamed(byte[] data) throws java.io.IOException {
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        try (var zstd = new com.github.luben.zstd.ZstdOutputStreamNoFinalizer(out)) {
            zstd.write(data);
        }
        return out.toByteArray();
    }
}
