// SPDX-License-Identifier: Apache-2.0

package io.runnel.engine.memory;

import static io.runnel.engine.memory.MemoryTransportTest.append;
import static io.runnel.engine.memory.MemoryTransportTest.awaitBlockedReads;
import static io.runnel.engine.memory.MemoryTransportTest.ids;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.assertj.core.api.Assertions.catchThrowable;

import io.runnel.api.transport.ConnectionUrl;
import io.runnel.api.transport.StreamEntry;
import io.runnel.api.transport.Transport;
import io.runnel.api.transport.TransportException;
import io.runnel.api.transport.TransportProvider;
import java.io.PrintWriter;
import java.io.StringWriter;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.ServiceLoader;
import java.util.UUID;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

/** Named stores shared through URLs, and handles that close independently. */
class MemoryTransportProviderTest {
    private static final Duration PATIENCE = Duration.ofSeconds(20);
    private static final Duration LONG_BLOCK = Duration.ofSeconds(30);

    private final MemoryTransportProvider provider = new MemoryTransportProvider();
    /** Stores live as long as the JVM, so each test uses names no other test uses. */
    private final String name = "test-" + UUID.randomUUID();
    private final ExecutorService threads = Executors.newVirtualThreadPerTaskExecutor();

    @AfterEach
    void stopThreads() {
        threads.shutdownNow();
    }

    @Test
    void isFoundOnTheClasspathForMemoryUrlsOnly() {
        List<TransportProvider> providers = ServiceLoader.load(TransportProvider.class).stream()
                .map(ServiceLoader.Provider::get).toList();

        assertThat(providers).filteredOn(p -> p.name().equals("memory")).singleElement()
                .isInstanceOf(MemoryTransportProvider.class);
        assertThat(provider.supports(url("memory://shop"))).isTrue();
        assertThat(provider.supports(url("MEMORY:shop"))).isTrue();
        assertThat(provider.supports(url("redis://127.0.0.1:6379"))).isFalse();
        assertThatThrownBy(() -> provider.open(url("redis://127.0.0.1:6379"))).isInstanceOf(TransportException.class);
    }

    @Test
    void theSameUrlSharesOneStore() throws Exception {
        try (Transport first = provider.open(url("memory://" + name));
             Transport second = provider.open(url("memory://" + name))) {
            first.set("k", "v", null);
            first.createGroup(List.of("s"), "g", "0");
            String id = append(first, "s");

            assertThat(second.get("k")).contains("v");
            assertThat(second.setIfAbsent("k", "other", Duration.ofSeconds(60))).isFalse();
            Map<String, List<StreamEntry>> read = second.readGroup("g", "c", Map.of("s", ">"), 10, null);
            assertThat(ids(read.get("s"))).containsExactly(id);
            assertThat(first.pendingCount("s", "g")).isEqualTo(1);
        }
    }

    @Test
    void urlSpellingsOfOneNameShareAStoreAndOtherNamesDoNot() {
        try (Transport plain = provider.open(url("memory://" + name));
             Transport opaque = provider.open(url("memory:" + name));
             Transport decorated = provider.open(url("memory://user:pw@" + name + "/0?x=1"));
             Transport other = provider.open(url("memory://" + name + "-other"));
             Transport isolated = MemoryTransport.create()) {
            plain.set("k", "v", null);

            assertThat(opaque.get("k")).contains("v");
            assertThat(decorated.get("k")).contains("v");
            assertThat(other.get("k")).isEmpty();
            assertThat(isolated.get("k")).isEmpty();
        }
        assertThat(MemoryTransportProvider.storeName(url("memory:/").uri())).isEmpty();
        assertThat(MemoryTransportProvider.storeName(url("memory:///shop/").uri())).isEqualTo("shop");
        // A comma is no reason to read the authority as a list of hosts.
        assertThat(MemoryTransportProvider.storeName(url("memory://a,b").uri())).isEqualTo("a,b");
    }

    @Test
    void closingOneHandleLeavesTheOthersAndTheDataAlone() {
        Transport closing = provider.open(url("memory://" + name));
        try (Transport staying = provider.open(url("memory://" + name))) {
            closing.set("k", "v", null);

            closing.close();

            assertThatThrownBy(() -> closing.get("k")).isInstanceOf(TransportException.class);
            assertThat(staying.get("k")).contains("v");
            staying.set("k", "w", null);
            try (Transport reopened = provider.open(url("memory://" + name))) {
                assertThat(reopened.get("k")).contains("w");
            }
        }
    }

    @Test
    void closingAHandleEndsOnlyItsOwnBlockedReads() throws Exception {
        MemoryTransport closing = (MemoryTransport) provider.open(url("memory://" + name));
        try (MemoryTransport staying = (MemoryTransport) provider.open(url("memory://" + name))) {
            staying.createGroup(List.of("s"), "g", "$");
            Future<Map<String, List<StreamEntry>>> doomed =
                    threads.submit(() -> closing.readGroup("g", "a", Map.of("s", ">"), 10, LONG_BLOCK));
            Future<Map<String, List<StreamEntry>>> survivor =
                    threads.submit(() -> staying.readGroup("g", "b", Map.of("s", ">"), 10, LONG_BLOCK));
            awaitBlockedReads(staying, 2);

            closing.close();

            assertThatThrownBy(() -> doomed.get(PATIENCE.toMillis(), TimeUnit.MILLISECONDS))
                    .isInstanceOf(ExecutionException.class).hasCauseInstanceOf(TransportException.class);
            assertThat(staying.blockedReads()).isEqualTo(1);
            assertThat(survivor.isDone()).isFalse();
            String id = append(staying, "s");
            assertThat(ids(survivor.get(PATIENCE.toMillis(), TimeUnit.MILLISECONDS).get("s"))).containsExactly(id);
        }
    }

    @Test
    void failuresNeverShowTheUrlsCredentials() {
        String secret = "s3cret";
        MemoryTransport transport = (MemoryTransport) provider.open(url("memory://user:" + secret + "@" + name));
        append(transport, "stream");

        Throwable rejected = catchThrowable(() -> transport.get("stream"));
        transport.close();
        Throwable closed = catchThrowable(() -> transport.get("stream"));

        for (Throwable failure : List.of(rejected, closed)) {
            assertThat(failure).isInstanceOf(TransportException.class);
            StringWriter trace = new StringWriter();
            failure.printStackTrace(new PrintWriter(trace));
            assertThat(trace.toString()).contains(name).doesNotContain(secret);
        }
        assertThat(transport.toString()).doesNotContain(secret);
    }

    private static ConnectionUrl url(String text) {
        return ConnectionUrl.parse(text);
    }
}
