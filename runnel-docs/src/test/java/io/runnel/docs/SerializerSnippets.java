// SPDX-License-Identifier: Apache-2.0

package io.runnel.docs;

import io.runnel.engine.App;
import io.runnel.engine.Stream;
import io.runnel.test.ProcessorTestDriver;
import org.junit.jupiter.api.Test;

import java.util.ArrayList;
import java.util.List;

import static org.assertj.core.api.Assertions.assertThat;

/** The custom serializer of docs/concepts/streams-and-retention.md carries a record through a stream. */
class SerializerSnippets {

    @Test
    void a_custom_serializer_carries_records() {
        try (App app = App.builder("docs-serializer").build()) {
            // tag::use[]
            app.stream("temps", Temperature.class, Temperature::sensor, o -> o.serializer(new SemicolonSerializer()));
            // end::use[]
            @SuppressWarnings("unchecked")
            Stream<Temperature> temps = (Stream<Temperature>) app.streamNamed("temps");
            List<Temperature> seen = new ArrayList<>();
            app.processor(temps, "log", events -> events.records().forEach(seen::add));
            try (ProcessorTestDriver<Temperature> driver = ProcessorTestDriver.of(app, "log")) {
                driver.pipe(new Temperature("kitchen", 21.5));
                driver.runUntilIdle();
            }
            assertThat(seen).containsExactly(new Temperature("kitchen", 21.5));
        }
    }
}
