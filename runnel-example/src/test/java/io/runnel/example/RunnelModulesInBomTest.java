// SPDX-License-Identifier: Apache-2.0

package io.runnel.example;

import io.runnel.example.ReactorModules.Module;
import org.junit.jupiter.api.Test;
import org.w3c.dom.Document;
import org.w3c.dom.Element;
import org.w3c.dom.NodeList;

import java.util.ArrayList;
import java.util.List;
import java.util.Set;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * The BOM names every module a user can depend on, at the build's version, so that importing
 * it pins them all: a module added to the build and forgotten in the BOM fails here.
 */
class RunnelModulesInBomTest {
    /** Published POMs that are not dependencies: the BOM itself, and the POMs' shared parent. */
    private static final Set<String> NOT_DEPENDENCIES = Set.of("runnel-bom", "runnel-project");
    /** Third-party versions the BOM pins on purpose (Guava for Guice: CVE-2023-2976, and JDK 24+ warnings). */
    private static final Set<String> THIRD_PARTY = Set.of("com.google.guava:guava");

    @Test
    void the_bom_pins_every_published_module_at_the_build_version() {
        Document parent = ReactorModules.root();
        Document bom = ReactorModules.read(ReactorModules.ROOT.resolve("runnel-bom/pom.xml"));

        List<String> published = ReactorModules.all().stream().filter(Module::published).map(Module::name)
                .filter(m -> !NOT_DEPENDENCIES.contains(m)).toList();
        NodeList managed = bom.getElementsByTagName("dependency");
        List<String> inBom = new ArrayList<>();
        List<String> thirdParty = new ArrayList<>();
        for (int i = 0; i < managed.getLength(); i++) {
            Element d = (Element) managed.item(i);
            String group = text(d, "groupId");
            String artifact = text(d, "artifactId");
            if (group.equals("io.runnel")) {
                assertThat(text(d, "version")).as(artifact).isEqualTo("${project.version}");
                inBom.add(artifact);
            } else {
                thirdParty.add(group + ":" + artifact);
            }
        }

        assertThat(published).contains("runnel-engine", "runnel-test", "runnel-testkit").doesNotContain("runnel-bench");
        assertThat(inBom).containsExactlyInAnyOrderElementsOf(published);
        assertThat(thirdParty).containsExactlyInAnyOrderElementsOf(THIRD_PARTY);
        assertThat(ownVersion(bom)).as("the BOM's own version").isEqualTo(ownVersion(parent));
    }

    private static String text(Element parent, String tag) {
        return parent.getElementsByTagName(tag).item(0).getTextContent().trim();
    }

    /** The project's own version: the {@code <version>} right under {@code <project>}. */
    private static String ownVersion(Document pom) {
        return ReactorModules.child(pom.getDocumentElement(), "version").orElseThrow().getTextContent().trim();
    }
}
