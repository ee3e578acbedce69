// SPDX-License-Identifier: Apache-2.0

package io.runnel.example;

import org.junit.jupiter.api.Test;
import org.w3c.dom.Document;
import org.w3c.dom.Element;
import org.w3c.dom.NodeList;

import javax.xml.parsers.DocumentBuilderFactory;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Set;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * The BOM names every module a user can depend on, at the build's version, so that importing
 * it pins them all: a module added to the build and forgotten in the BOM fails here.
 */
class RunnelModulesInBomTest {
    /** Modules that are not published for users to depend on (runnel-project: the POMs' shared parent). */
    private static final Set<String> NOT_PUBLISHED = Set.of("runnel-project", "runnel-bom", "runnel-example", "runnel-example-spring",
            "runnel-bench");

    private static Document read(Path pom) throws Exception {
        DocumentBuilderFactory factory = DocumentBuilderFactory.newInstance();
        factory.setFeature("http://apache.org/xml/features/disallow-doctype-decl", true);
        return factory.newDocumentBuilder().parse(pom.toFile());
    }

    private static List<String> texts(Document doc, String tag) {
        List<String> texts = new ArrayList<>();
        NodeList nodes = doc.getElementsByTagName(tag);
        for (int i = 0; i < nodes.getLength(); i++) {
            texts.add(nodes.item(i).getTextContent().trim());
        }
        return texts;
    }

    @Test
    void the_bom_pins_every_published_module_at_the_build_version() throws Exception {
        Path root = Path.of("..").toAbsolutePath().normalize();
        Document parent = read(root.resolve("pom.xml"));
        Document bom = read(root.resolve("runnel-bom/pom.xml"));

        List<String> published = texts(parent, "module").stream().filter(m -> !NOT_PUBLISHED.contains(m)).toList();
        NodeList managed = bom.getElementsByTagName("dependency");
        List<String> inBom = new ArrayList<>();
        for (int i = 0; i < managed.getLength(); i++) {
            Element d = (Element) managed.item(i);
            assertThat(d.getElementsByTagName("groupId").item(0).getTextContent()).isEqualTo("io.runnel");
            assertThat(d.getElementsByTagName("version").item(0).getTextContent()).isEqualTo("${project.version}");
            inBom.add(d.getElementsByTagName("artifactId").item(0).getTextContent());
        }

        assertThat(published).isNotEmpty();
        assertThat(inBom).containsExactlyInAnyOrderElementsOf(published);
        assertThat(ownVersion(bom)).as("the BOM's own version").isEqualTo(ownVersion(parent));
    }

    /** The project's own version: the {@code <version>} right under {@code <project>}. */
    private static String ownVersion(Document pom) {
        NodeList children = pom.getDocumentElement().getChildNodes();
        for (int i = 0; i < children.getLength(); i++) {
            if (children.item(i) instanceof Element e && e.getTagName().equals("version")) {
                return e.getTextContent().trim();
            }
        }
        throw new AssertionError("no <version> under <project>");
    }
}
