// SPDX-License-Identifier: Apache-2.0

package io.runnel.spring;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.SerializationFeature;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.runnel.engine.Setting;
import io.runnel.engine.Settings;
import org.junit.jupiter.api.Test;

import java.io.IOException;
import java.io.InputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.fail;

/**
 * What an IDE learns about the {@code runnel.*} properties: the starter's
 * {@code META-INF/spring-configuration-metadata.json}, written by Boot's configuration
 * processor from {@link RunnelProperties} and merged with the descriptions, defaults and
 * value hints that the settings' declarations give (the committed
 * {@code additional-spring-configuration-metadata.json}, checked here and rewritten with
 * {@code -Drunnel.metadata.write=true}).
 */
class ConfigurationMetadataTest {
    private static final Path ADDITIONAL = Path.of("src/main/resources/META-INF/additional-spring-configuration-metadata.json");
    private static final ObjectMapper JSON = new ObjectMapper().enable(SerializationFeature.INDENT_OUTPUT);

    /** A setting's description for an IDE: its documentation in plain text, with its unit, default and scope. */
    static String description(Setting<?> s) {
        StringBuilder d = new StringBuilder(plain(s.documentation()));
        if (!s.documentation().startsWith("`")) { // a value (lettuce, HALT) keeps its case
            d.setCharAt(0, Character.toUpperCase(d.charAt(0)));
        }
        d.append('.');
        if (!s.unit().isEmpty()) {
            d.append(" A bare number is in ").append(s.unit().equals("s") ? "seconds" : "milliseconds")
                    .append("; 250ms, 2s, 1m and PT2S work too.");
        }
        s.defaultNote().ifPresent(note -> d.append(" Default: ").append(plain(note).replaceAll("^\\((.*)\\)$", "$1"))
                .append('.'));
        if (s.scope() != Setting.Scope.APP) {
            d.append(" A default: each ").append(s.scope().name().toLowerCase(Locale.ROOT))
                    .append(" may override it (").append(s.optionName()).append(").");
        }
        return d.toString();
    }

    /** The default as a value of the property, with its unit; null when it has none. */
    static String defaultValue(Setting<?> s) {
        return s.defaultValue().isEmpty() ? null : s.defaultValue() + s.unit();
    }

    private static String plain(String markdown) {
        return markdown.replaceAll("\\[([^]]*)]\\([^)]*\\)", "$1").replace("`", "");
    }

    static ObjectNode expectedAdditional() {
        ObjectNode root = JSON.createObjectNode();
        ArrayNode properties = root.putArray("properties");
        ArrayNode hints = root.putArray("hints");
        for (Setting<?> s : Settings.declared()) {
            String name = RunnelProperties.propertyOf(s.name());
            ObjectNode p = properties.addObject().put("name", name).put("type", "java.lang.String")
                    .put("description", description(s));
            if (defaultValue(s) != null) {
                p.put("defaultValue", defaultValue(s));
            }
            if (!s.allowedValues().isEmpty()) {
                ArrayNode values = hints.addObject().put("name", name).putArray("values");
                s.allowedValues().forEach(v -> values.addObject().put("value", v));
            }
        }
        return root;
    }

    @Test
    void the_additional_metadata_is_the_settings_declarations() throws IOException {
        String expected = JSON.writeValueAsString(expectedAdditional()) + "\n";
        String actual = Files.exists(ADDITIONAL) ? Files.readString(ADDITIONAL, StandardCharsets.UTF_8) : "";
        if (!actual.equals(expected)) {
            if (Boolean.getBoolean("runnel.metadata.write")) {
                Files.writeString(ADDITIONAL, expected, StandardCharsets.UTF_8);
                return;
            }
            fail(ADDITIONAL + " differs from the settings' declarations; what they give (or run with "
                    + "-Drunnel.metadata.write=true):\n" + expected);
        }
    }

    @Test
    void the_properties_are_exactly_the_settings_and_the_starters_own() {
        assertThat(RunnelProperties.SETTINGS.values()).containsExactlyElementsOf(Settings.declared());
    }

    @Test
    void the_shipped_metadata_describes_every_property_with_its_default() throws IOException {
        JsonNode metadata;
        try (InputStream in = getClass().getClassLoader().getResourceAsStream("META-INF/spring-configuration-metadata.json")) {
            assertThat(in).as("the starter ships META-INF/spring-configuration-metadata.json").isNotNull();
            metadata = JSON.readTree(in);
        }
        Map<String, JsonNode> properties = new LinkedHashMap<>();
        metadata.get("properties").forEach(p -> properties.put(p.get("name").asText(), p));
        List<String> expected = new ArrayList<>(List.of("runnel.app", "runnel.worker.enabled", "runnel.worker.processors"));
        Settings.declared().forEach(s -> expected.add(RunnelProperties.propertyOf(s.name())));
        assertThat(properties.keySet()).containsExactlyInAnyOrderElementsOf(expected);

        for (Setting<?> s : Settings.declared()) {
            JsonNode p = properties.get(RunnelProperties.propertyOf(s.name()));
            assertThat(p.path("description").asText()).as(s.name()).isEqualTo(description(s));
            if (defaultValue(s) != null) {
                assertThat(p.path("defaultValue").asText()).as(s.name()).isEqualTo(defaultValue(s));
            }
        }
        assertThat(properties.get("runnel.default-join-delay").path("defaultValue").asText()).isEqualTo("2s");
        assertThat(properties.get("runnel.default-join-delay").path("description").asText())
                .startsWith("Wait before joining a processor, while the members keep their partitions. A bare number is in seconds");
        assertThat(properties.get("runnel.app").path("description").asText()).contains("spring.application.name");
        assertThat(properties.get("runnel.worker.enabled").path("defaultValue").asBoolean()).isTrue();
        assertThat(properties.get("runnel.worker.processors").path("description").asText()).isNotBlank();

        Map<String, List<String>> hints = new LinkedHashMap<>();
        metadata.get("hints").forEach(h -> {
            List<String> values = new ArrayList<>();
            h.get("values").forEach(v -> values.add(v.get("value").asText()));
            hints.put(h.get("name").asText(), values);
        });
        assertThat(hints.get("runnel.default-exception-policy")).containsExactly("HALT", "QUARANTINE", "IGNORE", "PARK");
        assertThat(hints.get("runnel.default-assignment")).containsExactly("sticky", "ranges");
    }
}
