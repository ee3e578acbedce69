// SPDX-License-Identifier: Apache-2.0

package io.runnel.compress;

import io.runnel.api.SerializationException;
import net.jpountz.lz4.LZ4FrameInputStream;
import net.jpountz.lz4.LZ4FrameOutputStream;
import net.jpountz.xxhash.XXHashFactory;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

import java.io.ByteArrayInputStream;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.util.Arrays;
import java.util.HexFormat;
import java.util.Random;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

/**
 * The LZ4 frame format, checked against lz4-java's reference frame streams, the
 * {@code lz4} command line tool and Python's {@code lz4.frame} (python3-lz4 4.0.2, the
 * library Python runnel's LZ4 compressor calls). The Python vectors were made with
 * {@code lz4.frame.compress(...)} at its defaults unless noted; the tool's with
 * {@code lz4 --content-size -BX}.
 */
class Lz4CompressorTest {

    private final Lz4Compressor lz4 = new Lz4Compressor();

    static final byte[] SMALL_JSON = "{\"key\":\"user-1\",\"seq\":1}".getBytes(StandardCharsets.UTF_8);
    /** {@code lz4.frame.compress(b'{"user_id":"user-1","seq":1,"created_at":"2024-01-02T03:04:05+00:00","amount":1.5}')}. */
    static final String PYTHON_SMALL = "04224d186840520000000000000021520000807b22757365725f6964223a22757365722d31222c2273"
            + "6571223a312c22637265617465645f6174223a22323032342d30312d30325430333a30343a30352b30303a3030222c22616d6f756e7422"
            + "3a312e357d00000000";
    static final String PYTHON_SMALL_JSON =
            "{\"user_id\":\"user-1\",\"seq\":1,\"created_at\":\"2024-01-02T03:04:05+00:00\",\"amount\":1.5}";
    /** {@code lz4.frame.compress(b'')}. */
    static final String PYTHON_EMPTY = "04224d1860408200000000";
    /** {@code lz4 --content-size -BX} of {@link #SMALL_JSON}: block and content checksums. */
    static final String CLI_SMALL = "04224d187c4018000000000000000c180000807b226b6579223a22757365722d31222c22736571223a31"
            + "7ddbf25ee100000000dbf25ee1";

    /** 1000 pseudo-random bytes repeated 100 times: 100,000 bytes, two 64 KiB blocks, the second referring into the first. */
    static byte[] pythonLinkedPayload() {
        byte[] period = new byte[1000];
        for (int i = 0; i < period.length; i++) {
            period[i] = (byte) ((i * i * 31 + 7 * i) % 251);
        }
        byte[] all = new byte[100_000];
        for (int i = 0; i < all.length; i += period.length) {
            System.arraycopy(period, 0, all, i, period.length);
        }
        return all;
    }

    static byte[] resource(String name) throws IOException {
        try (InputStream in = Lz4CompressorTest.class.getResourceAsStream(name)) {
            assertThat(in).as(name).isNotNull();
            return HexFormat.of().parseHex(new String(in.readAllBytes(), StandardCharsets.US_ASCII).strip());
        }
    }

    // ------------------------------------------------------------------ what we write

    @Test
    void output_is_an_lz4_frame_with_the_magic_number_little_endian() {
        byte[] out = lz4.compress(SMALL_JSON);
        // 0x184D2204, least significant byte first.
        assertThat(Arrays.copyOf(out, 4)).containsExactly(0x04, 0x22, 0x4D, 0x18);
        // FLG: version 01, independent blocks, content size, content checksum. BD: 64 KiB blocks.
        assertThat(out[4] & 0xFF).isEqualTo(0x6C);
        assertThat(out[5] & 0xFF).isEqualTo(0x40);
        assertThat(lz4.compress(new byte[0])).startsWith(0x04, 0x22, 0x4D, 0x18);
    }

    @ParameterizedTest
    @ValueSource(ints = {0, 1, 13, 1000, 65535, 65536, 65537, 200_000, 1 << 20})
    void lz4_javas_reference_frame_reader_reads_what_we_write(int size) throws IOException {
        for (byte[] payload : new byte[][] {noise(size, size), text(size)}) {
            byte[] compressed = lz4.compress(payload);
            try (LZ4FrameInputStream in = new LZ4FrameInputStream(new ByteArrayInputStream(compressed))) {
                assertThat(in.readAllBytes()).isEqualTo(payload);
            }
            assertThat(lz4.decompress(compressed)).isEqualTo(payload);
        }
    }

