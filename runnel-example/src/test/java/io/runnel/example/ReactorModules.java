// SPDX-License-Identifier: Apache-2.0

package io.runnel.example;

import org.w3c.dom.Document;
import org.w3c.dom.Element;
import org.w3c.dom.Node;
import org.w3c.dom.NodeList;

import javax.xml.parsers.DocumentBuilderFactory;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.SortedSet;
import java.util.TreeSet;
import java.util.stream.Stream;

/** The build's modules as their POMs and source folders declare them, read from the repository (tests run in runnel-example/). */
final class ReactorModules {
    static final Path ROOT = Path.of("..").toAbsolutePath().normalize();

    private ReactorModules() {
    }

    /** One module of the reactor. */
    record Module(String name, Document pom) {
        /** A property the module's own POM sets, if it does. */
        Optional<String> property(String property) {
            return child(pom.getDocumentElement(), "properties").flatMap(p -> child(p, property)).map(e -> e.getTextContent().trim());
        }

        /** Whether it is published to Maven Central: it does not set skipPublishing to true. */
        boolean published() {
            return !property("skipPublishing").map(Boolean::parseBoolean).orElse(false);
        }

        /** jar unless the POM says otherwise. */
        String packaging() {
            return child(pom.getDocumentElement(), "packaging").map(e -> e.getTextContent().trim()).orElse("jar");
        }

        /** The packages of its main sources. */
        SortedSet<String> packages() {
            Path sources = ROOT.resolve(name).resolve("src/main/java");
            SortedSet<String> packages = new TreeSet<>();
            if (Files.isDirectory(sources)) {
                try (Stream<Path> files = Files.walk(sources)) {
                    files.filter(f -> f.toString().endsWith(".java"))
                            .forEach(f -> packages.add(sources.relativize(f.getParent()).toString().replace('/', '.')));
                } catch (IOException e) {
                    throw new UncheckedIOException(e);
                }
            }
            return packages;
        }
    }

    /** The root POM. */
    static Document root() {
        return read(ROOT.resolve("pom.xml"));
    }

    /** Every module the root POM lists. */
    static List<Module> all() {
        List<Module> modules = new ArrayList<>();
        NodeList names = root().getElementsByTagName("module");
        for (int i = 0; i < names.getLength(); i++) {
            String name = names.item(i).getTextContent().trim();
            modules.add(new Module(name, read(ROOT.resolve(name).resolve("pom.xml"))));
        }
        return modules;
    }

    static Document read(Path pom) {
        try {
            DocumentBuilderFactory factory = DocumentBuilderFactory.newInstance();
            factory.setFeature("http://apache.org/xml/features/disallow-doctype-decl", true);
            return factory.newDocumentBuilder().parse(pom.toFile());
        } catch (Exception e) {
            throw new IllegalStateException("cannot read " + pom, e);
        }
    }

    /** The first child element of {@code parent} named {@code name}. */
    static Optional<Element> child(Element parent, String name) {
        for (Node n = parent.getFirstChild(); n != null; n = n.getNextSibling()) {
            if (n instanceof Element e && e.getTagName().equals(name)) {
                return Optional.of(e);
            }
        }
        return Optional.empty();
    }
}
