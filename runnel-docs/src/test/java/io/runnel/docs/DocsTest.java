// SPDX-License-Identifier: Apache-2.0

package io.runnel.docs;

import org.junit.jupiter.api.Test;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Set;
import java.util.TreeSet;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.stream.Stream;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * The README and every page under {@code docs/} say only what compiles and what exists:
 * <ul>
 *   <li>each Java block is the tagged region of a source file, named on the line before it
 *       ({@code <!-- snippet: runnel-docs/src/test/java/io/runnel/docs/Shop.java#shop -->});
 *       the region lies between {@code // tag::NAME[]} and {@code // end::NAME[]}, and the
 *       block shows it without its common indentation. The sources are this module's tests
 *       (or another module's), compiled and run by the build, so the docs cannot drift from
 *       the API. {@code -Drunnel.docs.write=true} rewrites the blocks from the sources;
 *   <li>each relative link leads to a file of the repository, and each {@code #anchor} to a
 *       heading of its page (GitHub's anchors).
 * </ul>
 */
class DocsTest {
    static final Path ROOT = Path.of("..").toAbsolutePath().normalize();
    private static final Pattern SNIPPET = Pattern.compile("<!-- snippet: ([^#\\s]+)#([\\w-]+) -->");
    private static final Pattern LINK = Pattern.compile("(?<!!)\\[[^\\]]*]\\(([^)\\s]+)\\)|!\\[[^\\]]*]\\(([^)\\s]+)\\)");
    private static final Pattern INLINE_CODE = Pattern.compile("`[^`]*`");

    /** The README and every Markdown page under docs/. */
    static List<Path> pages() {
        List<Path> pages = new ArrayList<>();
        pages.add(ROOT.resolve("README.md"));
        try (Stream<Path> files = Files.walk(ROOT.resolve("docs"))) {
            files.filter(p -> p.toString().endsWith(".md")).sorted().forEach(pages::add);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
        return pages;
    }

    @Test
    void every_java_block_is_a_region_of_a_compiled_source() throws IOException {
        boolean write = Boolean.getBoolean("runnel.docs.write");
        List<String> problems = new ArrayList<>();
        int blocks = 0;
        for (Path page : pages()) {
            List<String> lines = Files.readAllLines(page, StandardCharsets.UTF_8);
            List<String> out = new ArrayList<>();
            boolean changed = false;
            for (int i = 0; i < lines.size(); i++) {
                String line = lines.get(i);
                out.add(line);
                if (!line.strip().equals("```java")) {
                    continue;
                }
                blocks++;
                int end = i + 1;
                while (end < lines.size() && !lines.get(end).strip().equals("```")) {
                    end++;
                }
                List<String> shown = lines.subList(i + 1, end);
                String where = ROOT.relativize(page) + ":" + (i + 1);
                Matcher marker = i > 0 ? SNIPPET.matcher(lines.get(i - 1).strip()) : null;
                if (marker == null || !marker.matches()) {
                    problems.add(where + ": a Java block without a '<!-- snippet: path#tag -->' line before it");
                    out.addAll(shown);
                } else {
                    List<String> source = region(ROOT.resolve(marker.group(1)), marker.group(2));
                    if (source == null) {
                        problems.add(where + ": no region '" + marker.group(2) + "' in " + marker.group(1));
                        out.addAll(shown);
                    } else if (!source.equals(shown)) {
                        problems.add(where + ": differs from " + marker.group(1) + "#" + marker.group(2)
                                + "; it should read:\n" + String.join("\n", source));
                        out.addAll(source);
                        changed = true;
                    } else {
                        out.addAll(shown);
                    }
                }
                if (end < lines.size()) {
                    out.add(lines.get(end));
                }
                i = end;
            }
            if (write && changed) {
                Files.write(page, out, StandardCharsets.UTF_8);
            }
        }
        assertThat(blocks).as("Java blocks found").isPositive();
        assertThat(problems).as("Java blocks (-Drunnel.docs.write=true rewrites those that differ)").isEmpty();
    }

    @Test
    void every_relative_link_leads_to_a_file_and_every_anchor_to_a_heading() throws IOException {
        Map<Path, Set<String>> anchors = new HashMap<>();
        List<String> broken = new ArrayList<>();
        for (Path page : pages()) {
            List<String> lines = Files.readAllLines(page, StandardCharsets.UTF_8);
            boolean inFence = false;
            for (int i = 0; i < lines.size(); i++) {
                String line = lines.get(i);
                if (line.strip().startsWith("```")) {
                    inFence = !inFence;
                    continue;
                }
                if (inFence) {
                    continue;
                }
                Matcher link = LINK.matcher(INLINE_CODE.matcher(line).replaceAll(""));
                while (link.find()) {
                    String target = link.group(1) != null ? link.group(1) : link.group(2);
                    String problem = check(page, target, anchors);
                    if (problem != null) {
                        broken.add(ROOT.relativize(page) + ":" + (i + 1) + ": " + target + " (" + problem + ")");
                    }
                }
            }
        }
        assertThat(broken).as("broken links").isEmpty();
    }

    private static String check(Path page, String target, Map<Path, Set<String>> anchors) {
        if (target.matches("^[a-z][a-z0-9+.-]*:.*")) {
            return null; // http(s), mailto: outside the repository, not checked offline
        }
        int hash = target.indexOf('#');
        String file = hash < 0 ? target : target.substring(0, hash);
        Path resolved = file.isEmpty() ? page : page.getParent().resolve(file).normalize();
        if (!resolved.startsWith(ROOT) || !Files.exists(resolved)) {
            return "no such file";
        }
        if (hash < 0) {
            return null;
        }
        if (!resolved.toString().endsWith(".md")) {
            return "an anchor into a file that is not Markdown";
        }
        String anchor = target.substring(hash + 1);
        Set<String> known = anchors.computeIfAbsent(resolved, DocsTest::anchorsOf);
        return known.contains(anchor) ? null : "no heading with that anchor";
    }

    /** GitHub's anchors of a page's headings: lower case, punctuation dropped, spaces as dashes, repeats numbered. */
    static Set<String> anchorsOf(Path page) {
        Set<String> anchors = new TreeSet<>();
        Map<String, Integer> seen = new HashMap<>();
        try {
            boolean inFence = false;
            for (String line : Files.readAllLines(page, StandardCharsets.UTF_8)) {
                if (line.strip().startsWith("```")) {
                    inFence = !inFence;
                }
                if (inFence || !line.startsWith("#")) {
                    continue;
                }
                String text = line.replaceFirst("^#+\\s*", "").strip();
                String slug = text.toLowerCase(Locale.ROOT).replaceAll("[^\\p{L}\\p{N} _-]", "").replace(' ', '-');
                int n = seen.merge(slug, 1, Integer::sum);
                anchors.add(n == 1 ? slug : slug + "-" + (n - 1));
            }
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
        return anchors;
    }

    /** The lines between {@code // tag::name[]} and {@code // end::name[]}, without their common indentation; null if none. */
    static List<String> region(Path source, String name) throws IOException {
        if (!Files.isRegularFile(source)) {
            return null;
        }
        List<String> lines = Files.readAllLines(source, StandardCharsets.UTF_8);
        int start = -1;
        for (int i = 0; i < lines.size(); i++) {
            String l = lines.get(i).strip();
            if (l.equals("// tag::" + name + "[]")) {
                start = i + 1;
            } else if (l.equals("// end::" + name + "[]") && start >= 0) {
                List<String> region = new ArrayList<>(lines.subList(start, i));
                int indent = region.stream().filter(r -> !r.isBlank())
                        .mapToInt(r -> r.length() - r.stripLeading().length()).min().orElse(0);
                region.replaceAll(r -> r.isBlank() ? "" : r.substring(indent));
                return region;
            }
        }
        return null;
    }
}