    @Test
    void high_compression_levels_write_smaller_frames_that_read_the_same() {
        byte[] payload = text(300_000);
        byte[] hc = new Lz4Compressor(9, Lz4Compressor.DEFAULT_MAX_DECOMPRESSED_BYTES).compress(payload);
        assertThat(hc.length).isLessThanOrEqualTo(lz4.compress(payload).length);
        assertThat(lz4.decompress(hc)).isEqualTo(payload);
        assertThatThrownBy(() -> new Lz4Compressor(18, 1)).isInstanceOf(IllegalArgumentException.class);
        assertThatThrownBy(() -> new Lz4Compressor(0, 0)).isInstanceOf(IllegalArgumentException.class);
    }

    // ------------------------------------------------------------------ what others write

    @Test
    void reads_frames_written_by_pythons_lz4_frame() throws Exception {
        assertThat(new String(lz4.decompress(HexFormat.of().parseHex(PYTHON_SMALL)), StandardCharsets.UTF_8))
                .isEqualTo(PYTHON_SMALL_JSON);
        assertThat(lz4.decompress(HexFormat.of().parseHex(PYTHON_EMPTY))).isEmpty();
        byte[] expected = pythonLinkedPayload();
        assertThat(sha256(expected)).isEqualTo("1f7b229272149f76c26b9bed022315e076d17a1e8dcb3a24935c2025d8138c02");
        // Payloads over 64 KiB: Python links the blocks (FLG 0x48) ...
        byte[] linked = resource("python-lz4-linked.hex");
        assertThat(linked[4] & 0xFF).isEqualTo(0x48);
        assertThat(lz4.decompress(linked)).isEqualTo(expected);
        // ... also with block_checksum=True, content_checksum=True, store_size=False (FLG 0x54).
        byte[] checked = resource("python-lz4-linked-checksums.hex");
        assertThat(checked[4] & 0xFF).isEqualTo(0x54);
        assertThat(lz4.decompress(checked)).isEqualTo(expected);
    }

    @Test
    void lz4_javas_frame_reader_cannot_read_pythons_linked_blocks_which_is_why_we_decode_frames_ourselves() throws IOException {
        byte[] linked = resource("python-lz4-linked.hex");
        assertThatThrownBy(() -> {
            try (LZ4FrameInputStream in = new LZ4FrameInputStream(new ByteArrayInputStream(linked))) {
                in.readAllBytes();
            }
        }).isInstanceOf(IOException.class)
                // at.yawk.lz4 1.14 says "Invalid or unsupported frame descriptor", org.lz4 1.8 named the flag
                .hasMessageMatching("(?s).*(BLOCK_INDEPENDENCE|unsupported frame descriptor).*");
        // And the vector really links: read as independent blocks, the second block's matches point nowhere.
        byte[] asIndependent = linked.clone();
        asIndependent[4] |= 0x20;
        asIndependent[14] = (byte) (XXHashFactory.safeInstance().hash32().hash(asIndependent, 4, 10, 0) >>> 8);
        assertThatThrownBy(() -> lz4.decompress(asIndependent)).isExactlyInstanceOf(SerializationException.class)
                .hasMessageContaining("match offset");
    }

    @Test
    void reads_frames_written_by_the_lz4_tool_with_block_checksums() {
        assertThat(lz4.decompress(HexFormat.of().parseHex(CLI_SMALL))).isEqualTo(SMALL_JSON);
    }

    @Test
    void reads_frames_of_lz4_javas_reference_writer_with_every_option() throws IOException {
        byte[] payload = text(600_000);
        LZ4FrameOutputStream.BLOCKSIZE[] sizes = LZ4FrameOutputStream.BLOCKSIZE.values();
        LZ4FrameOutputStream.FLG.Bits[][] options = {
                {LZ4FrameOutputStream.FLG.Bits.BLOCK_INDEPENDENCE},
                {LZ4FrameOutputStream.FLG.Bits.BLOCK_INDEPENDENCE, LZ4FrameOutputStream.FLG.Bits.BLOCK_CHECKSUM},
                {LZ4FrameOutputStream.FLG.Bits.BLOCK_INDEPENDENCE, LZ4FrameOutputStream.FLG.Bits.CONTENT_CHECKSUM,
                        LZ4FrameOutputStream.FLG.Bits.CONTENT_SIZE},
        };
        for (LZ4FrameOutputStream.BLOCKSIZE size : sizes) {
            for (LZ4FrameOutputStream.FLG.Bits[] bits : options) {
                ByteArrayOutputStream out = new ByteArrayOutputStream();
                try (LZ4FrameOutputStream frame = new LZ4FrameOutputStream(out, size, payload.length, bits)) {
                    frame.write(payload);
                }
                assertThat(lz4.decompress(out.toByteArray())).as("%s %s", size, Arrays.toString(bits)).isEqualTo(payload);
            }
        }
    }

    @Test
    void reads_concatenated_frames_and_skips_skippable_frames() {
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        out.writeBytes(new byte[] {0x5A, 0x2A, 0x4D, 0x18, 3, 0, 0, 0, 9, 9, 9}); // skippable, 3 bytes
        out.writeBytes(lz4.compress("hello ".getBytes(StandardCharsets.UTF_8)));
        out.writeBytes(HexFormat.of().parseHex(CLI_SMALL));
        assertThat(new String(lz4.decompress(out.toByteArray()), StandardCharsets.UTF_8))
                .isEqualTo("hello {\"key\":\"user-1\",\"seq\":1}");
    }

    // ------------------------------------------------------------------ corrupt input

    @Test
    void every_truncation_of_a_frame_is_a_serialization_exception() {
        for (byte[] frame : new byte[][] {lz4.compress(text(70_000)), HexFormat.of().parseHex(PYTHON_SMALL),
                HexFormat.of().parseHex(CLI_SMALL)}) {
            for (int length = 0; length < frame.length; length++) {
                byte[] prefix = Arrays.copyOf(frame, length);
                assertThatThrownBy(() -> lz4.decompress(prefix)).as("first %d of %d bytes", length, frame.length)
                        .isExactlyInstanceOf(SerializationException.class);
            }
        }
    }

    @Test
    void no_flipped_byte_of_our_checksummed_frames_yields_wrong_data() {
        byte[] payload = text(70_000);
        byte[] frame = lz4.compress(payload);
        int detected = 0;
        for (int i = 0; i < frame.length; i++) {
            byte[] corrupt = frame.clone();
            corrupt[i] ^= (byte) (1 + i % 255);
            try {
                // A flip that leaves the content as it was (a back-reference moved to equal bytes) is harmless.
                assertThat(lz4.decompress(corrupt)).as("byte %d of %d", i, frame.length).isEqualTo(payload);
            } catch (SerializationException expected) {
                detected++;
            }
        }
        assertThat(detected).isGreaterThan(frame.length * 99 / 100);
    }

    @Test
    void random_mutations_never_escape_as_anything_but_a_serialization_exception() throws IOException {
        Random random = new Random(42);
        byte[][] seeds = {resource("python-lz4-linked.hex"), HexFormat.of().parseHex(PYTHON_SMALL), lz4.compress(noise(5000, 1)),
                lz4.compress(text(100_000))};
        for (int round = 0; round < 6_000; round++) {
            byte[] mutated = seeds[round % seeds.length].clone();
            for (int flips = 1 + random.nextInt(4); flips > 0; flips--) {
                mutated[random.nextInt(mutated.length)] = (byte) random.nextInt(256);
            }
            try {
                lz4.decompress(mutated);
            } catch (SerializationException expected) {
                // fine: the only way a corrupt payload may fail
            }
        }
    }

    @Test
    void malformed_frames_are_serialization_exceptions_that_say_why() {
        byte[] good = lz4.compress(SMALL_JSON);
        byte[] badMagic = good.clone();
        badMagic[0] = 0x05;
        byte[] badHeaderChecksum = good.clone();
        badHeaderChecksum[14] ^= 1;
        byte[] badContentChecksum = good.clone();
        badContentChecksum[good.length - 1] ^= 1;
        byte[] trailing = Arrays.copyOf(good, good.length + 3);
        expectFailure(new byte[0], "empty");
        expectFailure("{\"key\":1}".getBytes(StandardCharsets.UTF_8), "not an LZ4 frame");
        expectFailure(badMagic, "not an LZ4 frame");
        expectFailure(badHeaderChecksum, "header checksum");
        expectFailure(badContentChecksum, "content checksum");
        expectFailure(trailing, "after the last frame");
        expectFailure(new byte[] {0x02, 0x21, 0x4C, 0x18, 0, 0, 0, 0}, "legacy");
        expectFailure(withDescriptor(0x61, 0x40, new byte[4]), "dictionary");
        expectFailure(withDescriptor(0x80, 0x40), "version");
        expectFailure(withDescriptor(0x60, 0x30), "block maximum size");
        assertThatThrownBy(() -> lz4.decompress(null)).isExactlyInstanceOf(SerializationException.class);
    }

    @Test
    void a_match_may_not_reach_into_an_earlier_frame() {
        // Frame 1: "abcd". Frame 2: a linked block whose only match copies 4 bytes from 4 back, i.e. from frame 1.
        byte[] first = lz4.compress("abcd".getBytes(StandardCharsets.UTF_8));
        byte[] block = {0x00, 0x04, 0x00, 0x00}; // token: 0 literals, match length 4; offset 4; then a last token with 0 literals
        byte[] second = withDescriptor(0x40, 0x40, new byte[0], block);
        ByteArrayOutputStream both = new ByteArrayOutputStream();
        both.writeBytes(first);
        both.writeBytes(second);
        assertThatThrownBy(() -> lz4.decompress(both.toByteArray())).isExactlyInstanceOf(SerializationException.class)
                .hasMessageContaining("match offset 4");
    }

    @Test
    void a_payload_expanding_beyond_the_limit_is_refused() {
        Lz4Compressor bounded = new Lz4Compressor(0, 100_000);
        assertThat(bounded.decompress(bounded.compress(new byte[100_000]))).hasSize(100_000);
        assertThatThrownBy(() -> bounded.decompress(bounded.compress(new byte[100_001])))
                .isExactlyInstanceOf(SerializationException.class).hasMessageContaining("100000");
        // Without a declared size the limit still holds, block by block.
        assertThatThrownBy(() -> bounded.decompress(frameWithoutContentSize(new byte[300_000])))
                .isExactlyInstanceOf(SerializationException.class).hasMessageContaining("100000");
    }

    // ------------------------------------------------------------------ helpers

    private void expectFailure(byte[] payload, String reason) {
        assertThatThrownBy(() -> lz4.decompress(payload)).as(reason).isExactlyInstanceOf(SerializationException.class)
                .hasMessageContaining(reason);
    }

    /** A frame with the given FLG and BD, optional extra descriptor bytes, a correct header checksum, then blocks and an end mark. */
    static byte[] withDescriptor(int flg, int bd, byte[] extra, byte[]... blocks) {
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        out.writeBytes(new byte[] {0x04, 0x22, 0x4D, 0x18, (byte) flg, (byte) bd});
        out.writeBytes(extra);
        byte[] soFar = out.toByteArray();
        out.write(XXHashFactory.safeInstance().hash32().hash(soFar, 4, soFar.length - 4, 0) >>> 8);
        for (byte[] block : blocks) {
            out.writeBytes(new byte[] {(byte) block.length, (byte) (block.length >>> 8), (byte) (block.length >>> 16), 0});
            out.writeBytes(block);
        }
        out.writeBytes(new byte[4]);
        return out.toByteArray();
    }

    static byte[] withDescriptor(int flg, int bd) {
        return withDescriptor(flg, bd, new byte[0]);
    }

    private static byte[] frameWithoutContentSize(byte[] payload) throws IOException {
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        try (LZ4FrameOutputStream frame = new LZ4FrameOutputStream(out, LZ4FrameOutputStream.BLOCKSIZE.SIZE_64KB)) {
            frame.write(payload);
        }
        return out.toByteArray();
    }

    static byte[] noise(int size, long seed) {
        byte[] b = new byte[size];
        new Random(seed).nextBytes(b);
        return b;
    }

    static byte[] text(int size) {
        byte[] b = new byte[size];
        String line = "{\"key\":\"customer-%d\",\"seq\":%d,\"amount\":%d.25}\n";
        int p = 0;
        for (int i = 0; p < size; i++) {
            byte[] l = String.format(line, i % 97, i, i * 7 % 1000).getBytes(StandardCharsets.UTF_8);
            int n = Math.min(l.length, size - p);
            System.arraycopy(l, 0, b, p, n);
            p += n;
        }
        return b;
    }

    private static String sha256(byte[] b) throws Exception {
        return HexFormat.of().formatHex(MessageDigest.getInstance("SHA-256").digest(b));
    }
}
